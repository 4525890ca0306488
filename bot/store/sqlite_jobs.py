"""Leases and job runs on SQLite: one statement each, so a write is atomic on its own and
instances sharing the file (several `coach` processes) race safely."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from domain.jobs import JobRun, Lease, RunOutcome
from bot.store.sqlite_connection import SqliteConnection, guard
from bot.store.sqlite_migrations import decode_time, encode_time


class SqliteLeaseStore:
    def __init__(self, db: SqliteConnection):
        self._db = db

    @guard("acquire a job lease")
    async def acquire(self, name: str, owner: str, until: datetime, now: datetime) -> Lease | None:
        rows = self._db.conn.execute(
            """INSERT INTO leases (name, owner, expires_at, version) VALUES (?, ?, ?, 1)
               ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,
                   expires_at = excluded.expires_at, version = leases.version + 1
               WHERE leases.owner = excluded.owner OR leases.expires_at <= ?
               RETURNING *""",
            (name, owner, encode_time(until), encode_time(now))).fetchall()
        return _lease(rows[0]) if rows else None

    @guard("renew a job lease")
    async def renew(self, lease: Lease, until: datetime) -> Lease | None:
        rows = self._db.conn.execute(
            """UPDATE leases SET expires_at = ?, version = version + 1
               WHERE name = ? AND owner = ? AND version = ? RETURNING *""",
            (encode_time(until), lease.name, lease.owner, lease.version)).fetchall()
        return _lease(rows[0]) if rows else None

    @guard("release a job lease")
    async def release(self, lease: Lease) -> bool:
        cursor = self._db.conn.execute(
            "DELETE FROM leases WHERE name = ? AND owner = ? AND version = ?",
            (lease.name, lease.owner, lease.version))
        return cursor.rowcount == 1

    @guard("read a job lease")
    async def get_lease(self, name: str) -> Lease | None:
        row = self._db.conn.execute("SELECT * FROM leases WHERE name = ?", (name,)).fetchone()
        return _lease(row) if row else None


def _lease(row: sqlite3.Row) -> Lease:
    return Lease(name=row["name"], owner=row["owner"],
                 expires_at=decode_time(row["expires_at"]),  # type: ignore[arg-type]
                 version=row["version"])


class SqliteJobRunStore:
    def __init__(self, db: SqliteConnection):
        self._db = db

    @guard("record a job run")
    async def record_run(self, run: JobRun) -> None:
        self._db.conn.execute(
            """INSERT OR REPLACE INTO job_runs (job, owner, started_at, outcome, ended_at, detail)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (run.job, run.owner, encode_time(run.started_at), run.outcome.value,
             encode_time(run.ended_at), run.detail))

    @guard("read a job run")
    async def last_run(self, job: str) -> JobRun | None:
        row = self._db.conn.execute("SELECT * FROM job_runs WHERE job = ?", (job,)).fetchone()
        return _run(row) if row else None

    @guard("list job runs")
    async def list_runs(self) -> list[JobRun]:
        return [_run(row) for row in self._db.conn.execute("SELECT * FROM job_runs ORDER BY job")]


def _run(row: sqlite3.Row) -> JobRun:
    return JobRun(job=row["job"], owner=row["owner"],
                  started_at=decode_time(row["started_at"]),  # type: ignore[arg-type]
                  outcome=RunOutcome(row["outcome"]), ended_at=decode_time(row["ended_at"]),
                  detail=row["detail"])
