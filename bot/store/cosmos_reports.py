"""Admin reports on Cosmos DB, from the pre-aggregated counters (cosmos_counters.py).

A report reads one small document per module, locale and UTC day in the window (plus, for
quizzes, one COUNT per module), never the source records; a module filter keeps the query in
one partition. Feedback is the exception: the report lists the items themselves, so it is one
query over feedback documents in the window. Definitions: domain/reports.py.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict
from datetime import date
from typing import Any

from domain.models import Feedback
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
    median,
    ratio,
)
from bot.store.cosmos_container import Docs
from bot.store.cosmos_counters import partition_of
from bot.store.cosmos_docs import encode_time, from_doc

MOST_MISSED = 3


def _iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _counter_query(flt: ReportFilter, kinds: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    clauses = [f"c.kind IN ({', '.join(repr(k) for k in kinds)})"]
    params: dict[str, Any] = {}
    if flt.module_id is not None:
        clauses.append("c.pk = @pk")
        params["@pk"] = partition_of(kinds[0], flt.module_id)
    clauses += _window_clauses(flt, params, day="c.day", locale="c.locale")
    return f"SELECT * FROM c WHERE {' AND '.join(clauses)}", params


def _window_clauses(flt: ReportFilter, params: dict[str, Any], *, day: str, locale: str) -> list[str]:
    """The filter's days and locale as query clauses on the given fields (params filled in)."""
    clauses = []
    if flt.since:
        clauses.append(f"{day} >= @since")
        params["@since"] = flt.since.isoformat()
    if flt.until:
        clauses.append(f"{day} <= @until")
        params["@until"] = flt.until.isoformat()
    if flt.locale is not None:
        clauses.append(f"{locale} = @locale")
        params["@locale"] = flt.locale
    return clauses


def _positive(histogram: dict[str, float]) -> dict[str, int]:
    return {key: int(n) for key, n in histogram.items() if n > 0}


