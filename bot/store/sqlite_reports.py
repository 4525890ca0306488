"""The admin reports as SQL aggregates (definitions: bot/domain/reports.py).

Each query is a GROUP BY over one covering index (see migration 2), so the work grows with
the rows in the window, and only the aggregated rows reach Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.domain.models import EventKind
from bot.domain.reports import (
    FeedbackItem,
    FeedbackReport,
    MissedQuestion,
    ModuleQuizStats,
    ModuleUsage,
    QuizReport,
    ReportFilter,
    UsageReport,
    WeekUsage,
    ratio,
)
from bot.store.sqlite_migrations import decode_time, encode_time

MOST_MISSED = 3


def _where(
    flt: ReportFilter, time_column: str, *conditions: str, params: Sequence[object] = ()
) -> tuple[str, list[object]]:
    """The WHERE clause of a report query: `conditions`, the date window on `time_column`,
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


def usage_report(conn: sqlite3.Connection, flt: ReportFilter) -> UsageReport:
    cohort, cohort_params = _where(flt, "started_at")
    counts = {row[0]: (row[1], row[2]) for row in conn.execute(
        f"""SELECT module_id, COUNT(*), SUM(status = 'done') FROM progress
            WHERE {cohort} GROUP BY module_id""", cohort_params)}
    medians = dict(conn.execute(
        f"""SELECT module_id, AVG(minutes) FROM (
                SELECT module_id, minutes_to_complete AS minutes,
                       ROW_NUMBER() OVER (PARTITION BY module_id
                                          ORDER BY minutes_to_complete) AS place,
                       COUNT(*) OVER (PARTITION BY module_id) AS members
                FROM progress
                WHERE {cohort} AND status = 'done' AND minutes_to_complete IS NOT NULL)
            WHERE place IN ((members + 1) / 2, (members + 2) / 2)
            GROUP BY module_id""", cohort_params).fetchall())
    stuck_where, stuck_params = _where(flt, "at", "kind = ?", "module_id IS NOT NULL",
                                       params=[EventKind.EXERCISE_STUCK.value])
    stuck = dict(conn.execute(
        f"SELECT module_id, COUNT(*) FROM events WHERE {stuck_where} GROUP BY module_id",
        stuck_params).fetchall())

    modules = []
    for module_id in sorted(counts.keys() | stuck.keys()):
        started, completed = counts.get(module_id, (0, 0))
        median = medians.get(module_id)
        modules.append(ModuleUsage(
            module_id=module_id, started=started, completed=completed,
            completion_rate=ratio(completed, started),
            median_minutes=None if median is None else round(median, 4),
            exercises_stuck=stuck.get(module_id, 0)))

    started_by_week = dict(conn.execute(
        f"SELECT started_week, COUNT(*) FROM progress WHERE {cohort} GROUP BY started_week",
        cohort_params).fetchall())
    done_where, done_params = _where(flt, "completed_at", "status = 'done'")
    completed_by_week = dict(conn.execute(
        f"SELECT completed_week, COUNT(*) FROM progress WHERE {done_where} GROUP BY completed_week",
        done_params).fetchall())
    weeks = [WeekUsage(week=week, started=started_by_week.get(week, 0),
                       completed=completed_by_week.get(week, 0))
             for week in sorted(started_by_week.keys() | completed_by_week.keys())]
    return UsageReport(modules=modules, weeks=weeks)


def quiz_report(conn: sqlite3.Connection, flt: ReportFilter) -> QuizReport:
    submitted, params = _where(flt, "submitted_at", "status = 'submitted'")
    stats = conn.execute(
        f"""SELECT module_id, COUNT(*), COUNT(DISTINCT worker_id), TOTAL(passed), AVG(score)
            FROM attempts WHERE {submitted} GROUP BY module_id ORDER BY module_id""",
        params).fetchall()
    missed_where, missed_params = _where(flt, "submitted_at", "correct = 0")
    missed: dict[str, list[MissedQuestion]] = {}
    for module_id, question_id, misses in conn.execute(
            f"""SELECT module_id, question_id, misses FROM (
                    SELECT module_id, question_id, COUNT(*) AS misses,
                           ROW_NUMBER() OVER (PARTITION BY module_id
                                              ORDER BY COUNT(*) DESC, question_id) AS place
                    FROM answers WHERE {missed_where} GROUP BY module_id, question_id)
                WHERE place <= {MOST_MISSED:d} ORDER BY module_id, place""", missed_params):
        missed.setdefault(module_id, []).append(
            MissedQuestion(question_id=question_id, misses=misses))
    return QuizReport(modules=[
        ModuleQuizStats(
            module_id=module_id, attempts=attempts, workers=workers,
            pass_rate=ratio(passed, attempts),
            average_score=round(average or 0.0, 4),
            most_missed=missed.get(module_id, []))
        for module_id, attempts, workers, passed, average in stats])


def feedback_report(conn: sqlite3.Connection, flt: ReportFilter) -> FeedbackReport:
    where, params = _where(flt, "created_at")
    by_category = dict(conn.execute(
        f"SELECT category, COUNT(*) FROM feedback WHERE {where} GROUP BY category ORDER BY category",
        params).fetchall())
    by_rating = dict(conn.execute(
        f"SELECT rating, COUNT(*) FROM feedback WHERE {where} GROUP BY rating ORDER BY rating",
        params).fetchall())
    average_by_module = {module_id: round(average, 4) for module_id, average in conn.execute(
        f"""SELECT COALESCE(module_id, ''), AVG(rating) FROM feedback WHERE {where}
            GROUP BY 1 ORDER BY 1""", params)}
    items = [FeedbackItem(
        id=row["id"], created_at=decode_time(row["created_at"]), module_id=row["module_id"],
        category=row["category"], rating=row["rating"], status=row["status"],
        locale=row["locale"], anonymous=row["worker_id"] is None, text=row["text"])
        for row in conn.execute(
            f"SELECT * FROM feedback WHERE {where} ORDER BY created_at DESC, id DESC", params)]
    return FeedbackReport(by_category=by_category, by_rating=by_rating,
                          average_rating_by_module=average_by_module, items=items)
