"""The adoption report's facts on SQLite (domain/adoption_patterns.py defines them).

The per-upn usage summary of a set of imports and thresholds is built once (one GROUP BY over
the usage rows) and stored (migration 11); the rows changing forgets it. A report then joins
the enabled directory users, their completions as module bits and the stored summary, and
counts the workers per (department, pattern) in SQL: a few hundred rows reach Python.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from domain.adoption_patterns import Pattern, PatternFacts, PatternQuery, WorkerPattern, count_patterns
from domain.report_facts import COMPLETED
from bot.store.sqlite_connection import SqliteConnection, guard
from bot.store.sqlite_migrations import encode_time
from bot.store.sqlite_reader import SqliteReader
from bot.store.sqlite_usage import summary_select


def _set_key(query: PatternQuery) -> str:
    return json.dumps([[[day.isoformat(), workload] for day, workload in query.chosen],
                       [[t.workload, t.metric, t.at_least] for t in query.thresholds]])


def _module_bits(query: PatternQuery) -> tuple[str, list]:
    cases = " ".join(f"WHEN ? THEN {1 << k}" for k in range(len(query.modules)))
    return (f"CASE module_id {cases} ELSE 0 END" if query.modules else "0"), list(query.modules)


def _meets(query: PatternQuery) -> str:
    """The modules met, from the summary's threshold bits and the domain's requirement masks."""
    terms = []
    for k, masks in enumerate(query.requirements):
        holds = " AND ".join(f"(met & {mask:d}) != 0" for mask in masks) or "1"
        terms.append(f"CASE WHEN {holds} THEN {1 << k:d} ELSE 0 END")
    return " + ".join(terms) or "0"


def _people(query: PatternQuery, set_id: int) -> tuple[str, list]:
    """One row per reportable worker: id, name, department, done, judged, active, meets."""
    bits, bit_params = _module_bits(query)
    judged_before = (query.judged_through + timedelta(days=1)).isoformat()  # text order = time order
    # status inline: the partial covering index idx_progress_done_worker then serves it
    sql = f"""
        WITH done AS (
            SELECT worker_id, SUM({bits}) AS done,
                   SUM(CASE WHEN completed_at < ? THEN {bits} ELSE 0 END) AS judged
            FROM progress WHERE status = '{COMPLETED.value}' AND completed_at IS NOT NULL
            GROUP BY worker_id),
        summary AS (SELECT upn, active, {_meets(query)} AS meets FROM usage_summary WHERE set_id = ?)
        SELECT d.id AS id, CASE WHEN d.name != '' THEN d.name ELSE d.upn END AS name,
               CASE WHEN d.department != '' THEN d.department ELSE '-' END AS department,
               COALESCE(done.done, 0) AS done, COALESCE(done.judged, 0) AS judged,
               COALESCE(s.active, 0) AS active, COALESCE(s.meets, 0) AS meets
        FROM directory_users d
        LEFT JOIN done ON done.worker_id = d.id
        LEFT JOIN summary s ON s.upn = d.upn
        WHERE d.enabled = 1 AND d.removed = 0 AND d.upn != ''"""
    return sql, bit_params + [judged_before] + bit_params + [set_id]


class SqliteAdoptionFacts:
    def __init__(self, db: SqliteConnection, reader: SqliteReader):
        self._db = db
        self._reader = reader

    @guard("summarise usage rows")
    async def prepare(self, query: PatternQuery) -> int:
        """The stored summary's id for the query, built now if it is not stored yet."""
        key = _set_key(query)
        row = self._db.conn.execute("SELECT id FROM usage_summary_sets WHERE set_key = ?", (key,)).fetchone()
        if row:
            return row[0]
        with self._db.transaction() as conn:
            row = conn.execute("SELECT id FROM usage_summary_sets WHERE set_key = ?", (key,)).fetchone()
            if row:  # another process built it meanwhile
                return row[0]
            set_id = conn.execute("INSERT INTO usage_summary_sets (set_key, built_at) VALUES (?, ?)",
                                  (key, encode_time(datetime.now(timezone.utc)))).lastrowid
            if query.chosen:
                sql, params = summary_select(list(query.chosen), list(query.thresholds))
                conn.execute(f"INSERT INTO usage_summary SELECT ?, upn, active, met FROM ({sql})",
                             [set_id] + params)
        return set_id  # type: ignore[return-value]

    async def pattern_facts(self, query: PatternQuery, workers: bool = False) -> PatternFacts:
        set_id = await self.prepare(query)
        people, params = _people(query, set_id)
        tenant = ", ".join(f"SUM((active >> {i}) & 1)" for i in range(len(query.chosen))) or "0"

        def read(conn: sqlite3.Connection) -> PatternFacts:
            totals = conn.execute(f"SELECT {tenant} FROM usage_summary WHERE set_id = ?", (set_id,)).fetchone()
            active = {w: totals[i] or 0 for i, w in enumerate(query.workloads)}
            if not workers:
                counts = conn.execute(
                    f"""SELECT department, done, judged, active, meets, COUNT(*) FROM ({people})
                        GROUP BY department, done, judged, active, meets""", params).fetchall()
                return PatternFacts([(Pattern(*row[:5]), row[5]) for row in counts], active, [])
            rows = conn.execute(f"{people} ORDER BY department, name, id", params).fetchall()
            found = list(map(WorkerPattern._make, rows))
            return PatternFacts(count_patterns(found), active, found)
        return await self._reader.read("count the adoption patterns", read)
