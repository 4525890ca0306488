"""What only the SQLite adapter has: a file, migrations, pragmas, and sqlite3 errors mapped."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from domain.models import EventKind, UsageEvent
from domain.reports import ReportFilter
from bot.settings import Settings
from bot.store.factory import create_store
from bot.store.memory import MemoryStore
from bot.store.port import StoreUnavailable
from bot.store.sqlite import SqliteStore
from bot.store.sqlite_migrations import LATEST_VERSION, MIGRATIONS, migrate
from store_contract.dataset import load_report_dataset

NOV_9 = datetime(2026, 11, 9, 12, tzinfo=timezone.utc)


def stuck_event(event_id: str = "e1") -> UsageEvent:
    return UsageEvent(id=event_id, kind=EventKind.EXERCISE_STUCK, worker_id="w1",
                      module_id="outlook", at=NOV_9)


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def names(path: Path, kind: str) -> set[str]:
    with raw(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = ?", (kind,))
        return {name for (name,) in rows if not name.startswith("sqlite_")}


def user_version(path: Path) -> int:
    with raw(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "data" / "coach.db")
    await opened.open()
    yield opened
    await opened.close()


async def stuck_count(store: SqliteStore) -> int:
    report = await store.reports.usage_report(ReportFilter())
    return sum(m.exercises_stuck for m in report.modules)


# --- file, pragmas, migrations -----------------------------------------------------------------

async def test_open_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "coach.db"
    store = SqliteStore(path)

    await store.open()
    await store.close()

    assert path.is_file()
    assert user_version(path) == LATEST_VERSION
    assert {"workers", "progress", "events", "attempts", "answers", "feedback"} <= names(path, "table")


async def test_pragmas_are_set(store: SqliteStore) -> None:
    conn = store._db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    with raw(store.path) as other:  # WAL is a property of the file, not just our connection
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_reopen_migrates_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    first = SqliteStore(path)
    await first.open()
    await first.events.record_event(stuck_event())
    await first.close()
    schema_before = names(path, "table") | names(path, "index")

    second = SqliteStore(path)
    await second.open()
    try:
        assert migrate(second._db.conn) == []
        assert names(path, "table") | names(path, "index") == schema_before
        assert user_version(path) == LATEST_VERSION
        assert await stuck_count(second) == 1
        assert await second.events.record_event(stuck_event()) is False
    finally:
        await second.close()


async def test_an_old_database_is_upgraded_on_open(tmp_path: Path) -> None:
    assert LATEST_VERSION >= 2
    path = tmp_path / "coach.db"
    with raw(path) as conn:
        assert migrate(conn, target=1) == [1]
        conn.execute("INSERT INTO events (id, kind, worker_id, module_id, step_index, locale, at) "
                     "VALUES ('old', 'exercise_stuck', 'w1', 'outlook', 1, 'en', "
                     "'2026-11-09T08:00:00.000000Z')")
    assert user_version(path) == 1
    assert "idx_events_kind_at" not in names(path, "index")

    store = SqliteStore(path)
    await store.open()
    try:
        assert user_version(path) == LATEST_VERSION
        report_indexes = {s.split()[2] for s in MIGRATIONS[1].statements}
        assert report_indexes <= names(path, "index")
        assert {"leases", "job_runs"} <= names(path, "table")
        assert await stuck_count(store) == 1
        assert await store.events.record_event(stuck_event("old")) is False
    finally:
        await store.close()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    with raw(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")

    with pytest.raises(StoreUnavailable, match="newer"):
        await SqliteStore(path).open()


async def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    store = SqliteStore(path)
    await store.open()
    await store.events.record_event(stuck_event())
    await store.workers.set_language("w1", "sv")
    await store.close()

    again = SqliteStore(path)
    await again.open()
    try:
        assert await stuck_count(again) == 1
    finally:
        await again.close()


# What ANALYZE recorded on 1,000,000 events, 100,000 progress records, 100,000 attempts with
# 800,000 answers and 20,000 feedback items: enough for the planner to prefer events(at).
PRODUCTION_STATISTICS = [
    ("events", "idx_events_kind_module", "1000000 100000 8334 1 1"),
    ("events", "idx_events_at", "1000000 1"),
    ("events", "idx_events_worker", "1000000 50"),
    ("events", "sqlite_autoindex_events_1", "1000000 1"),
    ("progress", "idx_progress_module", "100000 8334 4167 97 1 1 1"),
    ("progress", "idx_progress_started", "100000 1 1 1 1 1 1"),
    ("progress", "idx_progress_completed", "59967 1 1 1 1 1"),
    ("progress", "progress", "100000 1 1"),
    ("attempts", "idx_attempts_submitted", "90242 7521 2 1 1 1 1 1"),
    ("attempts", "idx_attempts_worker", "100000 6 1"),
    ("attempts", "sqlite_autoindex_attempts_1", "100000 1"),
    ("answers", "idx_answers_missed", "239543 19962 999 2 2 2"),
    ("answers", "answers", "800000 8 1"),
    ("feedback", "idx_feedback_created", "20000 1"),
    ("feedback", "idx_feedback_worker", "13908 1 1"),
    ("feedback", "sqlite_autoindex_feedback_1", "20000 1"),
]


@pytest.mark.parametrize("analyzed", [False, True], ids=["no-statistics", "after-analyze"])
async def test_report_queries_read_indexes_not_tables(store: SqliteStore, analyzed: bool) -> None:
    """No report query scans a table: each reads an index (a covering one, but for feedback),
    also once ANALYZE has given the planner statistics to change its mind with."""
    from bot.store import sqlite_reports

    conn = store._db.conn
    if analyzed:
        await load_report_dataset(store)
        conn.execute("ANALYZE")
        conn.execute("DELETE FROM sqlite_stat1")
        conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)",
                         PRODUCTION_STATISTICS)
        conn.execute("ANALYZE sqlite_schema")  # makes the planner load the statistics
    plans: list[str] = []
    original = conn.execute

    class Recorder:
        def execute(self, sql: str, params: object = ()) -> sqlite3.Cursor:
            plans.extend(row[3] for row in original("EXPLAIN QUERY PLAN " + sql, params))
            return original(sql, params)

    flt = ReportFilter(since=date(2026, 11, 1), until=date(2026, 11, 30))
    recorder = Recorder()
    for fact in (sqlite_reports.cohort, sqlite_reports.cohort_totals, sqlite_reports.started_by_day,
                 sqlite_reports.completed_by_day, sqlite_reports.stuck_by_module,
                 sqlite_reports.quiz_totals, sqlite_reports.quiz_misses):
        fact(recorder, flt)  # type: ignore[arg-type]
    sqlite_reports.quiz_workers(recorder, flt, ["outlook"])  # type: ignore[arg-type]
    sqlite_reports.feedback_page(recorder, flt, None, 10)  # type: ignore[arg-type]
    sqlite_reports.feedback_page(recorder, flt, "2026-11-20T00:00:00.000000Z|f9", 10)  # type: ignore[arg-type]

    reads = [p for p in plans
             if p.startswith(("SCAN ", "SEARCH ")) and not p.startswith("SCAN (")]
    assert {p.split()[1] for p in reads} == {"answers", "attempts", "events", "feedback", "progress",
                                             "progress_days"}
    # The per-day rollup is small (days x modules x locales) and keyed by day: its primary key.
    rollup = [p for p in reads if p.split()[1] == "progress_days"]
    assert all(p.startswith("SEARCH progress_days USING PRIMARY KEY (day>? AND day<?)") for p in rollup), rollup
    reads = [p for p in reads if p not in rollup]
    assert all(" INDEX " in p for p in reads), reads  # no plain table scan
    # Feedback items are whole rows anyway; every other report reads only an index.
    assert all("USING COVERING INDEX" in p for p in reads if p.split()[1] != "feedback"), reads


# --- errors become StoreUnavailable ------------------------------------------------------------

async def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)

    with pytest.raises(StoreUnavailable) as raised:
        await SqliteStore(path).open()

    assert "not an SQLite database" in str(raised.value)
    assert str(path) in str(raised.value)


async def test_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")

    with pytest.raises(StoreUnavailable, match="cannot create the folder"):
        await SqliteStore(blocker / "coach.db").open()


async def test_a_path_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "coach.db").mkdir()

    with pytest.raises(StoreUnavailable, match="cannot be opened"):
        await SqliteStore(tmp_path / "coach.db").open()


async def test_a_locked_database_is_unavailable_without_leaking_sql(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    store = SqliteStore(path, busy_timeout_ms=50)
    await store.open()
    other = raw(path)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(StoreUnavailable) as raised:
            await store.events.record_event(stuck_event("secret-id"))
        message = str(raised.value)
        assert "locked" in message and "usage event" in message
        assert "INSERT" not in message and "secret-id" not in message
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        # Reads still work under WAL while another connection writes.
        assert await stuck_count(store) == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await store.events.record_event(stuck_event("secret-id")) is True
    await store.close()


async def test_a_closed_store_is_unavailable_and_unhealthy(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "coach.db")

    with pytest.raises(StoreUnavailable, match="not open"):
        await store.workers.get_worker("w1")
    assert (await store.health()).status == "down"

    await store.open()
    assert (await store.health()).status == "ok"
    await store.close()
    assert (await store.health()).status == "down"


async def test_a_failing_query_makes_health_down(store: SqliteStore) -> None:
    store._db.conn.close()  # the connection is gone under the store

    health = await store.health()

    assert (health.backend, health.status) == ("sqlite", "down")
    assert health.detail
    with pytest.raises(StoreUnavailable):
        await store.events.record_event(stuck_event())


# --- factory ------------------------------------------------------------------------------------

def test_factory_builds_the_configured_store(tmp_path: Path) -> None:
    sqlite_store = create_store(Settings(store="sqlite", sqlite_path=tmp_path / "x.db"))
    assert isinstance(sqlite_store, SqliteStore) and sqlite_store.path == tmp_path / "x.db"
    assert isinstance(create_store(Settings(store="memory")), MemoryStore)
