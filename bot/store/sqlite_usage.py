"""The directory and the usage rows on SQLite (tables of migration 5). Rows are written with
INSERT OR REPLACE under their primary key, so a re-import replaces and never adds."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from domain.adoption import Threshold
from domain.usage_records import DirectoryEntry, UsageImport, UsageRecord, UsageSummary
from bot.store.sqlite_connection import SqliteConnection, guard
from bot.store.sqlite_migrations import decode_time, encode_time

_CHECKPOINT = "delta"
_USER_COLUMNS = ("id", "upn", "name", "department", "country", "office", "preferred_language",
                 "enabled", "removed")


def _entry(row: sqlite3.Row) -> DirectoryEntry:
    return DirectoryEntry(**{c: row[c] for c in _USER_COLUMNS[:7]},
                          enabled=bool(row["enabled"]), removed=bool(row["removed"]))


class SqliteDirectoryStore:
    def __init__(self, db: SqliteConnection):
        self._db = db

    @guard("save directory users")
    async def save_users(self, entries: list[DirectoryEntry]) -> int:
        present = [e for e in entries if not e.removed]
        with self._db.transaction() as conn:
            conn.executemany(
                f"INSERT OR REPLACE INTO directory_users ({', '.join(_USER_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_USER_COLUMNS))})",
                [(e.id, e.upn, e.name, e.department, e.country, e.office, e.preferred_language,
                  int(e.enabled), 0) for e in present])
            conn.executemany(
                """INSERT INTO directory_users VALUES (?, '', '', '', '', '', '', 1, 1)
                   ON CONFLICT (id) DO UPDATE SET removed = 1""",
                [(e.id,) for e in entries if e.removed])
        return len(entries)

    @guard("read directory users")
    async def get_users(self, user_ids: list[str]) -> dict[str, DirectoryEntry]:
        found: dict[str, DirectoryEntry] = {}
        for start in range(0, len(user_ids), 500):
            chunk = user_ids[start:start + 500]
            rows = self._db.conn.execute(
                f"SELECT * FROM directory_users WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
            found.update((row["id"], _entry(row)) for row in rows)
        return found

    @guard("list directory users")
    async def users_page(self, cursor: str | None, limit: int) -> tuple[list[DirectoryEntry], str | None]:
        rows = self._db.conn.execute(
            "SELECT * FROM directory_users WHERE id > ? ORDER BY id LIMIT ?",
            (cursor or "", limit + 1)).fetchall()
        entries = [_entry(row) for row in rows[:limit]]
        return entries, entries[-1].id if len(rows) > limit else None

    @guard("read the directory checkpoint")
    async def get_checkpoint(self) -> str | None:
        row = self._db.conn.execute("SELECT value FROM directory_state WHERE name = ?",
                                    (_CHECKPOINT,)).fetchone()
        return row["value"] if row else None

    @guard("save the directory checkpoint")
    async def save_checkpoint(self, link: str | None) -> None:
        self._db.conn.execute("INSERT OR REPLACE INTO directory_state (name, value) VALUES (?, ?)",
                              (_CHECKPOINT, link))

    @guard("delete a worker's directory entry")
    async def delete_for_worker(self, worker_id: str) -> None:
        self._db.conn.execute("DELETE FROM directory_users WHERE id = ?", (worker_id,))

    @guard("look for a worker's directory entry")
    async def holds_worker(self, worker_id: str) -> bool:
        row = self._db.conn.execute("SELECT EXISTS (SELECT 1 FROM directory_users WHERE id = ?)",
                                    (worker_id,)).fetchone()
        return bool(row[0])


def _record(row: sqlite3.Row) -> UsageRecord:
    last = row["last_activity"]
    return UsageRecord(date.fromisoformat(row["report_date"]), row["workload"], row["upn"],
                       date.fromisoformat(last) if last else None, row["period_days"],
                       json.loads(row["metrics"]))


_WORKER_UPN = "SELECT upn FROM directory_users WHERE id = ? AND upn != ''"
# The stored summaries (sqlite_adoption.py) hold what the rows said: gone when the rows change.
FORGET_SUMMARIES = ("DELETE FROM usage_summary", "DELETE FROM usage_summary_sets")


def summary_select(chosen: list[tuple[date, str]], thresholds: list[Threshold]) -> tuple[str, list]:
    """SELECT upn, active, met (domain.usage_records.summarise in SQL) and its parameters."""
    keys = [(day.isoformat(), workload) for day, workload in chosen]
    active = " + ".join(f"MAX(CASE WHEN report_date = ? AND workload = ? THEN active ELSE 0 END) * {1 << i}"
                        for i in range(len(keys)))
    met = " + ".join(f"MAX(CASE WHEN workload = ? AND CAST(json_extract(metrics, ?) AS INTEGER) >= ? "
                     f"THEN 1 ELSE 0 END) * {1 << j}" for j in range(len(thresholds))) or "0"
    where = " OR ".join("(report_date = ? AND workload = ?)" for _ in keys)
    params = [v for key in keys for v in key]
    params += [v for t in thresholds for v in (t.workload, f"$.{t.metric}", t.at_least)]
    return (f"SELECT upn, {active} AS active, {met} AS met FROM usage_rows WHERE {where} GROUP BY upn",
            params + [v for key in keys for v in key])


def _forget_summaries(conn: sqlite3.Connection) -> None:
    for statement in FORGET_SUMMARIES:
        conn.execute(statement)


class SqliteUsageStore:
    def __init__(self, db: SqliteConnection):
        self._db = db

    @guard("save usage rows")
    async def save_rows(self, rows: list[UsageRecord]) -> None:
        with self._db.transaction() as conn:
            _forget_summaries(conn)
            conn.executemany(
                "INSERT OR REPLACE INTO usage_rows VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r.report_date.isoformat(), r.workload, r.upn,
                  r.last_activity.isoformat() if r.last_activity else None, r.period_days,
                  int(r.active), json.dumps(r.metrics, separators=(",", ":"))) for r in rows])

    @guard("record a usage import")
    async def record_import(self, imported: UsageImport) -> None:
        i = imported
        self._db.conn.execute("INSERT OR REPLACE INTO usage_imports VALUES (?, ?, ?, ?, ?, ?)",
                              (i.report_date.isoformat(), i.workload, i.period_days, i.rows,
                               int(i.concealed), encode_time(i.imported_at)))

    @guard("list usage imports")
    async def list_imports(self) -> list[UsageImport]:
        rows = self._db.conn.execute("SELECT * FROM usage_imports ORDER BY report_date, workload")
        return [UsageImport(date.fromisoformat(r["report_date"]), r["workload"], r["period_days"],
                            r["rows"], bool(r["concealed"]),
                            decode_time(r["imported_at"]))  # type: ignore[arg-type]
                for r in rows]

    @guard("read usage rows")
    async def rows_page(self, report_date: date, cursor: str | None,
                        limit: int) -> tuple[list[UsageRecord], str | None]:
        workload, _, upn = (cursor or "\t").partition("\t")
        rows = self._db.conn.execute(
            """SELECT * FROM usage_rows WHERE report_date = ? AND (workload, upn) > (?, ?)
               ORDER BY workload, upn LIMIT ?""",
            (report_date.isoformat(), workload, upn, limit + 1)).fetchall()
        records = [_record(row) for row in rows[:limit]]
        last = records[-1] if len(rows) > limit else None
        return records, f"{last.workload}\t{last.upn}" if last else None

    @guard("read a user's usage rows")
    async def rows_of(self, upn: str, chosen: list[tuple[date, str]]) -> list[UsageRecord]:
        days = sorted({day.isoformat() for day, _ in chosen})
        wanted = set(chosen)
        rows = self._db.conn.execute(
            f"SELECT * FROM usage_rows WHERE upn = ? AND report_date IN ({', '.join('?' * len(days))})",
            [upn, *days]).fetchall() if days else []
        return [r for r in map(_record, rows) if (r.report_date, r.workload) in wanted]

    @guard("summarise usage rows")
    async def summaries(self, chosen: list[tuple[date, str]],
                        thresholds: list[Threshold]) -> list[UsageSummary]:
        if not chosen:
            return []
        sql, params = summary_select(chosen, thresholds)
        return [UsageSummary(*row) for row in self._db.conn.execute(sql, params).fetchall()]

    @guard("purge usage rows")
    async def purge_before(self, cutoff: date) -> int:
        with self._db.transaction() as conn:
            _forget_summaries(conn)
            removed = conn.execute("DELETE FROM usage_rows WHERE report_date < ?",
                                   (cutoff.isoformat(),)).rowcount
            conn.execute("DELETE FROM usage_imports WHERE report_date < ?", (cutoff.isoformat(),))
        return removed

    @guard("delete a worker's usage rows")
    async def delete_for_worker(self, worker_id: str) -> None:
        with self._db.transaction() as conn:
            _forget_summaries(conn)
            conn.execute(f"DELETE FROM usage_rows WHERE upn IN ({_WORKER_UPN})", (worker_id,))

    @guard("look for a worker's usage rows")
    async def holds_worker(self, worker_id: str) -> bool:
        row = self._db.conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM usage_rows WHERE upn IN ({_WORKER_UPN}))",
            (worker_id,)).fetchone()
        return bool(row[0])
