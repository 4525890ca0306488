"""The stand-in Graph plus a SQLite store, and `coach` run in-process (in a thread, so the
stand-in keeps serving on the test's loop) with the Graph settings pointing at it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.store.sqlite import SqliteStore
from graph_standin import CLIENT_ID, CLIENT_SECRET, REPORT_HEADERS, TENANT, GraphStandIn, usage_csv

DAY = "2026-11-28"
FUNCTIONS = {"teams": "getTeamsUserActivityUserDetail", "onedrive": "getOneDriveActivityUserDetail",
             "sharepoint": "getSharePointActivityUserDetail", "email": "getEmailActivityUserDetail",
             "apps": "getM365AppUserDetail"}


def user(i: int, upn: str, name: str, department: str, enabled: bool = True) -> dict[str, Any]:
    return {"id": f"u{i}", "userPrincipalName": upn, "displayName": name, "department": department,
            "officeLocation": "Remote", "country": "SE", "preferredLanguage": "sv-SE",
            "accountEnabled": enabled}


DIRECTORY = [user(1, "Ann@Contoso.example", "Ann", "Sales"), user(2, "bo@contoso.example", "Bo", "Sales"),
             user(3, "cy@contoso.example", "Cy", "HR"), user(4, "di@contoso.example", "Di", "HR", enabled=False),
             user(5, "ed@contoso.example", "Ed", "HR")]


def row(workload: str, values: dict[str, object]) -> list[object]:
    """A CSV row in the report's column order; unnamed columns empty or 0."""
    defaults = {"Report Refresh Date": DAY, "Is Deleted": "False", "Report Period": 30}
    return [values.get(c, defaults.get(c, "0" if c.endswith("Count") else "")) for c in REPORT_HEADERS[workload]]


def report_csvs(day: str = DAY, extra_column: bool = False) -> dict[str, str]:
    """Hand-made reports. Teams: Ann chats (3), Bo silent, Cy met (1), Di and an outsider active.
    Email: Ann sent 4, created no meeting; Bo nothing. Apps: Ann uses Word."""
    people = {
        "teams": [{"User Principal Name": "ann@contoso.example", "Last Activity Date": "2026-11-27",
                   "Team Chat Message Count": 3},
                  {"User Principal Name": "bo@contoso.example"},
                  {"User Principal Name": "cy@contoso.example", "Last Activity Date": "2026-11-20", "Meeting Count": 1},
                  {"User Principal Name": "di@contoso.example", "Last Activity Date": "2026-11-21", "Call Count": 2},
                  {"User Principal Name": "outsider@contoso.example", "Last Activity Date": "2026-11-02",
                   "Private Chat Message Count": 1}],
        "email": [{"User Principal Name": "ann@contoso.example", "Last Activity Date": "2026-11-26", "Send Count": 4},
                  {"User Principal Name": "bo@contoso.example"}],
        "apps": [{"User Principal Name": "ann@contoso.example", "Last Activity Date": "2026-11-26", "Word": "Yes"}],
        "onedrive": [], "sharepoint": [],
    }
    csvs = {}
    for workload, rows in people.items():
        header = REPORT_HEADERS[workload] + (["Some Column Added Later"] if extra_column else [])
        body = [row(workload, {"Report Refresh Date": day, **r}) + (["x"] if extra_column else []) for r in rows]
        csvs[workload] = usage_csv(header, body)
    return csvs


class Coach:
    """`coach ...` in a thread with this test's settings; returns (exit code, output)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, standin: GraphStandIn, ca_file: Path):
        self.db = tmp_path / "coach.db"
        monkeypatch.chdir(tmp_path)  # no .env of the developer's
        for name, value in {"STORE": "sqlite", "SQLITE_PATH": str(self.db), "GRAPH_TENANT_ID": TENANT,
                            "GRAPH_CLIENT_ID": CLIENT_ID, "GRAPH_CLIENT_SECRET": CLIENT_SECRET,
                            "GRAPH_AUTHORITY_HOST": standin.base_url,
                            "GRAPH_BASE_URL": f"{standin.base_url}/v1.0", "GRAPH_CA_FILE": str(ca_file),
                            "TEAMS_CATALOG_APP_ID": "catalog-app-1"}.items():
            monkeypatch.setenv(name, value)

    async def __call__(self, *argv: str) -> tuple[int, str]:
        out = io.StringIO()

        def run() -> int:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                try:
                    return main(list(argv))
                except SystemExit as exc:
                    return int(exc.code or 0) if not isinstance(exc.code, str) else (print(exc.code) or 2)
        code = await asyncio.to_thread(run)
        return code, out.getvalue()

    async def json_report(self, tmp_path: Path) -> dict[str, Any]:
        target = tmp_path / "adoption.json"
        code, output = await self("report", "adoption", "--format", "json", "--out", str(target))
        assert code == 0, output
        return json.loads(target.read_text(encoding="utf-8"))

    def store(self) -> SqliteStore:
        return SqliteStore(self.db)
