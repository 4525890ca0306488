"""The report facts (domain/report_facts.py) of the Cosmos DB adapter, read from the
pre-aggregated counters (cosmos_counters.py); the reports themselves are computed by
domain/report_rules.py.

A usage or quiz fact reads one small document per module, locale and UTC day in the window,
never the source records; a module filter keeps the query in one partition, and the facts of
one report share the documents read (`snapshot`). Distinct quiz workers come from one counter
document per module (per locale, and for all locales) when the window is open-ended; a
bounded window counts the module's `quizWorker` documents with one COUNT per module.
Feedback items are listed themselves: one query in pages, with the server's continuation
token as the cursor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from domain.models import Feedback
from domain.report_facts import without_minutes
from domain.report_facts import CohortRow, ExerciseMarks, FeedbackPage, FeedbackRow, MissCount, QuizTotals
from domain.reports import ReportFilter
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_counters import ALL_LOCALES, DISTINCT, partition_of
from bot.store.cosmos_docs import encode_time, from_doc


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


def _counter_query(flt: ReportFilter, kinds: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    clauses = [f"c.kind IN ({', '.join(repr(k) for k in kinds)})"]
    params: dict[str, Any] = {}
    if flt.module_id is not None:
        clauses.append("c.pk = @pk")
        params["@pk"] = partition_of(kinds[0], flt.module_id)
    clauses += _window_clauses(flt, params, day="c.day", locale="c.locale")
    return f"SELECT * FROM c WHERE {' AND '.join(clauses)}", params


def _int(doc: Doc, name: str) -> int:
    return int(doc.get(name, 0))


def _by_day(docs: list[Doc], field: str) -> dict[date, int]:
    days: dict[date, int] = defaultdict(int)
    for doc in docs:
        days[date.fromisoformat(doc["day"])] += _int(doc, field)
    return dict(days)


class CosmosReportFacts:
    def __init__(self, stats: Docs, workers: Docs):
        self._stats = stats
        self._workers = workers
        self._memo: dict[tuple[str, tuple[str, ...]], list[Doc]] | None = None

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        """The facts of one report share the counter documents they read."""
        self._memo = {}
        try:
            yield
        finally:
            self._memo = None

    async def _counters(self, flt: ReportFilter, *kinds: str) -> list[Doc]:
        key = (flt.model_dump_json(), kinds)
        if self._memo is not None and key in self._memo:
            return self._memo[key]
        sql, params = _counter_query(flt, kinds)
        partition = partition_of(kinds[0], flt.module_id) if flt.module_id is not None else None
        docs = await self._stats.query(sql, params, f"read the {kinds[0]} counters",
                                       partition=partition)
        if self._memo is not None:
            self._memo[key] = docs
        return docs

    async def _usage(self, flt: ReportFilter) -> list[Doc]:
        return [d for d in await self._counters(flt, "usage", "stuck") if d["kind"] == "usage"]

    async def cohort(self, flt: ReportFilter) -> list[CohortRow]:
        rows: dict[tuple[str, bool, int | None], int] = defaultdict(int)
        for doc in await self._usage(flt):
            module, done = doc["moduleId"], _int(doc, "done")
            rows[(module, False, None)] += _int(doc, "started") - done
            timed = 0
            for minutes, n in doc.get("minutes", {}).items():
                rows[(module, True, int(minutes))] += int(n)
                timed += int(n)
            rows[(module, True, None)] += done - timed
        return [CohortRow(*key, count) for key, count in rows.items()]

    async def cohort_totals(self, flt: ReportFilter) -> list[CohortRow]:
        return without_minutes(await self.cohort(flt))

    async def started_by_day(self, flt: ReportFilter) -> dict[date, int]:
        return _by_day(await self._usage(flt), "started")

    async def completed_by_day(self, flt: ReportFilter) -> dict[date, int]:
        return _by_day(await self._usage(flt), "completed")

    async def exercise_marks(self, flt: ReportFilter) -> dict[str, ExerciseMarks]:
        marks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for doc in await self._usage(flt):
            counted = marks[doc["moduleId"]]
            counted[0] += _int(doc, "exercisesDone")
            counted[1] += _int(doc, "exercisesSkipped")
        return {module_id: ExerciseMarks(done, skipped) for module_id, (done, skipped) in marks.items()
                if done or skipped}

    async def stuck_by_module(self, flt: ReportFilter) -> dict[str, int]:
        stuck: dict[str, int] = defaultdict(int)
        for doc in await self._counters(flt, "usage", "stuck"):
            if doc["kind"] == "stuck":
                stuck[doc["moduleId"]] += _int(doc, "stuck")
        return dict(stuck)

    async def quiz_totals(self, flt: ReportFilter) -> list[QuizTotals]:
        totals: dict[str, list[float]] = {}
        for doc in await self._counters(flt, "quiz"):
            row = totals.setdefault(doc["moduleId"], [0, 0, 0.0, 0])
            row[0] += _int(doc, "attempts")
            row[1] += _int(doc, "passed")
            row[2] += float(doc.get("scoreSum", 0.0))
            row[3] += _int(doc, "scoreCount")
        return [QuizTotals(m, int(n), int(p), s, int(c)) for m, (n, p, s, c) in totals.items()]

    async def quiz_misses(self, flt: ReportFilter) -> list[MissCount]:
        misses: dict[tuple[str, str], int] = defaultdict(int)
        for doc in await self._counters(flt, "quiz"):
            for question, n in doc.get("misses", {}).items():
                misses[(doc["moduleId"], question)] += int(n)
        return [MissCount(module, question, n) for (module, question), n in misses.items()]

    async def quiz_workers(self, flt: ReportFilter, modules: list[str]) -> dict[str, int]:
        if flt.since is None and flt.until is None:
            return await self._distinct_counters(flt, modules)
        return {module: await self._count_quiz_workers(flt, module) for module in modules}

    async def _distinct_counters(self, flt: ReportFilter, modules: list[str]) -> dict[str, int]:
        """O(modules): one counter document per module, kept on the write path."""
        params: dict[str, Any] = {"@kind": DISTINCT, "@locale": flt.locale or ALL_LOCALES}
        sql = "SELECT * FROM c WHERE c.kind = @kind AND c.locale = @locale"
        partition = None
        if flt.module_id is not None:
            partition = params["@pk"] = partition_of("quiz", flt.module_id)
            sql += " AND c.pk = @pk"
        docs = await self._stats.query(sql, params, "read the quiz worker counters",
                                       partition=partition)
        found = {doc["moduleId"]: max(_int(doc, "workers"), 0) for doc in docs}
        return {module: found.get(module, 0) for module in modules}

    async def _count_quiz_workers(self, flt: ReportFilter, module: str) -> int:
        partition = partition_of("quiz", module)
        params: dict[str, Any] = {"@pk": partition}
        clauses = _window_clauses(flt, params, day="d.d", locale="d.l")
        inner = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = ("SELECT VALUE COUNT(1) FROM c WHERE c.pk = @pk AND c.kind = 'quizWorker' "
               f"AND EXISTS(SELECT VALUE d FROM d IN c.days{inner})")
        result = await self._stats.query(sql, params, f"count the quiz workers of {module}",
                                         partition=partition)
        return int(result[0]) if result else 0

    async def feedback_page(self, flt: ReportFilter, cursor: str | None,
                            limit: int) -> FeedbackPage:
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
        docs, token = await self._workers.page(
            f"SELECT * FROM c WHERE {' AND '.join(clauses)}", params,
            "read feedback for the report", token=cursor, page_size=limit)
        return FeedbackPage([FeedbackRow.of(from_doc(Feedback, d)) for d in docs], token)
