"""The report facts (domain/report_facts.py) of the SQLite adapter, as SQL aggregates; the
reports themselves are computed by domain/report_rules.py.

Each query is a GROUP BY over a covering index (see migration 2), or over the per-day rollup
`progress_days` (migration 10, sqlite_rollups.py) for starts and completions per day, and only
aggregated rows reach Python. Where statistics from ANALYZE could lure the planner onto a time index that is
not covering (events(at) for retention), INDEXED BY pins the covering one. A report's facts
are read in one DEFERRED transaction (`snapshot`), so they agree with each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date

from domain.models import EventKind, ExerciseMark
from domain.report_facts import COMPLETED, SUBMITTED
from domain.report_facts import CohortRow, ExerciseMarks, FeedbackPage, FeedbackRow, MissCount, QuizTotals
from domain.reports import ReportFilter
from bot.store.sqlite_reader import SqliteReader
from bot.store.sqlite_migrations import decode_time, encode_time


def _where(
    flt: ReportFilter, time_column: str, *conditions: str, params: Sequence[object] = ()
) -> tuple[str, list[object]]:
    """The WHERE clause of a fact query: `conditions`, the date window on `time_column`,
    and the module / locale filters."""
    clauses, values = list(conditions), list(params)
    start, end = flt.start(), flt.end()
    clauses.append(f"{time_column} IS NOT NULL")
    if start:
        clauses.append(f"{time_column} >= ?")
        values.append(encode_time(start))
    if end:
        clauses.append(f"{time_column} < ?")
        values.append(encode_time(end))
    if flt.module_id is not None:
        clauses.append("module_id = ?")
        values.append(flt.module_id)
    if flt.locale is not None:
        clauses.append("locale = ?")
        values.append(flt.locale)
    return " AND ".join(clauses), values


def _days(rows: Sequence[tuple[str, int]]) -> dict[date, int]:
    return {date.fromisoformat(day): count for day, count in rows}


def cohort(conn: sqlite3.Connection, flt: ReportFilter) -> list[CohortRow]:
    where, params = _where(flt, "started_at")
    return [CohortRow(module_id, status == COMPLETED.value, minutes, members)
            for module_id, status, minutes, members in conn.execute(
                f"""SELECT module_id, status, minutes_to_complete, COUNT(*) FROM progress
                    WHERE {where} GROUP BY module_id, status, minutes_to_complete""", params)]


def _days_where(flt: ReportFilter) -> tuple[str, list[object]]:
    """The filter on the rollup `progress_days` (sqlite_rollups.py): whole UTC days inclusive."""
    clauses, values = ["1 = 1"], []
    for clause, value in (("day >= ?", flt.since), ("day <= ?", flt.until)):
        if value is not None:
            clauses.append(clause)
            values.append(value.isoformat())
    for column, value in (("module_id", flt.module_id), ("locale", flt.locale)):
        if value is not None:
            clauses.append(f"{column} = ?")
            values.append(value)
    return " AND ".join(clauses), values


def cohort_totals(conn: sqlite3.Connection, flt: ReportFilter) -> list[CohortRow]:
    where, params = _days_where(flt)
    rows = conn.execute(f"""SELECT module_id, TOTAL(started), TOTAL(started_done) FROM progress_days
                            WHERE {where} GROUP BY module_id""", params).fetchall()
    return [CohortRow(module_id, completed, None, int(count)) for module_id, started, done in rows
            for completed, count in ((False, started - done), (True, done)) if count]


def _rollup_by_day(conn: sqlite3.Connection, flt: ReportFilter, column: str) -> dict[date, int]:
    where, params = _days_where(flt)
    return _days(conn.execute(f"""SELECT day, SUM({column}) AS n FROM progress_days WHERE {where}
                                  GROUP BY day HAVING n > 0""", params).fetchall())


def started_by_day(conn: sqlite3.Connection, flt: ReportFilter) -> dict[date, int]:
    return _rollup_by_day(conn, flt, "started")


def completed_by_day(conn: sqlite3.Connection, flt: ReportFilter) -> dict[date, int]:
    return _rollup_by_day(conn, flt, "completed")


def exercise_marks(conn: sqlite3.Connection, flt: ReportFilter) -> dict[str, ExerciseMarks]:
    where, params = _where(flt, "started_at", "exercises != '{}'")
    counted = "(SELECT COUNT(*) FROM json_each(progress.exercises) WHERE value = '{}')"
    return {module_id: ExerciseMarks(int(done), int(skipped))
            for module_id, done, skipped in conn.execute(
                f"""SELECT module_id, TOTAL({counted.format(ExerciseMark.DONE.value)}),
                           TOTAL({counted.format(ExerciseMark.SKIPPED.value)})
                    FROM progress WHERE {where} GROUP BY module_id""",
                params)}


def stuck_by_module(conn: sqlite3.Connection, flt: ReportFilter) -> dict[str, int]:
    where, params = _where(flt, "at", "kind = ?", "module_id IS NOT NULL",
                           params=[EventKind.EXERCISE_STUCK.value])
    return dict(conn.execute(
        f"""SELECT module_id, COUNT(*) FROM events INDEXED BY idx_events_kind_module
            WHERE {where} GROUP BY module_id""", params).fetchall())


def _submitted(flt: ReportFilter) -> tuple[str, list[object]]:
    # Literal statuses (domain constants): the partial indexes are chosen only for literals.
    return _where(flt, "submitted_at", f"status = '{SUBMITTED.value}'")


def quiz_totals(conn: sqlite3.Connection, flt: ReportFilter) -> list[QuizTotals]:
    where, params = _submitted(flt)
    return [QuizTotals(module_id, attempts, int(passed), score_sum, score_count)
            for module_id, attempts, passed, score_sum, score_count in conn.execute(
                f"""SELECT module_id, COUNT(*), TOTAL(passed), TOTAL(score), COUNT(score)
                    FROM attempts INDEXED BY idx_attempts_submitted
                    WHERE {where} GROUP BY module_id""", params)]


def quiz_workers(conn: sqlite3.Connection, flt: ReportFilter, modules: list[str]) -> dict[str, int]:
    where, params = _submitted(flt)
    counts = dict(conn.execute(
        f"""SELECT module_id, COUNT(DISTINCT worker_id) FROM attempts
            INDEXED BY idx_attempts_submitted WHERE {where} GROUP BY module_id""",
        params).fetchall())
    return {module_id: counts.get(module_id, 0) for module_id in modules}


def quiz_misses(conn: sqlite3.Connection, flt: ReportFilter) -> list[MissCount]:
    # answers.submitted_at is set when (and only when) the attempt is submitted.
    where, params = _where(flt, "submitted_at", "correct = 0")
    return [MissCount(*row) for row in conn.execute(
        f"""SELECT module_id, question_id, COUNT(*) FROM answers INDEXED BY idx_answers_missed
            WHERE {where} GROUP BY module_id, question_id""", params)]


def feedback_page(conn: sqlite3.Connection, flt: ReportFilter, cursor: str | None,
                  limit: int) -> FeedbackPage:
    """Newest first, keyset-paged on (created_at, id): the cursor is the last row's pair."""
    after = cursor.split("|", 1) if cursor else None
    keyset = ["created_at <= ?", "(created_at < ? OR id < ?)"] if after else []
    where, params = _where(flt, "created_at", *keyset,
                           params=[after[0], after[0], after[1]] if after else [])
    rows = conn.execute(
        f"""SELECT * FROM feedback WHERE {where}
            ORDER BY created_at DESC, id DESC LIMIT {limit + 1:d}""", params).fetchall()
    items = [FeedbackRow(r["id"], r["worker_id"], r["module_id"], r["rating"], r["category"],
                         r["text"], r["locale"], r["status"], decode_time(r["created_at"]))
             for r in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return FeedbackPage(items, f"{last['created_at']}|{last['id']}" if last else None)


class SqliteReportFacts:
    """Read by the store's second, read-only connection in its own thread (sqlite_reader.py),
    so a heavy report never stalls a worker's turn on the main connection."""

    def __init__(self, reader: SqliteReader):
        self._reader = reader

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        return self._reader.snapshot()

    async def cohort(self, flt: ReportFilter) -> list[CohortRow]:
        return await self._reader.read("count the progress for the usage report", lambda c: cohort(c, flt))

    async def cohort_totals(self, flt: ReportFilter) -> list[CohortRow]:
        return await self._reader.read("count the progress for the overview", lambda c: cohort_totals(c, flt))

    async def started_by_day(self, flt: ReportFilter) -> dict[date, int]:
        return await self._reader.read("count the progress for the usage report",
                                       lambda c: started_by_day(c, flt))

    async def completed_by_day(self, flt: ReportFilter) -> dict[date, int]:
        return await self._reader.read("count the completions for the usage report",
                                       lambda c: completed_by_day(c, flt))

    async def exercise_marks(self, flt: ReportFilter) -> dict[str, ExerciseMarks]:
        return await self._reader.read("count the exercises for the usage report",
                                       lambda c: exercise_marks(c, flt))

    async def stuck_by_module(self, flt: ReportFilter) -> dict[str, int]:
        return await self._reader.read("count the stuck events for the usage report",
                                       lambda c: stuck_by_module(c, flt))

    async def quiz_totals(self, flt: ReportFilter) -> list[QuizTotals]:
        return await self._reader.read("count the quiz attempts for the quiz report",
                                       lambda c: quiz_totals(c, flt))

    async def quiz_workers(self, flt: ReportFilter, modules: list[str]) -> dict[str, int]:
        return await self._reader.read("count the quiz workers for the quiz report",
                                       lambda c: quiz_workers(c, flt, modules))

    async def quiz_misses(self, flt: ReportFilter) -> list[MissCount]:
        return await self._reader.read("count the missed questions for the quiz report",
                                       lambda c: quiz_misses(c, flt))

    async def feedback_page(self, flt: ReportFilter, cursor: str | None,
                            limit: int) -> FeedbackPage:
        return await self._reader.read("read feedback for the feedback report",
                                       lambda c: feedback_page(c, flt, cursor, limit))
