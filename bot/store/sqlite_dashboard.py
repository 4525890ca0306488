"""The dashboard facts (domain/dashboard.py) of the SQLite adapter, read by the second,
read-only connection in its own thread (sqlite_reader.py): a heavy figure never stalls a turn.
Indexes: migration 8; the rollups of migration 10 (sqlite_rollups.py) answer the overview's
distinct counts of the default window without reading every event or completion."""

from __future__ import annotations

import json
import sqlite3

from domain.dashboard import BestScore, Counts, FirstAttempts, Page, StuckStep, WorkerQuery, WorkerRow
from domain.dashboard import WrongChoice
from domain.models import EventKind
from domain.reports import ReportFilter
from bot.store.sqlite_migrations import decode_time, encode_time
from bot.store.sqlite_reader import SqliteReader
from bot.store.sqlite_reports import _where as where_clause

# A worker's language in SQL (domain.dashboard.worker_language).
LANGUAGE = """CASE WHEN language IN ('en', 'sv', 'nl') THEN language
    WHEN lower(substr(teams_locale, 1, 2)) IN ('sv', 'nl') THEN lower(substr(teams_locale, 1, 2))
    ELSE 'en' END"""


def counts(conn: sqlite3.Connection, flt: ReportFilter, active: ReportFilter) -> Counts:
    end = flt.end()
    installed_sql = f"SELECT COUNT(*) FROM workers WHERE installed = 1"
    params: list[object] = []
    if end:
        installed_sql += " AND created_at < ?"
        params.append(encode_time(end))
    if flt.locale:
        installed_sql += f" AND ({LANGUAGE}) = ?"
        params.append(flt.locale)
    installed = conn.execute(installed_sql, params).fetchone()[0]
    active_count = _active(conn, active)
    trained = _trained(conn, flt)
    open_where, open_params = where_clause(flt, "created_at", "status = 'new'")
    open_feedback = conn.execute(f"SELECT COUNT(*) FROM feedback WHERE {open_where}", open_params).fetchone()[0]
    return Counts(installed, active_count, trained, open_feedback)


def _active(conn: sqlite3.Connection, active: ReportFilter) -> int:
    """From the rollup of each worker's latest event when it answers exactly: no module or
    locale filter, and no event at or after the window's end (so a latest event in the window
    is the same as some event in it); else counted from the events."""
    start, end = active.start(), active.end()
    if active.module_id is None and active.locale is None and start is not None and end is not None:
        later = conn.execute("SELECT EXISTS (SELECT 1 FROM events WHERE at >= ?)", [encode_time(end)]).fetchone()[0]
        if not later:
            return conn.execute("SELECT COUNT(*) FROM worker_last_event WHERE last_at >= ?",
                                [encode_time(start)]).fetchone()[0]
    where, params = where_clause(active, "at", "worker_id IS NOT NULL")
    return conn.execute(f"SELECT COUNT(DISTINCT worker_id) FROM events INDEXED BY idx_events_at_worker WHERE {where}",
                        params).fetchone()[0]


def _trained(conn: sqlite3.Connection, flt: ReportFilter) -> int:
    """With no start date, module or locale: the workers whose first completion is before the
    window's end (the rollup trained_workers); else counted from the progress records."""
    if flt.since is None and flt.module_id is None and flt.locale is None:
        end = flt.end()
        sql, params = "SELECT COUNT(*) FROM trained_workers", []
        if end is not None:
            sql, params = sql + " WHERE first_done_at < ?", [encode_time(end)]
        return conn.execute(sql, params).fetchone()[0]
    where, params = where_clause(flt, "completed_at", "status = 'done'")
    return conn.execute(f"SELECT COUNT(DISTINCT worker_id) FROM progress INDEXED BY idx_progress_done_worker "
                        f"WHERE {where}", params).fetchone()[0]


def quiz_passers(conn: sqlite3.Connection, flt: ReportFilter) -> dict[str, int]:
    where, params = where_clause(flt, "submitted_at", "status = 'submitted'", "passed = 1")
    return dict(conn.execute(
        f"""SELECT module_id, COUNT(DISTINCT worker_id) FROM attempts INDEXED BY idx_attempts_submitted
            WHERE {where} GROUP BY module_id""", params).fetchall())


def stuck_steps(conn: sqlite3.Connection, flt: ReportFilter) -> list[StuckStep]:
    where, params = where_clause(flt, "at", "kind = ?", "module_id IS NOT NULL", "step_index IS NOT NULL",
                                 params=[EventKind.EXERCISE_STUCK.value])
    return [StuckStep(*row) for row in conn.execute(
        f"SELECT module_id, step_index, COUNT(*) FROM events WHERE {where} GROUP BY module_id, step_index",
        params)]


def first_attempts(conn: sqlite3.Connection, flt: ReportFilter) -> list[FirstAttempts]:
    module = ReportFilter(module_id=flt.module_id)
    inner, inner_params = where_clause(module, "submitted_at", "status = 'submitted'")
    window = flt.model_copy(update={"module_id": None})
    outer, outer_params = where_clause(window, "submitted_at")
    return [FirstAttempts(*row) for row in conn.execute(
        f"""SELECT module_id, COUNT(*), TOTAL(passed) FROM (
                SELECT module_id, worker_id, passed, locale, MIN(submitted_at) AS submitted_at
                FROM attempts INDEXED BY idx_attempts_submitted WHERE {inner}
                GROUP BY module_id, worker_id)
            WHERE {outer} GROUP BY module_id""", inner_params + outer_params)]


