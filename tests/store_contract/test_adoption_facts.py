"""The adoption report through each adapter's facts: the same hand-counted figures everywhere,
and a re-import changes them (a stored summary never outlives the rows it was built from)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.adoption_service import collect_adoption, inactive_audience, prepare_adoption, usage_gap_audience
from bot.store.port import Store
from domain.models import ProgressStatus
from domain.usage_records import DirectoryEntry, UsageImport
from test_adoption import shipped

from .dataset import at, progress, usage_row

DAY, OLDER = date(2026, 11, 28), date(2026, 11, 1)
LONG_AGO, RECENT = at(2026, 10, 1), at(2026, 11, 25)
IMPORTED = datetime(2026, 12, 1, tzinfo=timezone.utc)


async def seed(store: Store) -> None:
    """As test_adoption's hand-computed case: w1 uses Teams and mails but made no meeting, w2
    trained and silent, w3 trained too recently, w4 untrained and using Teams, w5 silent; w6
    is disabled (not judged)."""
    await store.directory.save_users(
        [DirectoryEntry(f"w{i}", f"w{i}@contoso.example", f"Worker {i}", "Sales" if i < 3 else "HR")
         for i in range(1, 6)] + [DirectoryEntry("w6", "w6@contoso.example", "Worker 6", "HR", enabled=False)])
    for worker_id, module_id, done in (("w1", "teams", LONG_AGO), ("w1", "outlook", LONG_AGO),
                                       ("w2", "teams", LONG_AGO), ("w3", "teams", RECENT),
                                       ("w6", "teams", LONG_AGO)):
        await store.progress.save_progress(progress(worker_id, module_id, status=ProgressStatus.DONE,
                                                    started_at=done, completed_at=done), None)
    await store.usage.save_rows([
        usage_row(DAY, "teams", "w1@contoso.example", date(2026, 11, 27), team_chat_messages=3),
        usage_row(DAY, "teams", "w2@contoso.example", None),
        usage_row(DAY, "teams", "w4@contoso.example", date(2026, 11, 20), meetings=2),
        usage_row(DAY, "teams", "w6@contoso.example", date(2026, 11, 20), meetings=2),
        usage_row(DAY, "email", "w1@contoso.example", date(2026, 11, 26), sent=4, meetings_created=0),
        usage_row(DAY, "email", "w2@contoso.example", None),
        usage_row(OLDER, "teams", "w4@contoso.example", date(2026, 10, 30), meetings=1),
    ])
    for day, workload, rows in ((OLDER, "teams", 1), (DAY, "teams", 4), (DAY, "email", 2)):
        await store.usage.record_import(UsageImport(day, workload, 30, rows, False, IMPORTED))


def figures(report) -> dict:
    teams = next(s for s in report.workloads if s.workload == "teams")
    modules = {m.module_id: (m.completed, m.evaluated, m.meeting) for m in report.modules}
    return {"teams": (teams.trained, teams.trained_active, teams.untrained, teams.untrained_active,
                      teams.tenant_users, teams.tenant_active),
            "modules": {k: modules[k] for k in ("teams", "outlook")}}


async def test_the_report_matches_hand_counts_on_every_adapter(store: Store) -> None:
    await seed(store)
    expectations = shipped()
    await prepare_adoption(store, expectations)
    report = await collect_adoption(store, expectations)
    assert report.report_date == DAY and not report.concealed
    # trained on Teams: w1, w2, w3 (w1 active); untrained: w4, w5 (w4 active); the Teams
    # report names 4 users, 3 of them active (w1, w4 and the disabled w6)
    assert figures(report) == {"teams": (3, 1, 2, 1, 4, 3),
                               "modules": {"teams": (3, 2, 1), "outlook": (1, 1, 0)}}
    assert report.trained_not_using == {"Sales": [("outlook", "Worker 1"), ("teams", "Worker 2")]}
    assert ("teams", "Worker 5") in report.untrained_not_using["HR"]
    assert ("teams", "Worker 4") not in report.untrained_not_using["HR"]
    assert (OLDER, "teams", 0.0, 50.0) in report.trend and (DAY, "teams", 33.3, 50.0) in report.trend
    assert await usage_gap_audience(store, expectations, "teams") == ["w2"]
    assert await usage_gap_audience(store, expectations, "outlook") == ["w1"]
    assert await inactive_audience(store, expectations, "email") == ["w3", "w4", "w5", "w2"]
    assert await inactive_audience(store, expectations, "onedrive") == []  # not imported


async def test_a_reimport_changes_the_figures(store: Store) -> None:
    await seed(store)
    expectations = shipped()
    await collect_adoption(store, expectations)  # whatever is stored ahead is built now
    await store.usage.save_rows([usage_row(DAY, "teams", "w2@contoso.example", date(2026, 11, 27),
                                           private_chat_messages=5)])
    report = await collect_adoption(store, expectations)
    assert figures(report)["teams"] == (3, 2, 2, 1, 4, 4)
    assert figures(report)["modules"]["teams"] == (3, 2, 2)
    assert await usage_gap_audience(store, expectations, "teams") == []


async def test_deleting_a_worker_leaves_nothing_of_them_in_the_stored_summaries(store: Store) -> None:
    await seed(store)
    expectations = shipped()
    await prepare_adoption(store, expectations)
    await store.privacy.delete_worker_data("w4")
    report = await collect_adoption(store, expectations)
    assert figures(report)["teams"] == (3, 1, 1, 0, 4, 2)  # w4's rows and entry are gone; w6 still counts
    assert all("Worker 4" not in [n for _, n in names] for names in report.untrained_not_using.values())
