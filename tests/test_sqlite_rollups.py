"""The rollups of migration 10 (bot/store/sqlite_rollups.py) after every kind of write the bot
makes — new progress, steps, completion, a move back to in progress, a retried save that lost
its race, usage events (also a duplicate id), "delete my data", the retention purge — hold
exactly what a recount from the source rows gives (the migration's own backfill queries), and
an upgraded database gets them filled from its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store.port import ConcurrencyConflict
from bot.store.sqlite import SqliteStore
from bot.store.sqlite_migrations import migrate
from bot.store.sqlite_rollups import ROLLUP_BACKFILL
from domain.models import EventKind, ProgressStatus, UsageEvent
from campaign_support import store  # noqa: F401  (the SQLite fixture)
from store_contract.dataset import load_report_dataset, nov, progress

ROLLUPS = {"progress_days": "day, module_id, locale, started, started_done, completed",
           "trained_workers": "worker_id, first_done_at", "worker_last_event": "worker_id, last_at"}


def rollups(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {table: [tuple(row) for row in conn.execute(f"SELECT {columns} FROM {table} WHERE {_nonzero(table)} ORDER BY 1, 2, 3"
                                if table == "progress_days" else
                                f"SELECT {columns} FROM {table} ORDER BY 1")]
            for table, columns in ROLLUPS.items()}


def _nonzero(table: str) -> str:
    return "started != 0 OR started_done != 0 OR completed != 0"


def recounted(path: Path) -> dict[str, list[tuple]]:
    """The rollups computed again from the rows, in a copy of the database."""
    copy = sqlite3.connect(":memory:")
    sqlite3.connect(path).backup(copy)
    for table in ROLLUPS:
        copy.execute(f"DELETE FROM {table}")
    for statement in ROLLUP_BACKFILL:
        copy.execute(statement)
    return rollups(copy)


def event(event_id: str, worker_id: str, day: int) -> UsageEvent:
    return UsageEvent(id=event_id, kind=EventKind.STEP_VIEWED, worker_id=worker_id, module_id="outlook",
                      step_index=0, locale="en", at=nov(day))


async def test_the_rollups_follow_every_write(store: SqliteStore) -> None:
    await load_report_dataset(store)
    conn = store._db.conn
    assert rollups(conn) == recounted(store.path) and rollups(conn)["progress_days"]

    going = await store.progress.save_progress(progress(
        "r1", "outlook", locale="sv", status=ProgressStatus.IN_PROGRESS, started_at=nov(3), updated_at=nov(3)), None)
    step = await store.progress.save_progress(going.model_copy(update={"step_index": 2}), going.version)
    done = await store.progress.save_progress(step.model_copy(update={
        "status": ProgressStatus.DONE, "completed_at": nov(5), "minutes_to_complete": 9}), step.version)
    with pytest.raises(ConcurrencyConflict):  # a retry of the step save that lost its race: no change
        await store.progress.save_progress(going.model_copy(update={"step_index": 2}), going.version)
    assert conn.execute("SELECT first_done_at FROM trained_workers WHERE worker_id = 'r1'").fetchone()[0] \
        .startswith("2026-11-05")
    await store.progress.save_progress(done.model_copy(update={   # started over in another language
        "status": ProgressStatus.IN_PROGRESS, "completed_at": None, "locale": "nl"}), done.version)
    assert rollups(conn) == recounted(store.path)
    assert conn.execute("SELECT COUNT(*) FROM trained_workers WHERE worker_id = 'r1'").fetchone()[0] == 0

    assert await store.events.record_event(event("re1", "r1", 20))
    assert not await store.events.record_event(event("re1", "r1", 20))  # a retried event is ignored
    assert await store.events.record_event(event("re2", "r1", 8))
    assert conn.execute("SELECT last_at FROM worker_last_event WHERE worker_id = 'r1'").fetchone()[0] \
        .startswith("2026-11-20")
    await store.events.purge_events_before(nov(10))
    assert rollups(conn) == recounted(store.path)

    trained = [row[0] for row in conn.execute("SELECT worker_id FROM trained_workers")]
    for worker_id in (*trained, "r1"):
        await store.privacy.delete_worker_data(worker_id)
    assert rollups(conn) == recounted(store.path)
    assert conn.execute("SELECT COUNT(*) FROM trained_workers").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM worker_last_event WHERE worker_id = 'r1'").fetchone()[0] == 0


async def test_an_upgraded_database_gets_its_rollups_from_its_rows(store: SqliteStore) -> None:
    await load_report_dataset(store)
    conn = store._db.conn
    expected = rollups(conn)
    await store.close()
    old = sqlite3.connect(store.path, isolation_level=None)
    for name in ("progress_rollup_insert", "progress_rollup_delete", "progress_rollup_update",
                 "events_last_insert", "events_last_delete", "events_last_update"):
        old.execute(f"DROP TRIGGER {name}")
    for table in ROLLUPS:
        old.execute(f"DROP TABLE {table}")
    for table in ("usage_summary", "usage_summary_sets"):  # migration 11, after the rollups
        old.execute(f"DROP TABLE {table}")
    old.execute("PRAGMA user_version = 9")  # as a database from before the rollups
    assert migrate(old) == [10, 11]
    assert rollups(old) == expected
    old.close()
    await store.open()
