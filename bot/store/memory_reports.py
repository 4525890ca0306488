"""The report facts (domain/report_facts.py) of the in-memory adapter: plain loops over the
records; the reports themselves are computed by domain/report_rules.py."""

from __future__ import annotations

from collections import Counter
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from domain.models import EventKind, ExerciseMark
from domain.report_facts import COMPLETED, SUBMITTED
from domain.report_facts import without_minutes
from domain.report_facts import CohortRow, ExerciseMarks, FeedbackPage, FeedbackRow, MissCount, QuizTotals
from domain.reports import ReportFilter

if TYPE_CHECKING:
    from bot.store.memory import _Data


class _Window:
    """A report filter as a test on (time, module, locale)."""

    def __init__(self, flt: ReportFilter):
        self.start, self.end = flt.start(), flt.end()
        self.module_id, self.locale = flt.module_id, flt.locale

    def __call__(self, at: datetime | None, module_id: str | None, locale: str) -> bool:
        return (at is not None
                and (self.start is None or at >= self.start)
                and (self.end is None or at < self.end)
                and (self.module_id is None or module_id == self.module_id)
                and (self.locale is None or locale == self.locale))


class MemoryReportFacts:
    def __init__(self, data: _Data):
        self._data = data

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        yield  # no method awaits: nothing changes while a fact is read

    async def cohort(self, flt: ReportFilter) -> list[CohortRow]:
        inside = _Window(flt)
        rows = Counter((p.module_id, p.status == COMPLETED, p.minutes_to_complete)
                       for p in self._data.progress.values()
                       if inside(p.started_at, p.module_id, p.locale))
        return [CohortRow(*key, count) for key, count in rows.items()]

    async def cohort_totals(self, flt: ReportFilter) -> list[CohortRow]:
        return without_minutes(await self.cohort(flt))

    async def started_by_day(self, flt: ReportFilter) -> dict[date, int]:
        inside = _Window(flt)
        return dict(Counter(p.started_at.date() for p in self._data.progress.values()
                            if inside(p.started_at, p.module_id, p.locale)))

    async def completed_by_day(self, flt: ReportFilter) -> dict[date, int]:
        inside = _Window(flt)
        return dict(Counter(p.completed_at.date() for p in self._data.progress.values()
                            if p.status == COMPLETED and p.completed_at is not None
                            and inside(p.completed_at, p.module_id, p.locale)))

    async def exercise_marks(self, flt: ReportFilter) -> dict[str, ExerciseMarks]:
        inside = _Window(flt)
        done: Counter[str] = Counter()
        skipped: Counter[str] = Counter()
        for p in self._data.progress.values():
            if inside(p.started_at, p.module_id, p.locale):
                marks = list(p.exercises.values())
                done[p.module_id] += marks.count(ExerciseMark.DONE)
                skipped[p.module_id] += marks.count(ExerciseMark.SKIPPED)
        return {m: ExerciseMarks(done[m], skipped[m]) for m in done.keys() | skipped.keys()
                if done[m] or skipped[m]}

    async def stuck_by_module(self, flt: ReportFilter) -> dict[str, int]:
        inside = _Window(flt)
        return dict(Counter(e.module_id for e in self._data.events.values()
                            if e.kind == EventKind.EXERCISE_STUCK and e.module_id is not None
                            and inside(e.at, e.module_id, e.locale)))

    def _submitted(self, flt: ReportFilter) -> list:
        inside = _Window(flt)
        return [a for a in self._data.attempts.values()
                if a.status == SUBMITTED and inside(a.submitted_at, a.module_id, a.locale)]

    async def quiz_totals(self, flt: ReportFilter) -> list[QuizTotals]:
        totals: dict[str, list[float]] = {}
        for a in self._submitted(flt):
            row = totals.setdefault(a.module_id, [0, 0, 0.0, 0])
            row[0] += 1
            row[1] += 1 if a.passed else 0
            if a.score is not None:
                row[2] += a.score
                row[3] += 1
        return [QuizTotals(m, int(n), int(p), s, int(c)) for m, (n, p, s, c) in totals.items()]

    async def quiz_workers(self, flt: ReportFilter, modules: list[str]) -> dict[str, int]:
        workers: dict[str, set[str]] = {module_id: set() for module_id in modules}
        for a in self._submitted(flt):
            if a.module_id in workers:
                workers[a.module_id].add(a.worker_id)
        return {module_id: len(ids) for module_id, ids in workers.items()}

    async def quiz_misses(self, flt: ReportFilter) -> list[MissCount]:
        misses = Counter((a.module_id, qid) for a in self._submitted(flt)
                         for qid, answer in a.answers.items() if not answer.correct)
        return [MissCount(module_id, qid, n) for (module_id, qid), n in misses.items()]

    async def feedback_page(self, flt: ReportFilter, cursor: str | None,
                            limit: int) -> FeedbackPage:
        inside = _Window(flt)
        ids = sorted(key for key, f in self._data.feedback.items()
                     if inside(f.created_at, f.module_id, f.locale))
        start = int(cursor) if cursor else 0
        page = ids[start:start + limit]
        after = start + len(page)
        return FeedbackPage([FeedbackRow.of(self._data.feedback[key]) for key in page],
                            str(after) if after < len(ids) else None)
