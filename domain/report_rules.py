"""The admin reports, computed once for every store from its fact queries
(domain/report_facts.py). Definitions: domain/reports.py.

`Reports(facts)` is what each adapter offers as `store.reports`; a new report is one more
function here plus, at most, one more fact query per adapter.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from .report_facts import CohortRow, ExerciseMarks, FeedbackRow, MissCount, QuizTotals, ReportFacts
from .reports import FeedbackItem, FeedbackReport, MissedQuestion, ModuleQuizStats, ModuleUsage
from .reports import QuizReport, ReportFilter, UsageReport, WeekUsage, iso_week, ratio

MOST_MISSED = 3  # questions listed per module in the quiz report
FEEDBACK_PAGE = 5000  # feedback items asked for per fact query
DECIMALS = 4


def histogram_median(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs: the middle value, or the mean of
    the two middle values for an even count; None when there are none."""
    pairs = sorted((value, count) for value, count in histogram if count > 0)
    total = sum(count for _, count in pairs)
    if total == 0:
        return None
    low, high = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    seen, low_value = 0, None
    for value, count in pairs:
        seen += count
        if low_value is None and seen > low:
            low_value = value
        if seen > high:
            return (low_value + value) / 2
    raise AssertionError("unreachable: the positions are below the total")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _by_week(by_day: dict[date, int]) -> Counter[str]:
    weeks: Counter[str] = Counter()
    for day, count in by_day.items():
        weeks[iso_week(day)] += count
    return weeks


def usage_modules(cohort: list[CohortRow], stuck: dict[str, int],
                  marks: dict[str, ExerciseMarks] | None = None) -> list[ModuleUsage]:
    marks = marks or {}
    started: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    minutes: dict[str, Counter[int]] = defaultdict(Counter)
    for row in cohort:
        started[row.module_id] += row.count
        if row.completed:
            completed[row.module_id] += row.count
            if row.minutes is not None:
                minutes[row.module_id][row.minutes] += row.count
    modules = []
    for module_id in sorted(m for m in started.keys() | stuck.keys()
                            if started[m] > 0 or stuck.get(m, 0) > 0):
        cohort_size, done = max(started[module_id], 0), max(completed[module_id], 0)
        modules.append(ModuleUsage(
            module_id=module_id, started=cohort_size, completed=done,
            completion_rate=ratio(done, cohort_size),
            median_minutes=_rounded(histogram_median(minutes[module_id].items())),
            exercises_stuck=max(stuck.get(module_id, 0), 0),
            exercises_done=max(marks[module_id].done, 0) if module_id in marks else 0,
            exercises_skipped=max(marks[module_id].skipped, 0) if module_id in marks else 0))
    return modules


def usage_weeks(started_by_day: dict[date, int], completed_by_day: dict[date, int]) -> list[WeekUsage]:
    started, completed = _by_week(started_by_day), _by_week(completed_by_day)
    return [WeekUsage(week=week, started=max(started[week], 0), completed=max(completed[week], 0))
            for week in sorted(started.keys() | completed.keys())
            if started[week] > 0 or completed[week] > 0]


def most_missed(misses: list[MissCount]) -> dict[str, list[MissedQuestion]]:
    """Per module the MOST_MISSED questions answered wrongly most often (ties: question id)."""
    by_module: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in misses:
        if row.misses > 0:
            by_module[row.module_id].append((row.question_id, row.misses))
    return {module_id: [MissedQuestion(question_id=q, misses=n) for q, n in
                        sorted(rows, key=lambda item: (-item[1], item[0]))[:MOST_MISSED]]
            for module_id, rows in by_module.items()}


def quiz_modules(totals: list[QuizTotals], workers: dict[str, int],
                 misses: list[MissCount]) -> list[ModuleQuizStats]:
    missed = most_missed(misses)
    return [ModuleQuizStats(
        module_id=t.module_id, attempts=t.attempts, workers=workers.get(t.module_id, 0),
        pass_rate=ratio(t.passed, t.attempts),
        average_score=round(t.score_sum / t.score_count, DECIMALS) if t.score_count else 0.0,
        most_missed=missed.get(t.module_id, []))
        for t in sorted(totals) if t.attempts > 0]


def _newest_first(items: list[FeedbackRow]) -> list[FeedbackRow]:
    return sorted(items, key=lambda f: (f.created_at, f.id), reverse=True)


def _item(f: FeedbackRow) -> FeedbackItem:
    return FeedbackItem(
        id=f.id, created_at=f.created_at, module_id=f.module_id, category=f.category,
        rating=f.rating, status=f.status, locale=f.locale, anonymous=f.worker_id is None,
        text=f.text)


def feedback_summary(items: list[FeedbackRow]) -> FeedbackReport:
    ordered = _newest_first(items)
    ratings: dict[str, list[int]] = defaultdict(list)
    rated = [f for f in ordered if f.rating is not None]
    for f in rated:
        ratings[f.module_id or ""].append(f.rating)
    return FeedbackReport(
        by_category=dict(sorted(Counter(str(f.category) for f in ordered).items())),
        by_rating=dict(sorted(Counter(f.rating for f in rated).items())),
        average_rating_by_module={module_id: round(sum(r) / len(r), DECIMALS)
                                  for module_id, r in sorted(ratings.items())},
        items=[_item(f) for f in ordered])


class Reports:
    """The ReportStore of the storage port, over one adapter's facts."""

    def __init__(self, facts: ReportFacts):
        self.facts = facts

    async def usage_report(self, flt: ReportFilter) -> UsageReport:
        async with self.facts.snapshot():
            modules = usage_modules(await self.facts.cohort(flt),
                                    await self.facts.stuck_by_module(flt),
                                    await self.facts.exercise_marks(flt))
            weeks = usage_weeks(await self.facts.started_by_day(flt),
                                await self.facts.completed_by_day(flt))
        return UsageReport(modules=modules, weeks=weeks)

    async def usage_summary(self, flt: ReportFilter) -> UsageReport:
        """The usage report's started, completed and weeks, for the dashboard's overview:
        no medians and no exercise marks (those need the source records)."""
        async with self.facts.snapshot():
            modules = usage_modules(await self.facts.cohort_totals(flt),
                                    await self.facts.stuck_by_module(flt))
            weeks = usage_weeks(await self.facts.started_by_day(flt),
                                await self.facts.completed_by_day(flt))
        return UsageReport(modules=modules, weeks=weeks)

    async def quiz_summary(self, flt: ReportFilter) -> QuizReport:
        """The quiz report's attempts, pass rates and average scores, for the dashboard's
        overview: no distinct workers and no most-missed questions."""
        async with self.facts.snapshot():
            totals = await self.facts.quiz_totals(flt)
        return QuizReport(modules=quiz_modules(totals, {}, []))

    async def quiz_report(self, flt: ReportFilter) -> QuizReport:
        async with self.facts.snapshot():
            totals = await self.facts.quiz_totals(flt)
            modules = sorted(t.module_id for t in totals if t.attempts > 0)
            workers = await self.facts.quiz_workers(flt, modules) if modules else {}
            misses = await self.facts.quiz_misses(flt)
        return QuizReport(modules=quiz_modules(totals, workers, misses))

    async def feedback_report(self, flt: ReportFilter) -> FeedbackReport:
        items: list[FeedbackRow] = []
        cursor: str | None = None
        async with self.facts.snapshot():
            while True:
                page = await self.facts.feedback_page(flt, cursor, FEEDBACK_PAGE)
                items += page.items
                if page.cursor is None:
                    break
                cursor = page.cursor
        return feedback_summary(items)

