"""The dashboard facts (domain/dashboard.py) of the memory adapter: the rules of
dashboard_scan.py over all of its records."""

from __future__ import annotations

from typing import Any

from domain.dashboard import Counts, FirstAttempts, Page, StuckStep, WorkerQuery, WrongChoice
from domain.reports import ReportFilter
from bot.store import dashboard_scan as scan


class MemoryDashboardFacts:
    def __init__(self, data: Any):
        self._data = data

    def close(self) -> None:
        pass

    async def counts(self, flt: ReportFilter, active: ReportFilter) -> Counts:
        d = self._data
        return scan.counts(d.workers.values(), d.events.values(), d.progress.values(), d.feedback.values(),
                           flt, active)

    async def quiz_passers(self, flt: ReportFilter) -> dict[str, int]:
        return scan.quiz_passers(self._data.attempts.values(), flt)

    async def stuck_steps(self, flt: ReportFilter) -> list[StuckStep]:
        return scan.stuck_steps(self._data.events.values(), flt)

    async def first_attempts(self, flt: ReportFilter) -> list[FirstAttempts]:
        return scan.first_attempts(self._data.attempts.values(), flt)

    async def wrong_choices(self, flt: ReportFilter) -> list[WrongChoice]:
        return scan.wrong_choices(self._data.attempts.values(), flt)

    async def best_scores(self, flt: ReportFilter, offset: int, limit: int) -> Page:
        names = {w.id: w.name for w in self._data.workers.values()}
        return scan.best_scores(self._data.attempts.values(), names, flt, offset, limit)

    async def workers(self, flt: ReportFilter, query: WorkerQuery) -> Page:
        d = self._data
        page = scan.worker_page(d.workers.values(), d.progress.values(), d.attempts.values(), flt, query)
        return scan.with_last_active(page, scan.last_active(d.events.values()))
