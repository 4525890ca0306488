"""The dashboard facts (domain/dashboard.py) of the Cosmos DB adapter.

The counters behind the reports (cosmos_counters.py) cannot answer these: they are distinct
workers, per-worker rows and per-answer choices. So each fact is one cross-partition query
per source, narrowed by the container's indexed paths (`type`, `status`, `module_id`,
`locale`, `kind`, `at`, `worker_id`) and the window, read in pages of PAGE documents, and
counted by the same rules as the memory adapter (dashboard_scan.py). Its cost grows with the
documents it reads (bot/store/README.md, "Dashboard facts"): an admin screen, never a turn.
A worker's last activity is read for the rows of the page only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from domain.dashboard import Counts, FirstAttempts, Page, StuckStep, WorkerQuery, WrongChoice
from domain.models import AttemptStatus, EventKind, Feedback, FeedbackStatus, ModuleProgress, ProgressStatus
from domain.models import QuizAttempt, UsageEvent, Worker
from domain.reports import ReportFilter
from bot.store import dashboard_scan as scan
from bot.store.cosmos_container import Docs
from bot.store.cosmos_docs import encode_time, from_doc
from bot.store.cosmos_events import doc_event

PAGE = 1000  # documents per request
IDS_PER_QUERY = 100  # worker ids per last-activity query

M = TypeVar("M", bound=BaseModel)


def _clauses(flt: ReportFilter, time_field: str | None, params: dict[str, Any], *, locale: bool = True) -> list[str]:
    clauses = []
    start, end = flt.start(), flt.end()
    if time_field and start is not None:
        clauses.append(f"c.{time_field} >= @start")
        params["@start"] = encode_time(start)
    if time_field and end is not None:
        clauses.append(f"c.{time_field} < @end")
        params["@end"] = encode_time(end)
    if flt.module_id is not None:
        clauses.append("c.module_id = @module")
        params["@module"] = flt.module_id
    if locale and flt.locale is not None:
        clauses.append("c.locale = @locale")
        params["@locale"] = flt.locale
    return clauses


class CosmosDashboardFacts:
    def __init__(self, workers: Docs, events: Docs):
        self._workers = workers
        self._events = events

    def close(self) -> None:
        pass

    async def _typed(self, model: type[M], doc_type: str, clauses: list[str], params: dict[str, Any],
                     action: str) -> list[M]:
        sql = " AND ".join(["SELECT * FROM c WHERE c.type = @type", *clauses])
        docs = await self._workers.query(sql, {**params, "@type": doc_type}, action, page_size=PAGE)
        return [from_doc(model, doc) for doc in docs]

    async def _all_workers(self) -> list[Worker]:
        return await self._typed(Worker, "worker", [], {}, "read the workers for the dashboard")

    async def _submitted(self, flt: ReportFilter, action: str, *, window: bool = True,
                         passed: bool = False) -> list[QuizAttempt]:
        params: dict[str, Any] = {"@status": AttemptStatus.SUBMITTED.value}
        clauses = ["c.status = @status", *_clauses(flt, "submitted_at" if window else None, params,
                                                   locale=window)]
        if passed:
            clauses.append("c.passed = true")
        return await self._typed(QuizAttempt, "attempt", clauses, params, action)

    async def _done(self, flt: ReportFilter, action: str) -> list[ModuleProgress]:
        params: dict[str, Any] = {"@status": ProgressStatus.DONE.value}
        clauses = ["c.status = @status", *_clauses(flt, "completed_at", params)]
        return await self._typed(ModuleProgress, "progress", clauses, params, action)

    async def _events_in(self, flt: ReportFilter, action: str, kind: EventKind | None = None) -> list[UsageEvent]:
        params: dict[str, Any] = {}
        clauses = _clauses(flt, "at", params)
        if kind is not None:
            clauses.append("c.kind = @kind")
            params["@kind"] = kind.value
        where = " AND ".join(clauses) or "true"
        docs = await self._events.query(f"SELECT * FROM c WHERE {where}", params, action, page_size=PAGE)
        return [doc_event(doc) for doc in docs]

    async def counts(self, flt: ReportFilter, active: ReportFilter) -> Counts:
        params: dict[str, Any] = {"@status": FeedbackStatus.NEW.value}
        feedback = await self._typed(Feedback, "feedback", ["c.status = @status", *_clauses(flt, "created_at", params)],
                                     params, "count the open feedback")
        return scan.counts(await self._all_workers(), await self._events_in(active, "count the active workers"),
                           await self._done(flt, "count the trained workers"), feedback, flt, active)

    async def quiz_passers(self, flt: ReportFilter) -> dict[str, int]:
        return scan.quiz_passers(await self._submitted(flt, "count quiz passes", passed=True), flt)

    async def stuck_steps(self, flt: ReportFilter) -> list[StuckStep]:
        return scan.stuck_steps(await self._events_in(flt, "count stuck steps", EventKind.EXERCISE_STUCK), flt)

    async def first_attempts(self, flt: ReportFilter) -> list[FirstAttempts]:
        # A first attempt is the first ever: every submitted attempt of the module(s), any time.
        return scan.first_attempts(await self._submitted(flt, "count first attempts", window=False), flt)

    async def wrong_choices(self, flt: ReportFilter) -> list[WrongChoice]:
        return scan.wrong_choices(await self._submitted(flt, "count wrong choices"), flt)

    async def best_scores(self, flt: ReportFilter, offset: int, limit: int) -> Page:
        attempts = await self._submitted(flt, "list best scores")
        names = {doc["workerId"]: doc["name"] for doc in await self._workers.query(
            "SELECT c.workerId, c.name FROM c WHERE c.type = 'worker'", {}, "read the workers' names",
            page_size=PAGE)}
        return scan.best_scores(attempts, names, flt, offset, limit)

    async def workers(self, flt: ReportFilter, query: WorkerQuery) -> Page:
        window = flt.model_copy(update={"locale": None})
        page = scan.worker_page(await self._all_workers(), await self._done(window, "list the workers' modules"),
                                await self._submitted(window, "list the workers' quizzes", passed=True),
                                flt, query)
        return scan.with_last_active(page, await self._last_active([row.worker_id for row in page.rows]))

    async def _last_active(self, worker_ids: list[str]) -> dict[str, datetime]:
        last: dict[str, datetime] = {}
        for first in range(0, len(worker_ids), IDS_PER_QUERY):
            ids = worker_ids[first:first + IDS_PER_QUERY]
            rows = await self._events.query(
                "SELECT c.worker_id, c.at FROM c WHERE ARRAY_CONTAINS(@ids, c.worker_id)", {"@ids": ids},
                "read the workers' last activity", page_size=PAGE)
            for row in rows:
                at = datetime.fromisoformat(row["at"])
                if row["worker_id"] not in last or at > last[row["worker_id"]]:
                    last[row["worker_id"]] = at
        return last
