"""SQLite adapter of the storage port: one file, one connection, WAL journal.

The methods are `async` for the port, but each runs its sqlite3 call inline: a worker's turn
is a few point reads and writes of microseconds, less than a hop to a thread would cost. With
no `await` inside a method, two coroutines never interleave within one method either.
Every sqlite3 error leaves as StoreUnavailable; a lock held by another process is waited for
up to `busy_timeout_ms` first.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from domain.models import Feedback, ModuleProgress, UsageEvent, Worker
from domain.report_rules import Reports
from domain.report_facts import COMPLETED
from domain.usage_records import Completion
from bot.store.erasure import RegistryPrivacyStore
from bot.store.maintenance import NoCounters
from bot.store.port import ConcurrencyConflict, Health, StoreUnavailable
from bot.store.sqlite_attempts import SqliteAttemptStore
from bot.store.sqlite_rows import WorkerRows
from bot.store.sqlite_jobs import SqliteJobRunStore, SqliteLeaseStore
from bot.store.sqlite_connection import SqliteConnection, error_reason, guard
from bot.store.sqlite_dashboard import SqliteDashboardFacts
from bot.store.sqlite_reader import SqliteReader
from bot.store.sqlite_reports import SqliteReportFacts
from bot.store.sqlite_adoption import SqliteAdoptionFacts
from bot.store.sqlite_usage import SqliteDirectoryStore, SqliteUsageStore
from bot.store.sqlite_triage import SqliteTriageStore, feedback_of
from bot.store.sqlite_migrations import decode_time, encode_time, encode_week


class SqliteWorkerStore(WorkerRows):
    _table, _column = "workers", "id"

    @guard("read a worker")
    async def get_worker(self, worker_id: str) -> Worker | None:
        row = self._db.conn.execute("SELECT * FROM workers WHERE id = ?", (worker_id,)).fetchone()
        return worker_from_row(row) if row else None

    @guard("register a worker")
    async def register_worker(self, worker: Worker) -> Worker:
        rows = self._db.conn.execute(
            """INSERT INTO workers (id, tenant_id, name, teams_locale, language, conversation,
                                    installed, created_at, updated_at, uninstalled_at, upn,
                                    time_zone)
               VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?, ?)
               ON CONFLICT (id) DO UPDATE SET
                   tenant_id = excluded.tenant_id, name = excluded.name,
                   teams_locale = excluded.teams_locale, conversation = excluded.conversation,
                   installed = 1, updated_at = excluded.updated_at,
                   upn = coalesce(excluded.upn, upn),
                   time_zone = coalesce(excluded.time_zone, time_zone)
               RETURNING *""",
            (worker.id, worker.tenant_id, worker.name, worker.teams_locale, worker.language,
             json.dumps(worker.conversation), encode_time(worker.created_at),
             encode_time(worker.updated_at), worker.upn, worker.time_zone),
        ).fetchall()
        return worker_from_row(rows[0])

    @guard("set a worker's language")
    async def set_language(self, worker_id: str, language: str | None) -> None:
        self._db.conn.execute("UPDATE workers SET language = ? WHERE id = ?", (language, worker_id))

    @guard("mark a worker uninstalled")
    async def mark_uninstalled(self, worker_id: str, at: datetime) -> None:
        self._db.conn.execute(
            "UPDATE workers SET installed = 0, uninstalled_at = ?, updated_at = ? WHERE id = ?",
            (encode_time(at), encode_time(at), worker_id))


def worker_from_row(row: sqlite3.Row) -> Worker:
    return Worker(
        id=row["id"], tenant_id=row["tenant_id"], name=row["name"],
        teams_locale=row["teams_locale"], language=row["language"],
        conversation=json.loads(row["conversation"]), installed=bool(row["installed"]),
        created_at=decode_time(row["created_at"]), updated_at=decode_time(row["updated_at"]),
        uninstalled_at=decode_time(row["uninstalled_at"]), upn=row["upn"],
        time_zone=row["time_zone"], blocked_at=decode_time(row["blocked_at"]))


class SqliteProgressStore(WorkerRows):
    _table, _rollups = "progress", ("trained_workers",)

    @guard("read progress")
    async def get_progress(self, worker_id: str, module_id: str) -> ModuleProgress | None:
        return self._read(worker_id, module_id)

    @guard("list progress")
    async def list_progress(self, worker_id: str) -> list[ModuleProgress]:
        rows = self._db.conn.execute(
            "SELECT * FROM progress WHERE worker_id = ? ORDER BY module_id", (worker_id,))
        return [_progress(row) for row in rows]

    @guard("save progress")
    async def save_progress(
        self, progress: ModuleProgress, expected_version: int | None
    ) -> ModuleProgress:
        p = progress
        columns = (p.status.value, p.step_index, p.locale, encode_time(p.started_at),
                   encode_week(p.started_at), encode_time(p.updated_at),
                   encode_time(p.completed_at), encode_week(p.completed_at),
                   p.minutes_to_complete, _marks(p), (expected_version or 0) + 1)
        # One statement (atomic on its own); fetchall() finishes it, which commits it.
        conn = self._db.conn
        if expected_version is None:
            rows = conn.execute(
                """INSERT INTO progress (status, step_index, locale, started_at, started_week,
                       updated_at, completed_at, completed_week, minutes_to_complete, exercises,
                       version, worker_id, module_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *""",
                (*columns, p.worker_id, p.module_id)).fetchall()
        else:
            rows = conn.execute(
                """UPDATE progress SET status = ?, step_index = ?, locale = ?, started_at = ?,
                       started_week = ?, updated_at = ?, completed_at = ?, completed_week = ?,
                       minutes_to_complete = ?, exercises = ?, version = ?
                   WHERE worker_id = ? AND module_id = ? AND version = ? RETURNING *""",
                (*columns, p.worker_id, p.module_id, expected_version)).fetchall()
        if len(rows) != 1:
            raise ConcurrencyConflict(f"progress of module {p.module_id} changed since it was read")
        return _progress(rows[0])

    @guard("list completed modules")
    async def completions_page(self, cursor: str | None,
                               limit: int) -> tuple[list[Completion], str | None]:
        worker_id, _, module_id = (cursor or "\t").partition("\t")
        rows = self._db.conn.execute(
            f"""SELECT worker_id, module_id, completed_at FROM progress
               WHERE status = '{COMPLETED.value}' AND completed_at IS NOT NULL AND (worker_id, module_id) > (?, ?)
               ORDER BY worker_id, module_id LIMIT ?""", (worker_id, module_id, limit + 1)).fetchall()
        found = [Completion(r["worker_id"], r["module_id"], decode_time(r["completed_at"]))  # type: ignore[arg-type]
                 for r in rows[:limit]]
        last = found[-1] if len(rows) > limit else None
        return found, f"{last.worker_id}\t{last.module_id}" if last else None

    def _read(self, worker_id: str, module_id: str) -> ModuleProgress | None:
        row = self._db.conn.execute(
            "SELECT * FROM progress WHERE worker_id = ? AND module_id = ?",
            (worker_id, module_id)).fetchone()
        return _progress(row) if row else None


def _progress(row: sqlite3.Row) -> ModuleProgress:
    return ModuleProgress(
        worker_id=row["worker_id"], module_id=row["module_id"], status=row["status"],
        step_index=row["step_index"], locale=row["locale"],
        started_at=decode_time(row["started_at"]), updated_at=decode_time(row["updated_at"]),
        completed_at=decode_time(row["completed_at"]),
        minutes_to_complete=row["minutes_to_complete"], exercises=json.loads(row["exercises"]),
        version=row["version"])


def _marks(progress: ModuleProgress) -> str:
    return json.dumps({str(index): mark.value for index, mark in sorted(progress.exercises.items())})


class SqliteEventStore(WorkerRows):
    _table, _rollups = "events", ("worker_last_event",)

    @guard("record a usage event")
    async def record_event(self, event: UsageEvent) -> bool:
        cursor = self._db.conn.execute(
            """INSERT INTO events (id, kind, worker_id, module_id, step_index, locale, at, detail)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            (event.id, event.kind.value, event.worker_id, event.module_id, event.step_index,
             event.locale, encode_time(event.at), event.detail))
        return cursor.rowcount == 1

    @guard("list a worker's usage events")
    async def list_worker_events(self, worker_id: str) -> list[UsageEvent]:
        rows = self._db.conn.execute(
            "SELECT * FROM events WHERE worker_id = ? ORDER BY at, id", (worker_id,))
        return [UsageEvent(id=r["id"], kind=r["kind"], worker_id=r["worker_id"],
                           module_id=r["module_id"], step_index=r["step_index"], locale=r["locale"],
                           at=decode_time(r["at"]), detail=r["detail"]) for r in rows]

    @guard("purge old usage events")
    async def purge_events_before(self, cutoff: datetime) -> int:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM events WHERE at < ?", (encode_time(cutoff),)).rowcount


