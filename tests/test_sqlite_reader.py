"""SQLite reports run on a second, read-only connection in its own thread (bot/store/sqlite_reader.py),
so a heavy report never holds the event loop that serves chat turns."""

from __future__ import annotations

import threading

import pytest

from bot.store import sqlite_dashboard, sqlite_reports
from bot.store.port import StoreUnavailable
from domain.reports import ReportFilter
from campaign_support import store  # noqa: F401  (the SQLite fixture)
from store_contract.dataset import worker


async def test_report_and_dashboard_facts_run_outside_the_event_loop_thread(store, monkeypatch) -> None:
    threads: list[str] = []
    for module, name in ((sqlite_reports, "cohort"), (sqlite_dashboard, "counts")):
        original = getattr(module, name)

        def spy(*args, _original=original):
            threads.append(threading.current_thread().name)
            return _original(*args)
        monkeypatch.setattr(module, name, spy)
    await store.reports.usage_report(ReportFilter())
    await store.dashboard.counts(ReportFilter(), ReportFilter())
    assert len(threads) == 2
    assert all(name.startswith("sqlite-reader") for name in threads)
    assert threading.current_thread().name not in threads


async def test_one_snapshot_sees_one_state_while_the_main_connection_writes(store) -> None:
    reader = store._reader
    count = lambda conn: conn.execute("SELECT COUNT(*) FROM workers").fetchone()[0]  # noqa: E731
    async with reader.snapshot():
        before = await reader.read("count", count)
        await store.workers.register_worker(worker("w1"))  # committed on the main connection
        inside = await reader.read("count", count)
    after = await reader.read("count", count)
    assert (before, inside, after) == (0, 0, 1)


async def test_the_reader_cannot_write(store) -> None:
    with pytest.raises(StoreUnavailable, match="SQLite store unavailable"):
        await store._reader.read("write", lambda conn: conn.execute("DELETE FROM workers"))


async def test_the_reader_reopens_after_the_store_is_closed_and_opened(store) -> None:
    await store.workers.register_worker(worker("w1"))
    assert (await store.dashboard.counts(ReportFilter(), ReportFilter())).installed == 1
    await store.close()
    await store.open()
    assert (await store.dashboard.counts(ReportFilter(), ReportFilter())).installed == 1
