"""The dashboard in headless Chromium, served by this test's own app (anonymous local mode, so
the local user is an admin) over a seeded SQLite store: the overview renders its figures and
charts, light, dark and high-contrast screenshots land in test-artifacts/, axe-core finds no
serious or critical issue, and what workers typed shows as text, never as markup."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.settings import Settings
from bot.store.sqlite import SqliteStore
from bot.web.assets import Assets
from domain.usage_records import DirectoryEntry, UsageImport, UsageRecord

from .playground import ARTIFACTS, ROOT
from .test_browser import require_chromium

sys.path.insert(0, str(ROOT / "tests"))
from dashboard_seed import EVIL_LINK, EVIL_NAME, EVIL_SCRIPT, FORMULA, seed_dashboard  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
DRIVER = Path(__file__).with_name("dashboard_driver.mjs")
THEMES = ("default", "dark", "contrast")
TABS = [{"label": "Workers", "page": "workers"}, {"label": "Feedback", "page": "feedback"},
        {"label": "Adoption", "page": "adoption"}]


async def seed_adoption(store: SqliteStore) -> None:
    """A usage import and directory users, one named like a script: the Adoption page's lists."""
    day = date(2026, 11, 28)
    await store.directory.save_users([DirectoryEntry("d1", "d1@contoso.example", EVIL_NAME, "Sales"),
                                      DirectoryEntry("d2", "d2@contoso.example", "Dana", "HR")])
    await store.usage.save_rows([UsageRecord(day, "teams", "d2@contoso.example", day, 30, {"meetings": 2})])
    await store.usage.record_import(UsageImport(day, "teams", 30, 1, False, datetime(2026, 12, 1, tzinfo=timezone.utc)))


async def test_the_dashboard_renders_live_data_accessibly_in_every_theme(tmp_path: Path) -> None:
    chromium = require_chromium()
    node = shutil.which("node")
    assert node, "Node.js is not on PATH"
    store = SqliteStore(tmp_path / "coach.db")
    await store.open()
    await seed_dashboard(store)
    await seed_adoption(store)
    server = TestServer(create_app(Settings(anonymous=True, store="sqlite", sqlite_path=store.path),
                                   store=store, jobs=False), host="127.0.0.1")
    await server.start_server()
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        job = {"url": str(server.make_url("/dashboard")), "query": "since=2026-11-01&until=2026-11-30",
               "chromium": str(chromium),
               "userDataDir": str(tmp_path / "profile"), "artifacts": str(ARTIFACTS),
               "axeUrl": str(server.make_url(Assets().urls["axe-core"])), "tabs": TABS}
        run = await asyncio.to_thread(
            subprocess.run, [node, str(DRIVER), json.dumps(job)], cwd=ROOT, capture_output=True, text=True,
            timeout=180)
    finally:
        await server.close()
    (ARTIFACTS / "dashboard-driver.log").write_text(f"exit {run.returncode}\n{run.stdout}\n{run.stderr}")
    lines = run.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"ok": False}
    assert run.returncode == 0 and result["ok"], f"{result.get('error')}\nstderr:\n{run.stderr[-3000:]}"

    assert result["errors"] == []  # no script error and no CSP violation in any theme
    assert result["charts"] == 2  # weekly trend and completion per module
    assert result["figures"] == ["4\nWorkers installed", "5\nActive workers", "2\nWorkers trained",
                                 "60%\nQuiz pass rate", "2\nOpen feedback"]
    serious = {view: [v for v in found if v["impact"] in ("serious", "critical")]
               for view, found in result["axe"].items()}
    assert set(serious) == {*THEMES, "workers", "feedback", "adoption"}
    assert serious == {view: [] for view in serious}
    foreground = {theme: colours[0] for theme, colours in result["theme"].items()}
    assert len(set(foreground.values())) >= 2  # the themes really differ
    assert EVIL_NAME in result["tables"]["workers"] and FORMULA in result["tables"]["workers"]
    assert {EVIL_LINK, EVIL_SCRIPT} <= set(result["tables"]["feedback"])
    assert EVIL_NAME in result["tables"]["adoption"] and "Dana" in result["tables"]["adoption"]
    assert (result["links"], result["images"]) == (0, 0)  # no markup made it into the page
    for theme in THEMES:
        assert (ARTIFACTS / f"dashboard-{theme}.png").stat().st_size > 10_000
    await store.close()
