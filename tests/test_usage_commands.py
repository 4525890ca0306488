"""`coach directory sync`, `coach usage import`, `coach report adoption` and `coach install`
against the local Graph stand-in and a SQLite store; the adoption figures counted by hand."""

from __future__ import annotations

import asyncio

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from domain.models import ModuleProgress, ProgressStatus, Worker
from graph_standin import GraphStandIn, start, usage_csv, REPORT_HEADERS
from store_contract.dataset import at
from usage_support import DIRECTORY, FUNCTIONS, Coach, report_csvs, row


@pytest.fixture
async def standin(tmp_path: Path) -> AsyncIterator[tuple[GraphStandIn, Path]]:
    graph = GraphStandIn(users=[dict(u) for u in DIRECTORY], page_size=2)
    runner, ca_file = await start(graph, tmp_path / "tls")
    yield graph, ca_file
    await runner.cleanup()


@pytest.fixture
def coach(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, standin: tuple[GraphStandIn, Path]) -> Coach:
    return Coach(monkeypatch, tmp_path, *standin)


async def entries(coach: Coach) -> dict:
    store = coach.store()
    await store.open()
    try:
        page, _ = await store.directory.users_page(None, 100)
        return {e.id: e for e in page}
    finally:
        await store.close()


async def test_directory_sync_reads_everyone_then_only_the_changes(coach: Coach, standin) -> None:
    graph, _ = standin
    code, output = await coach("directory", "sync")
    assert code == 0, output
    assert "directory sync done (full): 5 users saved, 0 marked removed, 3 pages" in output
    first = await entries(coach)
    assert sorted(first) == ["u1", "u2", "u3", "u4", "u5"]
    assert (first["u1"].upn, first["u1"].department, first["u4"].enabled) == ("ann@contoso.example", "Sales", False)

    graph.changes = [{"id": "u2", "department": "Marketing"}, {"id": "u5", "@removed": {"reason": "deleted"}}]
    code, output = await coach("directory", "sync")
    assert code == 0, output
    assert "directory sync done (delta): 1 users saved, 1 marked removed, 1 pages" in output
    second = await entries(coach)
    assert (second["u2"].department, second["u2"].upn, second["u2"].name) == ("Marketing", "bo@contoso.example", "Bo")
    assert second["u5"].removed and second["u5"].upn == "ed@contoso.example"
    assert [c for c in graph.calls if "deltatoken" in c] and len(graph.calls) == 4


async def test_an_interrupted_sync_resumes_from_the_stored_next_link(coach: Coach, standin) -> None:
    graph, _ = standin
    store = coach.store()
    await store.open()
    await store.directory.save_checkpoint(f"{graph.base_url}/v1.0/users/delta?$skiptoken=1")
    await store.close()
    code, output = await coach("directory", "sync")
    assert code == 0, output
    assert "directory sync done (resumed): 3 users saved" in output
    assert sorted(await entries(coach)) == ["u3", "u4", "u5"]  # pages 1 and 2 only


async def load_graph_reports(graph: GraphStandIn, **options: object) -> None:
    graph.reports = {FUNCTIONS[w]: text for w, text in report_csvs(**options).items()}  # type: ignore[arg-type]


async def completed(coach: Coach) -> None:
    """Ann completed teams and outlook long ago, Bo teams; Cy teams three days before the report."""
    store = coach.store()
    await store.open()
    for worker_id, module_id, day in (("u1", "teams", at(2026, 10, 1)), ("u1", "outlook", at(2026, 10, 1)),
                                      ("u2", "teams", at(2026, 10, 1)), ("u3", "teams", at(2026, 11, 25))):
        await store.progress.save_progress(ModuleProgress(
            worker_id=worker_id, module_id=module_id, status=ProgressStatus.DONE, started_at=day,
            updated_at=day, completed_at=day, minutes_to_complete=10), None)
    await store.close()


