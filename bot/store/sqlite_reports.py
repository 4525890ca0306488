"""The admin reports as SQL aggregates (definitions: domain/reports.py).

Each query is a GROUP BY over a covering index (see migration 2) and only aggregated rows
reach Python. Where statistics from ANALYZE could lure the planner onto a time index that is
not covering (events(at) for retention), INDEXED BY pins the covering one. The median comes from a histogram of minutes, computed here from its counts.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence

from domain.models import EventKind, ProgressStatus
from domain.reports import (
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


def histogram_median(histogram: list[tuple[int, int]]) -> float | None:
    """The median of values given as ascending (value, count) pairs."""
    total = sum(count for _, count in histogram)
    if total == 0:
        return None
    low, high = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    seen, low_value = 0, None
    for value, count in histogram:
        seen += count
        if low_value is None and seen > low:
            low_value = value
        if seen > high:
            return (low_value + value) / 2
    raise AssertionError("unreachable: the positions are below the total")


def usage_report(conn: sqlite3.Connection, flt: ReportFilter) -> UsageReport:
    cohort, cohort_params = _where(flt, "started_at")
    started: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    minutes_histogram: dict[str, list[tuple[int, int]]] = defaultdict(list)
    # The median from a histogram: one GROUP BY, a few rows per distinct minute count.
    for module_id, status, minutes, members in conn.execute(
            f"""SELECT module_id, status, minutes_to_complete, COUNT(*) FROM progress
                WHERE {cohort} GROUP BY module_id, status, minutes_to_complete
                ORDER BY module_id, status, minutes_to_complete""", cohort_params):
        started[module_id] += members
        if status == ProgressStatus.DONE:
            completed[module_id] += members
            if minutes is not None:
                minutes_histogram[module_id].append((minutes, members))
    stuck_where, stuck_params = _where(flt, "at", "kind = ?", "module_id IS NOT NULL",
                                       params=[EventKind.EXERCISE_STUCK.value])
    stuck = dict(conn.execute(
        f"""SELECT module_id, COUNT(*) FROM events INDEXED BY idx_events_kind_module
            WHERE {stuck_where} GROUP BY module_id""",
        stuck_params).fetchall())

    modules = []
    for module_id in sorted(started.keys() | stuck.keys()):
        median = histogram_median(minutes_histogram.get(module_id, []))
        modules.append(ModuleUsage(
            module_id=module_id, started=started[module_id], completed=completed[module_id],
            completion_rate=ratio(completed[module_id], started[module_id]),
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
            FROM attempts INDEXED BY idx_attempts_submitted
            WHERE {submitted} GROUP BY module_id ORDER BY module_id""",
        params).fetchall()
    missed_where, missed_params = _where(flt, "submitted_at", "correct = 0")
    missed: dict[str, list[MissedQuestion]] = {}
    for module_id, question_id, misses in conn.execute(
            f"""SELECT module_id, question_id, misses FROM (
                    SELECT module_id, question_id, COUNT(*) AS misses,
                           ROW_NUMBER() OVER (PARTITION BY module_id
                                              ORDER BY COUNT(*) DESC, question_id) AS place
                    FROM answers INDEXED BY idx_answers_missed
                    WHERE {missed_where} GROUP BY module_id, question_id)
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