class SqliteFeedbackStore(WorkerRows):
    _table = "feedback"

    @guard("store feedback")
    async def add_feedback(self, feedback: Feedback) -> bool:
        f = feedback
        cursor = self._db.conn.execute(
            """INSERT INTO feedback (id, worker_id, module_id, rating, category, text, locale,
                   status, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            (f.id, f.worker_id, f.module_id, f.rating, f.category.value, f.text, f.locale,
             f.status.value, encode_time(f.created_at)))
        return cursor.rowcount == 1

    @guard("list feedback")
    async def list_feedback(self, worker_id: str) -> list[Feedback]:
        rows = self._db.conn.execute(
            "SELECT * FROM feedback WHERE worker_id = ? ORDER BY created_at DESC, id DESC",
            (worker_id,))
        return [feedback_of(r) for r in rows]




class SqliteStore:
    """The whole port on one SQLite file. `open()` before use, `close()` after."""

    def __init__(self, path: Path | str, busy_timeout_ms: int = 5000):
        self._db = SqliteConnection(Path(path), busy_timeout_ms)
        self.workers = SqliteWorkerStore(self._db)
        self.progress = SqliteProgressStore(self._db)
        self.events = SqliteEventStore(self._db)
        self.attempts = SqliteAttemptStore(self._db)
        self.feedback = SqliteFeedbackStore(self._db)
        self.triage = SqliteTriageStore(self._db)
        self._reader = SqliteReader(self._db.path, busy_timeout_ms)  # reports, in a thread
        self.reports = Reports(SqliteReportFacts(self._reader))
        self.dashboard = SqliteDashboardFacts(self._reader)
        self.privacy = RegistryPrivacyStore(self)
        self.leases = SqliteLeaseStore(self._db)
        self.job_runs = SqliteJobRunStore(self._db)
        self.maintenance = NoCounters("sqlite")
        from bot.store.sqlite_campaigns import SqliteCampaignStore  # it builds on this module

        self.campaigns = SqliteCampaignStore(self._db)
        self.directory = SqliteDirectoryStore(self._db)
        self.usage = SqliteUsageStore(self._db)
        self.adoption = SqliteAdoptionFacts(self._db, self._reader)

    @property
    def path(self) -> Path:
        return self._db.path

    async def open(self) -> None:
        self._db.open()

    async def close(self) -> None:
        self._reader.close()
        self._db.close()

    async def health(self) -> Health:
        try:
            self._db.conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except StoreUnavailable:
            return Health("sqlite", "down", "not open")
        except sqlite3.Error as exc:
            return Health("sqlite", "down", error_reason(exc))
        return Health("sqlite", "ok")