async def test_usage_import_twice_doubles_nothing_and_the_report_matches_hand_counts(coach: Coach, standin,
                                                                                    tmp_path: Path) -> None:
    graph, _ = standin
    await load_graph_reports(graph)
    graph.throttle_first[FUNCTIONS["teams"]] = 0  # a 429 first, with Retry-After
    assert (await coach("directory", "sync"))[0] == 0
    await completed(coach)
    for _ in range(2):
        code, output = await coach("usage", "import", "--period", "D30")
        assert code == 0, output
        await load_graph_reports(graph)
    assert "imported getTeamsUserActivityUserDetail: teams, report date 2026-11-28, 5 rows" in output
    assert graph.calls.count(f"report:{FUNCTIONS['teams']}(period='D30')") == 3  # 429, then once per import
    store = coach.store()
    await store.open()
    imports = await store.usage.list_imports()
    rows, _ = await store.usage.rows_page(date(2026, 11, 28), None, 100)
    await store.close()
    assert sorted((i.workload, i.rows) for i in imports) == [("apps", 1), ("email", 2), ("teams", 5)]
    assert len(rows) == 8

    report = await coach.json_report(tmp_path)
    assert (report["report_date"], report["concealed"], report["notice"]) == ("2026-11-28", False, None)
    shares = {w["workload"]: w for w in report["tables"]["workloads"]}
    # workers: Ann, Bo, Cy, Ed (Di is disabled). teams: trained Ann, Bo, Cy (active: Ann, Cy),
    # untrained Ed (silent); in the report 5 rows, active Ann, Cy, Di, the outsider.
    # email: trained Ann (active), untrained Bo, Cy, Ed (none active)
    assert [shares["teams"][k] for k in ("trained", "trained_active", "trained_share", "untrained",
                                         "untrained_active", "tenant_users", "tenant_active")] == [3, 2, 0.667, 1, 0, 5, 4]
    assert [shares["email"][k] for k in ("trained", "trained_active", "untrained", "untrained_active",
                                         "untrained_share")] == [1, 1, 3, 0, 0.0]
    modules = {m["module_id"]: m for m in report["tables"]["modules"]}
    assert [modules["teams"][k] for k in ("completed", "evaluated", "meeting", "meeting_rate")] == [3, 2, 1, 0.5]
    assert [modules["outlook"][k] for k in ("completed", "evaluated", "meeting")] == [1, 1, 0]
    trained = [(r["department"], r["module_id"], r["name"]) for r in report["tables"]["trained_not_using"]]
    assert trained == [("Sales", "outlook", "Ann"), ("Sales", "teams", "Bo")]
    untrained = [(r["department"], r["module_id"], r["name"]) for r in report["tables"]["untrained_not_using"]]
    assert untrained == [("HR", "outlook", "Cy"), ("HR", "sharepoint-onedrive", "Cy"),
                         ("HR", "sensitivity-labels", "Cy"), ("HR", "teams", "Ed"), ("HR", "outlook", "Ed"),
                         ("HR", "sharepoint-onedrive", "Ed"), ("HR", "sensitivity-labels", "Ed"),
                         ("Sales", "sharepoint-onedrive", "Ann"),
                         ("Sales", "outlook", "Bo"), ("Sales", "sharepoint-onedrive", "Bo"),
                         ("Sales", "sensitivity-labels", "Bo")]

    code, table = await coach("report", "adoption")
    assert code == 0 and "Trained but not using it" in table and "66.7 %" in table


async def test_csv_import_knows_files_by_their_columns_and_adds_to_the_trend(coach: Coach, standin,
                                                                             tmp_path: Path) -> None:
    graph, _ = standin
    await load_graph_reports(graph)
    assert (await coach("directory", "sync"))[0] == 0
    await completed(coach)
    folder = tmp_path / "exports"
    folder.mkdir()
    names = {"teams": "TeamsUserActivityUserDetail11_28_2026 (2).csv", "email": "export.CSV",
             "apps": "Microsoft365AppsUsage.csv", "onedrive": "SharePointSiteUsage.csv", "sharepoint": "b.csv"}
    for workload, text in report_csvs(extra_column=True).items():
        (folder / names[workload]).write_text(text, encoding="utf-8")
    older = usage_csv(REPORT_HEADERS["teams"], [row("teams", {
        "Report Refresh Date": "2026-11-01", "User Principal Name": "cy@contoso.example",
        "Last Activity Date": "2026-10-30", "Meeting Count": 1})], bom=False)
    (folder / "teams-october.csv").write_text(older, encoding="utf-8")
    (folder / "contacts.csv").write_text("Name,Email\nAnn,ann@contoso.example\n", encoding="utf-8")
    (folder / "readme.txt").write_text("not a csv", encoding="utf-8")

    for _ in range(2):
        code, output = await coach("usage", "import", "--from-csv", str(folder))
        assert code == 0, output
    assert "skipped contacts.csv: the columns match no Microsoft 365 usage report" in output
    assert f"imported {names['onedrive']}: onedrive, report date -, 0 rows" in output
    assert "imported teams-october.csv: teams, report date 2026-11-01, 1 rows" in output
    report = await coach.json_report(tmp_path)
    assert {w["workload"]: w["tenant_users"] for w in report["tables"]["workloads"]}["teams"] == 5
    teams_trend = [(t["report_date"], t["trained_share"]) for t in report["tables"]["trend"] if t["workload"] == "teams"]
    assert teams_trend == [("2026-11-01", 0.333), ("2026-11-28", 0.667)]  # Cy of three; Ann and Cy