def wrong_choices(conn: sqlite3.Connection, flt: ReportFilter) -> list[WrongChoice]:
    where, params = where_clause(flt, "submitted_at", "correct = 0")
    return [WrongChoice(module_id, question_id, tuple(sorted(json.loads(chosen))), count)
            for module_id, question_id, chosen, count in conn.execute(
                f"""SELECT module_id, question_id, chosen, COUNT(*) FROM answers WHERE {where}
                    GROUP BY module_id, question_id, chosen""", params)]


def best_scores(conn: sqlite3.Connection, flt: ReportFilter, offset: int, limit: int) -> Page:
    where, params = where_clause(flt, "submitted_at", "status = 'submitted'")
    grouped = f"""SELECT worker_id, module_id, MAX(score) AS best, MAX(passed) AS passed, COUNT(*) AS tries
                  FROM attempts INDEXED BY idx_attempts_submitted WHERE {where} GROUP BY worker_id, module_id"""
    total = conn.execute(f"SELECT COUNT(*) FROM ({grouped})", params).fetchone()[0]
    rows = [BestScore(worker_id, name or "", module_id, best or 0.0, bool(passed), tries)
            for worker_id, name, module_id, best, passed, tries in conn.execute(
                f"""SELECT g.worker_id, w.name, g.module_id, g.best, g.passed, g.tries
                    FROM ({grouped}) AS g LEFT JOIN workers AS w ON w.id = g.worker_id
                    ORDER BY w.name, g.worker_id, g.module_id LIMIT ? OFFSET ?""",
                [*params, limit, offset])]
    return Page(rows, total)


def workers(conn: sqlite3.Connection, flt: ReportFilter, query: WorkerQuery) -> Page:
    window = flt.model_copy(update={"locale": None})
    done_where, done_params = where_clause(window, "completed_at", "status = 'done'", "worker_id = w.id")
    passed_where, passed_params = where_clause(window, "submitted_at", "status = 'submitted'", "passed = 1",
                                               "worker_id = w.id")
    clauses, params = ["1 = 1"], []
    if flt.locale:
        clauses.append(f"({LANGUAGE}) = ?")
        params.append(flt.locale)
    if query.search:
        clauses.append("instr(casefold(name), ?) > 0")  # any case, any script; text, not a pattern
        params.append(query.search.casefold())
    if query.not_trained:
        clauses.append(f"NOT EXISTS (SELECT 1 FROM progress WHERE {done_where})")
        params += done_params
    where = " AND ".join(clauses)
    total = conn.execute(f"SELECT COUNT(*) FROM workers AS w WHERE {where}", params).fetchone()[0]
    rows = [WorkerRow(r[0], r[1], r[2], bool(r[3]), r[4], r[5], decode_time(r[6])) for r in conn.execute(
        f"""SELECT w.id, w.name, {LANGUAGE}, w.installed,
                   (SELECT COUNT(*) FROM progress WHERE {done_where}),
                   (SELECT COUNT(DISTINCT module_id) FROM attempts WHERE {passed_where}),
                   (SELECT MAX(at) FROM events INDEXED BY idx_events_worker_at WHERE worker_id = w.id)
            FROM workers AS w INDEXED BY idx_workers_name WHERE {where}
            ORDER BY w.name, w.id LIMIT ? OFFSET ?""",
        [*done_params, *passed_params, *params, query.limit, query.offset])]
    return Page(rows, total)


class SqliteDashboardFacts:
    def __init__(self, reader: SqliteReader):
        self._reader = reader

    def close(self) -> None:
        pass  # the reader belongs to the store

    async def data_version(self) -> int:
        """For caches of figures (the overview's): unchanged while nothing was written."""
        return await self._reader.data_version()

    async def counts(self, flt: ReportFilter, active: ReportFilter) -> Counts:
        return await self._reader.read("count the dashboard's workers", lambda c: counts(c, flt, active))

    async def quiz_passers(self, flt: ReportFilter) -> dict[str, int]:
        return await self._reader.read("count quiz passes", lambda c: quiz_passers(c, flt))

    async def stuck_steps(self, flt: ReportFilter) -> list[StuckStep]:
        return await self._reader.read("count stuck steps", lambda c: stuck_steps(c, flt))

    async def first_attempts(self, flt: ReportFilter) -> list[FirstAttempts]:
        return await self._reader.read("count first attempts", lambda c: first_attempts(c, flt))

    async def wrong_choices(self, flt: ReportFilter) -> list[WrongChoice]:
        return await self._reader.read("count wrong choices", lambda c: wrong_choices(c, flt))

    async def best_scores(self, flt: ReportFilter, offset: int, limit: int) -> Page:
        return await self._reader.read("list best scores", lambda c: best_scores(c, flt, offset, limit))

    async def workers(self, flt: ReportFilter, query: WorkerQuery) -> Page:
        return await self._reader.read("list workers", lambda c: workers(c, flt, query))
