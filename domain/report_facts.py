"""The small fact queries every store answers, from which domain/report_rules.py computes
the admin reports. Each is a count or a few grouped rows (bounded by modules × questions,
or by days in the window), except the feedback items, which come in pages behind a cursor.

Every fact applies the whole ReportFilter (UTC days inclusive, module, locale) to the time
named in its docstring. Adapters aggregate where they are good at it (SQL GROUP BY, Cosmos
pre-aggregated counters); the rules (what counts as completed, medians, weeks, rates,
rankings) are in report_rules.py only.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import NamedTuple, Protocol

from .models import AttemptStatus, Feedback, FeedbackCategory, FeedbackStatus, ProgressStatus
from .reports import ReportFilter

COMPLETED = ProgressStatus.DONE  # a progress record in this status counts as completed
SUBMITTED = AttemptStatus.SUBMITTED  # only attempts in this status count in the quiz report


class CohortRow(NamedTuple):
    """`count` progress records of a module started in the window, completed or not, with
    this minutes_to_complete (None when unset)."""

    module_id: str
    completed: bool
    minutes: int | None
    count: int


def without_minutes(rows: list[CohortRow]) -> list[CohortRow]:
    """Cohort rows summed over their minutes (for `cohort_totals` from `cohort`)."""
    totals: dict[tuple[str, bool], int] = {}
    for row in rows:
        totals[(row.module_id, row.completed)] = totals.get((row.module_id, row.completed), 0) + row.count
    return [CohortRow(module_id, completed, None, count) for (module_id, completed), count in totals.items()]


class ExerciseMarks(NamedTuple):
    done: int
    skipped: int


class QuizTotals(NamedTuple):
    """Submitted attempts of a module in the window: how many, how many passed, the sum and
    count of their scores (attempts without a score are not in the score figures)."""

    module_id: str
    attempts: int
    passed: int
    score_sum: float
    score_count: int


class MissCount(NamedTuple):
    """Wrong answers to one question in the submitted attempts of the window."""

    module_id: str
    question_id: str
    misses: int


class FeedbackRow(NamedTuple):
    """One feedback item as stored: the fields of Feedback (category and status may be
    their enum or its text value)."""

    id: str
    worker_id: str | None
    module_id: str | None
    rating: int | None
    category: FeedbackCategory | str
    text: str
    locale: str
    status: FeedbackStatus | str
    created_at: datetime

    @classmethod
    def of(cls, feedback: Feedback) -> FeedbackRow:
        return cls(**{name: getattr(feedback, name) for name in cls._fields})


class FeedbackPage(NamedTuple):
    """Some feedback items of the window (in no particular order) and the cursor of the next
    page (None after the last one)."""

    items: list[FeedbackRow]
    cursor: str | None


class ReportFacts(Protocol):
    def snapshot(self) -> AbstractAsyncContextManager[None]:
        """The facts of one report, read inside this context, come from one consistent view
        where the backend offers one (an SQLite read transaction)."""
        ...

    async def cohort(self, flt: ReportFilter) -> list[CohortRow]:
        """Progress by `started_at` in the window, grouped by module, completed, minutes."""
        ...

    async def cohort_totals(self, flt: ReportFilter) -> list[CohortRow]:
        """As `cohort`, but not split by minutes (every row's minutes None): what the
        dashboard's overview needs, which a backend may answer from a cheaper rollup."""
        ...

    async def started_by_day(self, flt: ReportFilter) -> dict[date, int]:
        """Progress by `started_at` in the window, counted per UTC day started."""
        ...

    async def completed_by_day(self, flt: ReportFilter) -> dict[date, int]:
        """Completed progress by `completed_at` in the window, per UTC day completed."""
        ...

    async def stuck_by_module(self, flt: ReportFilter) -> dict[str, int]:
        """exercise_stuck usage events with a module, by `at` in the window, per module."""
        ...

    async def exercise_marks(self, flt: ReportFilter) -> dict[str, ExerciseMarks]:
        """Progress by `started_at` in the window: its exercises marked done and skipped,
        summed per module."""
        ...

    async def quiz_totals(self, flt: ReportFilter) -> list[QuizTotals]:
        """Submitted attempts by `submitted_at` in the window, per module."""
        ...

    async def quiz_workers(self, flt: ReportFilter, modules: list[str]) -> dict[str, int]:
        """Distinct workers with a submitted attempt in the window, for each of `modules`."""
        ...

    async def quiz_misses(self, flt: ReportFilter) -> list[MissCount]:
        """Wrong answers of submitted attempts in the window, per module and question."""
        ...

    async def feedback_page(self, flt: ReportFilter, cursor: str | None,
                            limit: int) -> FeedbackPage:
        """Up to `limit` feedback items by `created_at` in the window, after `cursor`."""
        ...