async def test_concealed_names_are_explained_and_tenant_figures_still_shown(coach: Coach, standin,
                                                                          tmp_path: Path) -> None:
    graph, _ = standin
    hashed = ["554630B7593DDE8E04F27933A965D5B2", "2BA57CC6348F53C9EE6347528301E896", "0F1E2D3C4B5A69788796A5B4C3D2E1F0"]
    graph.reports = {FUNCTIONS[w]: usage_csv(REPORT_HEADERS[w], []) for w in FUNCTIONS}
    graph.reports[FUNCTIONS["teams"]] = usage_csv(REPORT_HEADERS["teams"], [
        row("teams", {"User Principal Name": h, "Last Activity Date": "2026-11-27" if i else ""})
        for i, h in enumerate(hashed)])
    assert (await coach("directory", "sync"))[0] == 0
    await completed(coach)
    code, output = await coach("usage", "import", "--date", "2026-11-28")
    assert code == 0, output
    assert "teams, report date 2026-11-28, 3 rows, names concealed" in output
    assert "Microsoft 365 admin center > Settings > Org settings > Reports" in output
    assert f"report:{FUNCTIONS['email']}(date=2026-11-28)" in graph.calls
    report = await coach.json_report(tmp_path)
    assert report["concealed"] is True and "Org settings > Reports" in report["notice"]
    teams = next(w for w in report["tables"]["workloads"] if w["workload"] == "teams")
    assert (teams["tenant_users"], teams["tenant_active"], teams["trained"], teams["trained_share"]) == (3, 2, 0, None)
    assert report["tables"]["trained_not_using"] == [] and report["tables"]["untrained_not_using"] == []
    assert next(m for m in report["tables"]["modules"] if m["module_id"] == "teams")["completed"] == 3


async def bot_receives_install_event(coach: Coach, user_id: str) -> None:
    """What `coach serve` stores on an installationUpdate: the worker and their conversation."""
    store = coach.store()
    await store.open()
    await store.workers.register_worker(Worker(id=user_id, tenant_id="t", name="New", conversation={
        "conversation": {"id": f"a:{user_id}", "tenantId": "t"}, "serviceUrl": "https://smba.example"}))
    await store.close()


async def test_install_reaches_who_the_bot_cannot_and_says_why_not(coach: Coach, standin) -> None:
    graph, _ = standin
    graph.installed, graph.install_blocked = {"u2"}, {"u3"}
    assert (await coach("directory", "sync"))[0] == 0
    store = coach.store()
    await store.open()
    await store.workers.register_worker(Worker(id="u1", tenant_id="t", name="Ann"))
    await store.close()

    code, output = await coach("install", "--audience", "all", "--dry-run")
    assert code == 0, output
    assert "audience all: 3 to install, 1 already reachable (dry run: nothing installed)" in output
    assert graph.installs == []
    code, output = await coach("install", "--audience", "department:sales", "--dry-run")
    assert "would install for bo@contoso.example (Sales)" in output and "cy@" not in output

    # Teams tells the bot of a new install a moment later; the bot stores the conversation
    graph.on_install = lambda user_id: asyncio.get_running_loop().call_later(
        0.5, lambda: asyncio.ensure_future(bot_receives_install_event(coach, user_id)))
    code, output = await coach("install", "--audience", "all", "--per-second", "50", "--wait", "3")
    assert code == 1, output  # someone could not be installed, someone not reached
    assert "installed 1, already installed 1, failed 1; reachable now 1 of 2" in output
    assert "waiting up to 3 s for the install events of 2 users" in output
    assert "install events: 0 of 2 reachable (0 s)" in output
    assert "could not install for cy@contoso.example: refused (403): an app permission policy" in output
    assert "still not reachable: bo@contoso.example: the app was installed already, but the bot has no conversation" in output
    assert "ed@contoso.example" not in output.split("reachable now")[1]  # reached through the event
    assert sorted(u for u, _ in graph.installs) == ["u2", "u3", "u5"]
    assert graph.installs[0][1].endswith("/v1.0/appCatalogs/teamsApps/catalog-app-1")


async def test_bad_input_gets_a_clear_message(coach: Coach, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = await coach("usage", "import", "--date", "28-11-2026")
    assert code == 2 and "is not a date: use YYYY-MM-DD" in output
    code, output = await coach("usage", "import", "--from-csv", str(tmp_path / "missing"))
    assert code == 2 and "no folder at" in output
    code, output = await coach("install", "--audience", "everyone")
    assert code == 2 and "is not an audience" in output
    code, output = await coach("install", "--audience", "all", "--wait", "soon")
    assert code == 2 and "'soon' is not a number of seconds from 0 to 86400" in output
    monkeypatch.setenv("GRAPH_CLIENT_SECRET", "wrong-secret")
    code, output = await coach("directory", "sync")
    assert code == 1 and "cannot get a Graph token" in output and "wrong-secret" not in output
    monkeypatch.setenv("GRAPH_BASE_URL", "http://graph.example/v1.0")
    code, output = await coach("directory", "sync")
    assert code == 2 and "graph_base_url" in output and "Traceback" not in output
