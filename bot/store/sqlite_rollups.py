"""Rollups the dashboard's overview reads instead of the source rows (migration 10), kept by
triggers in the same transaction as every write to `progress` and `events` — the bot's own
saves, retried saves (an update that changes nothing adds nothing), "delete my data" and the
retention purge alike — so they can never disagree with the rows they summarise.

- `progress_days`: per UTC day, module and locale, progress records started that day
  (`started`; `started_done` of them in status done) and records completed that day
  (`completed`). Additive, so any window of whole UTC days is a sum over its days.
- `trained_workers`: per worker with a completed module, their first completion. "Trained
  before the window ends" with no start date is a count of this table.
- `worker_last_event`: per worker with usage events, the time of their latest one. While no
  event is at or after a window's end, "active in the window" is a count of this table.

The last two name a worker, but only while the worker's progress or events exist: the
triggers delete their row with the last of those rows.
"""

from __future__ import annotations

from domain.report_facts import COMPLETED

DONE = f"'{COMPLETED.value}'"
DAY = "substr({}, 1, 10)"  # the UTC day of a stored time (fixed-width UTC text)


def _progress_days(row: str, sign: int) -> str:
    """Add (sign +1) or take away (-1) the contributions of progress row `row` (NEW / OLD)."""
    return f"""
        INSERT INTO progress_days (day, module_id, locale, started, started_done, completed)
            VALUES ({DAY.format(row + '.started_at')}, {row}.module_id, {row}.locale, {sign},
                    {sign} * ({row}.status = {DONE}), 0)
            ON CONFLICT DO UPDATE SET started = started + excluded.started,
                                      started_done = started_done + excluded.started_done;
        INSERT INTO progress_days (day, module_id, locale, started, started_done, completed)
            SELECT {DAY.format(row + '.completed_at')}, {row}.module_id, {row}.locale, 0, 0, {sign}
            WHERE {row}.status = {DONE} AND {row}.completed_at IS NOT NULL
            ON CONFLICT DO UPDATE SET completed = completed + excluded.completed;"""


def _trained(row: str) -> str:
    """Recompute the first completion of the worker of progress row `row`."""
    return f"""
        DELETE FROM trained_workers WHERE worker_id = {row}.worker_id;
        INSERT INTO trained_workers (worker_id, first_done_at)
            SELECT worker_id, MIN(completed_at) FROM progress
            WHERE worker_id = {row}.worker_id AND status = {DONE} AND completed_at IS NOT NULL
            GROUP BY worker_id;"""


def _last_event_removed(row: str) -> str:
    return f"""
        DELETE FROM worker_last_event WHERE worker_id = {row}.worker_id;
        INSERT INTO worker_last_event (worker_id, last_at)
            SELECT worker_id, MAX(at) FROM events
            WHERE worker_id = {row}.worker_id GROUP BY worker_id;"""


PROGRESS_COLUMNS = "worker_id, module_id, status, locale, started_at, completed_at"

ROLLUP_TABLES: tuple[str, ...] = (
    """CREATE TABLE progress_days (
        day TEXT NOT NULL,
        module_id TEXT NOT NULL,
        locale TEXT NOT NULL,
        started INTEGER NOT NULL,
        started_done INTEGER NOT NULL,
        completed INTEGER NOT NULL,
        PRIMARY KEY (day, module_id, locale)) WITHOUT ROWID""",
    "CREATE TABLE trained_workers (worker_id TEXT PRIMARY KEY, first_done_at TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX idx_trained_workers_first ON trained_workers(first_done_at)",
    "CREATE TABLE worker_last_event (worker_id TEXT PRIMARY KEY, last_at TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX idx_worker_last_event_at ON worker_last_event(last_at)",
    f"CREATE TRIGGER progress_rollup_insert AFTER INSERT ON progress BEGIN {_progress_days('NEW', 1)} "
    f"{_trained('NEW')} END",
    f"CREATE TRIGGER progress_rollup_delete AFTER DELETE ON progress BEGIN {_progress_days('OLD', -1)} "
    f"{_trained('OLD')} END",
    f"""CREATE TRIGGER progress_rollup_update AFTER UPDATE OF {PROGRESS_COLUMNS} ON progress BEGIN
        {_progress_days('OLD', -1)} {_progress_days('NEW', 1)} {_trained('OLD')} {_trained('NEW')} END""",
    """CREATE TRIGGER events_last_insert AFTER INSERT ON events WHEN NEW.worker_id IS NOT NULL BEGIN
        INSERT INTO worker_last_event (worker_id, last_at) VALUES (NEW.worker_id, NEW.at)
            ON CONFLICT DO UPDATE SET last_at = max(last_at, excluded.last_at); END""",
    f"""CREATE TRIGGER events_last_delete AFTER DELETE ON events WHEN OLD.worker_id IS NOT NULL BEGIN
        {_last_event_removed('OLD')} END""",
    f"""CREATE TRIGGER events_last_update AFTER UPDATE OF worker_id, at ON events BEGIN
        {_last_event_removed('OLD')}
        INSERT INTO worker_last_event (worker_id, last_at) SELECT NEW.worker_id, NEW.at
            WHERE NEW.worker_id IS NOT NULL
            ON CONFLICT DO UPDATE SET last_at = max(last_at, excluded.last_at); END""",
)

# Filled from the rows already there (an upgraded database).
ROLLUP_BACKFILL: tuple[str, ...] = (
    f"""INSERT INTO progress_days (day, module_id, locale, started, started_done, completed)
        SELECT day, module_id, locale, SUM(started), SUM(started_done), SUM(completed) FROM (
            SELECT {DAY.format('started_at')} AS day, module_id, locale, 1 AS started,
                   status = {DONE} AS started_done, 0 AS completed FROM progress
            UNION ALL
            SELECT {DAY.format('completed_at')}, module_id, locale, 0, 0, 1 FROM progress
            WHERE status = {DONE} AND completed_at IS NOT NULL)
        GROUP BY day, module_id, locale""",
    f"""INSERT INTO trained_workers (worker_id, first_done_at)
        SELECT worker_id, MIN(completed_at) FROM progress
        WHERE status = {DONE} AND completed_at IS NOT NULL GROUP BY worker_id""",
    """INSERT INTO worker_last_event (worker_id, last_at)
        SELECT worker_id, MAX(at) FROM events WHERE worker_id IS NOT NULL GROUP BY worker_id""",
)

ROLLUPS = ROLLUP_TABLES + ROLLUP_BACKFILL