class CosmosReportStore:
    def __init__(self, stats: Docs, workers: Docs):
        self._stats = stats
        self._workers = workers

    async def _counters(self, flt: ReportFilter, *kinds: str) -> list[dict]:
        sql, params = _counter_query(flt, kinds)
        partition = partition_of(kinds[0], flt.module_id) if flt.module_id is not None else None
        return await self._stats.query(sql, params, f"read the {kinds[0]} counters",
                                       partition=partition)

    async def usage_report(self, flt: ReportFilter) -> UsageReport:
        started: Tally[str] = Tally()
        done: Tally[str] = Tally()
        stuck: Tally[str] = Tally()
        minutes: dict[str, Tally[int]] = defaultdict(Tally)
        started_weeks: Tally[str] = Tally()
        completed_weeks: Tally[str] = Tally()
        for doc in await self._counters(flt, "usage", "stuck"):
            module, week = doc["moduleId"], _iso_week(doc["day"])
            if doc["kind"] == "stuck":
                stuck[module] += int(doc.get("stuck", 0))
                continue
            started[module] += int(doc.get("started", 0))
            done[module] += int(doc.get("done", 0))
            for value, n in _positive(doc.get("minutes", {})).items():
                minutes[module][int(value)] += n
            started_weeks[week] += int(doc.get("started", 0))
            completed_weeks[week] += int(doc.get("completed", 0))
        modules = []
        for module in sorted(m for m in started.keys() | stuck.keys()
                             if started[m] > 0 or stuck[m] > 0):
            cohort, completed = max(started[module], 0), max(done[module], 0)
            middle = median([float(v) for v in sorted(minutes[module].elements())])
            modules.append(ModuleUsage(
                module_id=module, started=cohort, completed=completed,
                completion_rate=ratio(completed, cohort),
                median_minutes=None if middle is None else round(middle, 4),
                exercises_stuck=max(stuck[module], 0)))
        weeks = [WeekUsage(week=week, started=max(started_weeks[week], 0),
                           completed=max(completed_weeks[week], 0))
                 for week in sorted(started_weeks.keys() | completed_weeks.keys())
                 if started_weeks[week] > 0 or completed_weeks[week] > 0]
        return UsageReport(modules=modules, weeks=weeks)

    async def quiz_report(self, flt: ReportFilter) -> QuizReport:
        attempts: Tally[str] = Tally()
        passed: Tally[str] = Tally()
        score_sum: dict[str, float] = defaultdict(float)
        score_count: Tally[str] = Tally()
        misses: dict[str, Tally[str]] = defaultdict(Tally)
        for doc in await self._counters(flt, "quiz"):
            module = doc["moduleId"]
            attempts[module] += int(doc.get("attempts", 0))
            passed[module] += int(doc.get("passed", 0))
            score_sum[module] += float(doc.get("scoreSum", 0.0))
            score_count[module] += int(doc.get("scoreCount", 0))
            for question, n in _positive(doc.get("misses", {})).items():
                misses[module][question] += n
        modules = []
        for module in sorted(m for m in attempts if attempts[m] > 0):
            ranked = sorted(((q, n) for q, n in misses[module].items() if n > 0),
                            key=lambda item: (-item[1], item[0]))[:MOST_MISSED]
            average = score_sum[module] / score_count[module] if score_count[module] else 0.0
            modules.append(ModuleQuizStats(
                module_id=module, attempts=attempts[module],
                workers=await self._distinct_workers(flt, module),
                pass_rate=ratio(passed[module], attempts[module]),
                average_score=round(average, 4),
                most_missed=[MissedQuestion(question_id=q, misses=n) for q, n in ranked]))
        return QuizReport(modules=modules)

    async def _distinct_workers(self, flt: ReportFilter, module: str) -> int:
        partition = partition_of("quiz", module)
        params: dict[str, Any] = {"@pk": partition}
        clauses = _window_clauses(flt, params, day="d.d", locale="d.l")
        inner = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = ("SELECT VALUE COUNT(1) FROM c WHERE c.pk = @pk AND c.kind = 'quizWorker' "
               f"AND EXISTS(SELECT VALUE d FROM d IN c.days{inner})")
        result = await self._stats.query(sql, params, f"count the quiz workers of {module}",
                                         partition=partition)
        return int(result[0]) if result else 0

    async def feedback_report(self, flt: ReportFilter) -> FeedbackReport:
        clauses, params = ["c.type = 'feedback'"], {}
        if flt.start():
            clauses.append("c.created_at >= @start")
            params["@start"] = encode_time(flt.start())
        if flt.end():
            clauses.append("c.created_at < @end")
            params["@end"] = encode_time(flt.end())
        if flt.module_id is not None:
            clauses.append("c.module_id = @module")
            params["@module"] = flt.module_id
        if flt.locale is not None:
            clauses.append("c.locale = @locale")
            params["@locale"] = flt.locale
        docs = await self._workers.query(f"SELECT * FROM c WHERE {' AND '.join(clauses)}",
                                         params, "read feedback for the report")
        items = sorted((from_doc(Feedback, d) for d in docs),
                       key=lambda f: (f.created_at, f.id), reverse=True)
        by_category = Tally(f.category.value for f in items)
        by_rating = Tally(f.rating for f in items)
        ratings: dict[str, list[int]] = defaultdict(list)
        for f in items:
            ratings[f.module_id or ""].append(f.rating)
        return FeedbackReport(
            by_category=dict(sorted(by_category.items())),
            by_rating=dict(sorted(by_rating.items())),
            average_rating_by_module={m: round(sum(r) / len(r), 4)
                                      for m, r in sorted(ratings.items())},
            items=[FeedbackItem(
                id=f.id, created_at=f.created_at, module_id=f.module_id, category=f.category,
                rating=f.rating, status=f.status, locale=f.locale,
                anonymous=f.worker_id is None, text=f.text) for f in items])
