"""The overview's cache (bot/web/overview_cache.py): on SQLite the same overview is computed
once while nothing is written, and again after any write — a turn's, or another process's —
and after TTL_SECONDS; stores without a data version are asked every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from bot.store import sqlite_dashboard
from bot.store.sqlite import SqliteStore
from bot.web.overview_cache import OverviewCache
from dashboard_seed import seed_dashboard
from domain.models import FeedbackCategory
from store_contract.dataset import feedback, nov

NOVEMBER = "/api/admin/overview?since=2026-11-01&until=2026-11-30"


@pytest.fixture
async def local(tmp_path: Path, monkeypatch):
    store = SqliteStore(tmp_path / "coach.db")
    await store.open()
    await seed_dashboard(store)
    computed: list[int] = []
    original = sqlite_dashboard.counts

    def counted(*args):
        computed.append(1)
        return original(*args)
    monkeypatch.setattr(sqlite_dashboard, "counts", counted)
    app = create_app(Settings(anonymous=True, store="sqlite"), store=store, jobs=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client, store, computed
    await store.close()


async def open_feedback(client: TestClient) -> int:
    response = await client.get(NOVEMBER)
    assert response.status == 200
    return (await response.json())["tables"]["figures"][0]["open_feedback"]


async def test_a_write_makes_the_next_overview_count_again(local) -> None:
    client, store, computed = local
    assert await open_feedback(client) == 2
    assert await open_feedback(client) == 2
    assert len(computed) == 1  # the second call was the first one's figures
    assert await store.feedback.add_feedback(feedback("f9", "w1", "outlook", 3, FeedbackCategory.APP, "en", nov(20)))
    assert await open_feedback(client) == 3
    assert len(computed) == 2
    other = SqliteStore(store.path)  # another process's write counts as well
    await other.open()
    assert await other.feedback.add_feedback(feedback("f10", None, None, 1, FeedbackCategory.APP, "en", nov(21)))
    await other.close()
    assert await open_feedback(client) == 4
    assert len(computed) == 3
    await client.get("/api/admin/overview")  # another filter is another entry
    assert len(computed) == 4


async def test_entries_expire_and_stores_without_a_version_are_always_asked() -> None:
    now = [0.0]
    cache = OverviewCache(ttl=30.0, entries=2, clock=lambda: now[0])
    answers = iter(range(100))

    async def compute() -> int:
        return next(answers)

    async def version() -> int:
        return 7
    assert [await cache.get(version, "a", compute) for _ in range(2)] == [0, 0]
    now[0] = 31.0
    assert await cache.get(version, "a", compute) == 1
    assert [await cache.get(None, "a", compute) for _ in range(2)] == [2, 3]
    await cache.get(version, "b", compute)
    await cache.get(version, "c", compute)  # "a" is the least recently used of three: dropped
    assert await cache.get(version, "a", compute) == 6
