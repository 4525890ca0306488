"""Where the jobs run: inside `coach serve` by default, or alone in `coach jobs`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from job_support import eventually
from domain.jobs import RunOutcome
from bot.app import create_app
from bot.cli import main
from bot.settings import Settings
from bot.store.memory import MemoryStore
from bot.store.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parent.parent


async def test_the_web_app_runs_the_jobs_and_stops_them_with_itself() -> None:
    store = MemoryStore()
    client = TestClient(TestServer(create_app(Settings(anonymous=True), store=store),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        last = await eventually(lambda: store.job_runs.last_run("retention"),
                                until=lambda run: run is not None and run.ended_at is not None)
    finally:
        await client.close()

    assert last.outcome == RunOutcome.OK
    assert await store.leases.get_lease("retention") is None


def test_jobs_once_runs_the_due_jobs_and_exits(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "coach.db"
    monkeypatch.setenv("STORE", "sqlite")
    monkeypatch.setenv("SQLITE_PATH", str(path))

    assert main(["jobs", "--once"]) == 0

    last = asyncio.run(last_run(path))
    assert last is not None and last.outcome == RunOutcome.OK


def test_jobs_names_a_store_it_cannot_open(monkeypatch, capsys) -> None:
    monkeypatch.setenv("STORE", "cosmos")
    monkeypatch.setenv("COSMOS_ENDPOINT", "")

    assert main(["jobs", "--once"]) == 2
    assert "cannot open the cosmos store" in capsys.readouterr().err


def test_jobs_names_an_invalid_org_profile(tmp_path: Path, monkeypatch, capsys) -> None:
    profile = tmp_path / "org.yaml"
    profile.write_text("helpdesk: [1, 2\n", encoding="utf-8")
    monkeypatch.setenv("STORE", "sqlite")
    monkeypatch.setenv("SQLITE_PATH", str(tmp_path / "coach.db"))
    monkeypatch.setenv("ORG_PROFILE", str(profile))

    assert main(["jobs", "--once"]) == 2
    err = capsys.readouterr().err
    assert "ORG_PROFILE is not valid" in err and "Traceback" not in err


async def last_run(path: Path):
    store = SqliteStore(path)
    await store.open()
    try:
        return await store.job_runs.last_run("retention")
    finally:
        await store.close()


async def test_coach_jobs_runs_until_sigterm_then_stops_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    env = {**os.environ, "STORE": "sqlite", "SQLITE_PATH": str(path)}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        await eventually(lambda: path.exists(), tries=2000)
        last = await eventually(lambda: last_run(path), tries=2000,
                                until=lambda run: run is not None and run.ended_at is not None)
        assert process.poll() is None  # done with the run, waiting for the next
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, output
    assert last.outcome == RunOutcome.OK
    assert "stopped" in output and "Traceback" not in output
    store = SqliteStore(path)
    await store.open()
    try:
        assert await store.leases.get_lease("retention") is None
    finally:
        await store.close()


async def test_the_web_app_sends_a_due_campaign_through_the_bots_messenger(tmp_path,
                                                                          connector) -> None:
    from campaign_support import TENANT, scheduled_campaign
    from conftest import activity
    from domain.campaigns import CampaignState
    from jobs.campaign_sender import tenant_lease

    store = SqliteStore(tmp_path / "coach.db")
    client = TestClient(TestServer(create_app(Settings(anonymous=True), store=store),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.post("/api/messages", json=activity(
            connector.url, type="message", text="menu", id="hi"))).status == 202
        connector.sent.clear()
        await scheduled_campaign(store)  # due now: the app's sender starts and sends it

        def campaign_cards() -> list[dict]:
            return [a["content"] for sent in connector.sent for a in sent.get("attachments", [])
                    if any((act.get("data") or {}).get("campaign") == "camp-1"
                           for act in a["content"].get("actions", []))]
        [card] = await eventually(campaign_cards, tries=3000)
        sent = await eventually(lambda: store.campaigns.get_campaign("camp-1"), tries=3000,
                                until=lambda c: c.state is CampaignState.SENT)
        assert sent.state is CampaignState.SENT
        assert connector.sent[0]["conversation"]["id"] == "conv-1"  # the worker's own chat
    finally:
        await client.close()
    reopened = SqliteStore(tmp_path / "coach.db")
    await reopened.open()
    try:
        assert await reopened.leases.get_lease(tenant_lease(TENANT)) is None  # released
    finally:
        await reopened.close()
