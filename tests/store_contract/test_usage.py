"""The directory and the usage rows: idempotent saves, paging, purge, completions."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.store.port import Store
from domain.models import ProgressStatus
from domain.usage_records import DirectoryEntry, UsageImport

from .dataset import nov, progress, usage_row


def entry(i: int, **fields: object) -> DirectoryEntry:
    values: dict = dict(upn=f"u{i}@contoso.example", name=f"User {i}", department="Sales")
    values.update(fields)
    return DirectoryEntry(f"id-{i:03d}", **values)


async def all_users(store: Store, limit: int) -> list[DirectoryEntry]:
    found, cursor = [], None
    while True:
        page, cursor = await store.directory.users_page(cursor, limit)
        found += page
        if cursor is None:
            return found


async def all_rows(store: Store, day: date, limit: int) -> list:
    found, cursor = [], None
    while True:
        page, cursor = await store.usage.rows_page(day, cursor, limit)
        found += page
        if cursor is None:
            return found


async def test_directory_users_are_replaced_removed_and_paged(store: Store) -> None:
    await store.directory.save_users([entry(i) for i in range(7)])
    await store.directory.save_users([entry(i) for i in range(7)])  # a second full sync
    await store.directory.save_users([entry(2, department="HR", enabled=False),
                                      DirectoryEntry("id-004", removed=True),
                                      DirectoryEntry("id-new", removed=True)])
    users = await all_users(store, 3)
    assert sorted(u.id for u in users) == sorted([f"id-{i:03d}" for i in range(7)] + ["id-new"])
    got = await store.directory.get_users(["id-002", "id-004", "nobody"])
    assert set(got) == {"id-002", "id-004"}
    assert (got["id-002"].department, got["id-002"].enabled) == ("HR", False)
    assert (got["id-004"].removed, got["id-004"].upn) == (True, "u4@contoso.example")
    assert not got["id-004"].reportable


async def test_the_checkpoint_is_kept(store: Store) -> None:
    assert await store.directory.get_checkpoint() is None
    await store.directory.save_checkpoint("https://graph/next?$skiptoken=2")
    await store.directory.save_checkpoint("https://graph/delta?$deltatoken=x")
    assert await store.directory.get_checkpoint() == "https://graph/delta?$deltatoken=x"


async def test_importing_twice_doubles_nothing(store: Store) -> None:
    day = date(2026, 11, 28)
    rows = [usage_row(day, w, f"u{i}@contoso.example", date(2026, 11, 20), sent=i)
            for w in ("email", "teams") for i in range(5)]
    imported = UsageImport(day, "email", 30, 5, False, datetime(2026, 12, 1, tzinfo=timezone.utc))
    for _ in range(2):
        await store.usage.save_rows(rows)
        await store.usage.record_import(imported)
    stored = await all_rows(store, day, 3)
    assert len(stored) == 10
    assert sorted((r.workload, r.upn, r.metrics["sent"]) for r in stored) == sorted(
        (r.workload, r.upn, r.metrics["sent"]) for r in rows)
    assert await store.usage.list_imports() == [imported]
    assert await store.usage.rows_page(date(2026, 11, 27), None, 10) == ([], None)


async def test_purge_removes_old_days_only(store: Store) -> None:
    old, new = date(2025, 11, 1), date(2026, 11, 28)
    at = datetime(2026, 12, 1, tzinfo=timezone.utc)
    for day in (old, new):
        await store.usage.save_rows([usage_row(day, "teams", f"u{i}@x.example") for i in range(3)])
        await store.usage.record_import(UsageImport(day, "teams", 30, 3, False, at))
    assert await store.usage.purge_before(date(2025, 12, 1)) == 3
    assert [i.report_date for i in await store.usage.list_imports()] == [new]
    assert len(await all_rows(store, new, 10)) == 3 and await all_rows(store, old, 10) == []


async def test_deleting_a_worker_removes_their_rows_by_their_upn(store: Store) -> None:
    day = date(2026, 11, 28)
    await store.directory.save_users([entry(1), entry(2)])
    await store.usage.save_rows([usage_row(day, "teams", "u1@contoso.example"),
                                 usage_row(day, "email", "u1@contoso.example"),
                                 usage_row(day, "teams", "u2@contoso.example")])
    await store.usage.delete_for_worker("id-001")
    assert [r.upn for r in await all_rows(store, day, 10)] == ["u2@contoso.example"]
    assert await store.usage.holds_worker("id-002") and not await store.usage.holds_worker("id-001")


async def test_completions_come_in_pages_with_their_times(store: Store) -> None:
    for worker_id, module_id, done in (("w1", "teams", nov(3)), ("w1", "outlook", nov(5)),
                                       ("w2", "teams", nov(7)), ("w3", "teams", None)):
        await store.progress.save_progress(progress(
            worker_id, module_id, status=ProgressStatus.DONE if done else ProgressStatus.IN_PROGRESS,
            completed_at=done), None)
    found, cursor = [], None
    while True:
        page, cursor = await store.progress.completions_page(cursor, 2)
        found += page
        if cursor is None:
            break
    assert sorted((c.worker_id, c.module_id, c.completed_at) for c in found) == [
        ("w1", "outlook", nov(5)), ("w1", "teams", nov(3)), ("w2", "teams", nov(7))]


async def test_summaries_say_who_was_active_and_which_thresholds_they_reach(store: Store) -> None:
    from domain.adoption import Threshold

    day, older = date(2026, 11, 28), date(2026, 11, 1)
    await store.usage.save_rows([
        usage_row(day, "teams", "a@x.example", date(2026, 11, 27), team_chat_messages=3),
        usage_row(day, "teams", "b@x.example", None, team_chat_messages=0),
        usage_row(day, "email", "a@x.example", date(2026, 10, 1), sent=9),  # outside the 30 days
        usage_row(day, "email", "c@x.example", date(2026, 11, 28), sent=1, meetings_created=2),
        usage_row(older, "teams", "b@x.example", date(2026, 10, 30), meetings=1),  # not chosen
    ])
    thresholds = [Threshold("email", "sent", 2), Threshold("teams", "team_chat_messages", 1),
                  Threshold("email", "meetings_created", 1)]
    found = await store.usage.summaries([(day, "teams"), (day, "email")], thresholds)
    assert sorted(found) == [("a@x.example", 0b01, 0b011), ("b@x.example", 0b00, 0b000),
                             ("c@x.example", 0b10, 0b100)]
    assert sorted(await store.usage.summaries([(older, "teams")], [])) == [("b@x.example", 1, 0)]


async def test_one_users_rows_in_the_chosen_imports(store: Store) -> None:
    day, older = date(2026, 11, 28), date(2026, 11, 1)
    await store.usage.save_rows([usage_row(day, "teams", "a@x.example", day, meetings=2),
                                 usage_row(day, "email", "a@x.example", None),
                                 usage_row(older, "teams", "a@x.example", older, meetings=1),
                                 usage_row(day, "teams", "b@x.example", day)])
    found = await store.usage.rows_of("a@x.example", [(day, "teams"), (day, "onedrive"), (older, "email")])
    assert [(r.report_date, r.workload, r.metrics) for r in found] == [(day, "teams", {"meetings": 2})]
    assert await store.usage.rows_of("nobody@x.example", [(day, "teams")]) == []
