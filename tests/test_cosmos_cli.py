"""`coach store rebuild-counters` and `coach report` against the local Cosmos DB API server."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from domain.models import EventKind, UsageEvent, utcnow
from cosmos_support import EMULATOR_KEY, local_cosmos_store, shared_endpoint, unique_database

pytestmark = pytest.mark.cosmos


@pytest.fixture
def cosmos_env(monkeypatch) -> str:
    database = unique_database()
    for name, value in {"STORE": "cosmos", "COSMOS_ENDPOINT": shared_endpoint(), "COSMOS_KEY": EMULATOR_KEY,
                        "COSMOS_DATABASE": database, "COSMOS_VERIFY_TLS": "false"}.items():
        monkeypatch.setenv(name, value)
    return database


async def seed(database: str) -> None:
    store = local_cosmos_store(database=database)
    await store.open()
    try:
        await store.events.record_event(UsageEvent(id="e1", kind=EventKind.EXERCISE_STUCK, worker_id="w",
                                                   module_id="teams", step_index=1, at=utcnow()))
    finally:
        await store.close()


def test_rebuild_counters_then_report(cosmos_env, capsys):
    import asyncio

    asyncio.run(seed(cosmos_env))
    assert main(["store", "rebuild-counters"]) == 0
    out = capsys.readouterr().out
    assert "rebuild-counters: stuck events: 2 pages, 1 documents" in out
    assert "counter documents written" in out
    assert main(["report", "usage", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert json.dumps(report).count('"exercises_stuck": 1') == 1


def test_rebuild_counters_needs_cosmos(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("STORE", "sqlite")
    monkeypatch.setenv("SQLITE_PATH", str(tmp_path / "coach.db"))
    assert main(["store", "rebuild-counters"]) == 2
    assert "STORE=cosmos" in capsys.readouterr().err
