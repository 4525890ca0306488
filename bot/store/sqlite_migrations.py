"""The SQLite schema: numbered migrations, and the text form datetimes are stored in.

The applied version lives in `PRAGMA user_version`. `migrate()` applies every newer migration,
each in its own transaction together with the version bump, so a crash leaves the database at
a whole version and a re-open carries on from there.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from bot.store.sqlite_campaign_schema import CAMPAIGN_TABLES
from bot.store.sqlite_rollups import ROLLUPS
from domain.reports import iso_week

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def encode_time(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).strftime(_TIME_FORMAT)


def decode_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)  # "Z" parses as UTC


def encode_week(moment: datetime | None) -> str | None:
    return None if moment is None else iso_week(as_utc(moment))


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial tables", (
        """CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            teams_locale TEXT NOT NULL,
            language TEXT,
            conversation TEXT NOT NULL,
            installed INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            uninstalled_at TEXT)""",
        # started_week / completed_week: ISO weeks kept beside the times, for the weekly trend.
        """CREATE TABLE progress (
            worker_id TEXT NOT NULL,
            module_id TEXT NOT NULL,
            status TEXT NOT NULL,
            step_index INTEGER NOT NULL,
            locale TEXT NOT NULL,
            started_at TEXT NOT NULL,
            started_week TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            completed_week TEXT,
            minutes_to_complete INTEGER,
            version INTEGER NOT NULL,
            PRIMARY KEY (worker_id, module_id)) WITHOUT ROWID""",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            worker_id TEXT,
            module_id TEXT,
            step_index INTEGER,
            locale TEXT NOT NULL,
            at TEXT NOT NULL,
            detail TEXT)""",
        "CREATE INDEX idx_events_worker ON events(worker_id) WHERE worker_id IS NOT NULL",
        "CREATE INDEX idx_events_at ON events(at)",
        """CREATE TABLE attempts (
            id TEXT PRIMARY KEY,
            worker_id TEXT NOT NULL,
            module_id TEXT NOT NULL,
            locale TEXT NOT NULL,
            seed INTEGER NOT NULL,
            question_ids TEXT NOT NULL,
            status TEXT NOT NULL,
            score REAL,
            passed INTEGER,
            started_at TEXT NOT NULL,
            submitted_at TEXT,
            campaign_id TEXT,
            version INTEGER NOT NULL)""",
        "CREATE INDEX idx_attempts_worker ON attempts(worker_id, started_at)",
        # module_id, locale and submitted_at are copied from the attempt (submitted_at at
        # submission) so the most-missed report is one GROUP BY over this table.
        """CREATE TABLE answers (
            attempt_id TEXT NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            chosen TEXT NOT NULL,
            correct INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            module_id TEXT NOT NULL,
            locale TEXT NOT NULL,
            submitted_at TEXT,
            PRIMARY KEY (attempt_id, question_id)) WITHOUT ROWID""",
        """CREATE TABLE feedback (
            id TEXT PRIMARY KEY,
            worker_id TEXT,
            module_id TEXT,
            rating INTEGER NOT NULL,
            category TEXT NOT NULL,
            text TEXT NOT NULL,
            locale TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX idx_feedback_worker ON feedback(worker_id, created_at) WHERE worker_id IS NOT NULL",
    )),
    # Covering indexes, each report query reads only an index. Module first: the reports
    # group by module, so the GROUP BY streams in index order with no sort, and a module filter
    # is a seek. A partial index also lists its WHERE column, or SQLite would read the row.
    Migration(2, "report indexes", (
        "CREATE INDEX idx_events_kind_module ON events(kind, module_id, at, locale)",
        """CREATE INDEX idx_progress_module
            ON progress(module_id, status, minutes_to_complete, started_at, locale, started_week)""",
        """CREATE INDEX idx_progress_started
            ON progress(started_at, module_id, status, minutes_to_complete, locale, started_week)""",
        """CREATE INDEX idx_progress_completed
            ON progress(completed_at, module_id, locale, completed_week, status)
            WHERE status = 'done'""",
        """CREATE INDEX idx_attempts_submitted
            ON attempts(module_id, worker_id, submitted_at, locale, passed, score, status)
            WHERE status = 'submitted'""",
        """CREATE INDEX idx_answers_missed
            ON answers(module_id, question_id, submitted_at, locale, correct) WHERE correct = 0""",
        "CREATE INDEX idx_feedback_created ON feedback(created_at)",
    )),
    # One row per job: who may run it until when (`version` for compare-and-set), and how
    # its latest run went (bot/store/sqlite_jobs.py).
    Migration(3, "job leases and runs", (
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            version INTEGER NOT NULL) WITHOUT ROWID""",
        """CREATE TABLE job_runs (
            job TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            started_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            ended_at TEXT,
            detail TEXT NOT NULL) WITHOUT ROWID""",
    )),
    Migration(4, "trainer campaigns", CAMPAIGN_TABLES),
    # Directory users by Entra object id and the sync checkpoint; usage rows per
    # (report day, workload, upn) and the imports made (bot/store/sqlite_usage.py).
    Migration(5, "directory and usage reports", (
        """CREATE TABLE directory_users (
            id TEXT PRIMARY KEY,
            upn TEXT NOT NULL,
            name TEXT NOT NULL,
            department TEXT NOT NULL,
            country TEXT NOT NULL,
            office TEXT NOT NULL,
            preferred_language TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            removed INTEGER NOT NULL) WITHOUT ROWID""",
        "CREATE INDEX idx_directory_upn ON directory_users(upn)",
        """CREATE TABLE directory_state (
            name TEXT PRIMARY KEY,
            value TEXT) WITHOUT ROWID""",
        """CREATE TABLE usage_rows (
            report_date TEXT NOT NULL,
            workload TEXT NOT NULL,
            upn TEXT NOT NULL,
            last_activity TEXT,
            period_days INTEGER NOT NULL,
            active INTEGER NOT NULL,
            metrics TEXT NOT NULL,
            PRIMARY KEY (report_date, workload, upn)) WITHOUT ROWID""",
        "CREATE INDEX idx_usage_upn ON usage_rows(upn)",
        """CREATE TABLE usage_imports (
            report_date TEXT NOT NULL,
            workload TEXT NOT NULL,
            period_days INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            concealed INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (report_date, workload)) WITHOUT ROWID""",
    )),
    # The exercises a progress record marks done or skipped,
    # as JSON {"<step index>": "done" | "skipped"}.
    Migration(6, "exercise marks on progress", (
        "ALTER TABLE progress ADD COLUMN exercises TEXT NOT NULL DEFAULT '{}'",
    )),
    # The feedback inbox: "Ask IT" questions have no rating, so
    # the feedback table is rebuilt with a nullable one; triage is one row per touched item
    # (the notes, reply and audit trail as JSON), with the submitter for "delete my data".
    Migration(7, "feedback inbox", (
        """CREATE TABLE feedback_v6 (
            id TEXT PRIMARY KEY,
            worker_id TEXT,
            module_id TEXT,
            rating INTEGER,
            category TEXT NOT NULL,
            text TEXT NOT NULL,
            locale TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        """INSERT INTO feedback_v6 (id, worker_id, module_id, rating, category, text, locale,
               status, created_at)
           SELECT id, worker_id, module_id, rating, category, text, locale, status, created_at
           FROM feedback""",
        "DROP TABLE feedback",
        "ALTER TABLE feedback_v6 RENAME TO feedback",
        "CREATE INDEX idx_feedback_worker ON feedback(worker_id, created_at) WHERE worker_id IS NOT NULL",
        "CREATE INDEX idx_feedback_created ON feedback(created_at)",
        "CREATE INDEX idx_feedback_inbox ON feedback(status, created_at, id)",
        """CREATE TABLE triage (
            feedback_id TEXT PRIMARY KEY,
            worker_id TEXT,
            record TEXT NOT NULL,
            version INTEGER NOT NULL) WITHOUT ROWID""",
        "CREATE INDEX idx_triage_worker ON triage(worker_id) WHERE worker_id IS NOT NULL",
    )),
    # The dashboard (bot/store/sqlite_dashboard.py): active workers in a window, a worker's
    # last activity, and the workers list in name order, each from an index alone.
    Migration(8, "dashboard indexes", (
        "CREATE INDEX idx_events_at_worker ON events(at, worker_id, module_id, locale)",
        "CREATE INDEX idx_events_worker_at ON events(worker_id, at) WHERE worker_id IS NOT NULL",
        "CREATE INDEX idx_workers_name ON workers(name, id)",
        """CREATE INDEX idx_progress_done_worker ON progress(completed_at, worker_id, module_id, locale, status)
            WHERE status = 'done'""",
    )),
    # One campaign sender per tenant is a job lease now (`leases`, migration 3).
    # A blocked worker is marked on the worker row too, so a turn (which reads the worker
    # anyway) knows to lift the block without another query.
    Migration(9, "campaign tenant leases are job leases; blocked workers", (
        "DROP TABLE IF EXISTS campaign_leases",
        "ALTER TABLE workers ADD COLUMN blocked_at TEXT",
        """UPDATE workers SET blocked_at = (SELECT at FROM campaign_blocks b
                                            WHERE b.worker_id = workers.id)""",
    )),
    # Rollups for the dashboard's overview, kept by triggers (bot/store/sqlite_rollups.py).
    Migration(10, "dashboard rollups", ROLLUPS),
    # The adoption report's per-upn usage summaries, built once per set of imports and
    # thresholds (bot/store/sqlite_adoption.py) and forgotten when the usage rows change.
    Migration(11, "stored usage summaries", (
        """CREATE TABLE usage_summary_sets (
            id INTEGER PRIMARY KEY,
            set_key TEXT NOT NULL UNIQUE,
            built_at TEXT NOT NULL)""",
        """CREATE TABLE usage_summary (
            set_id INTEGER NOT NULL,
            upn TEXT NOT NULL,
            active INTEGER NOT NULL,
            met INTEGER NOT NULL,
            PRIMARY KEY (set_id, upn)) WITHOUT ROWID""",
    )),
)

LATEST_VERSION = MIGRATIONS[-1].version


class SchemaTooNew(Exception):
    """The database was written by a newer version of the program."""


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> list[int]:
    """Apply the migrations above the stored version up to `target`. Returns those applied.

    `conn` must be in autocommit mode (isolation_level=None)."""
    _check_not_too_new(schema_version(conn))
    applied: list[int] = []
    if schema_version(conn) >= target:
        return applied  # the usual re-open: no write lock taken
    for migration in MIGRATIONS:
        if migration.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)  # read inside the lock: another process may have won
            _check_not_too_new(current)
            if migration.version <= current:
                conn.execute("ROLLBACK")
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {migration.version:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied


def _check_not_too_new(version: int) -> None:
    if version > LATEST_VERSION:
        raise SchemaTooNew(f"database schema version {version} is newer than the newest "
                           f"this program knows ({LATEST_VERSION})")
