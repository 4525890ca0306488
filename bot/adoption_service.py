"""The adoption report from the store: directory users, their completed modules and the
usage imports, read page by page and judged by domain/adoption.py. Also the per-worker
questions campaign audiences ask (usage-gap:MODULE, inactive:WORKLOAD)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import TypeVar

from bot.store.port import Store
from domain.adoption import AdoptionReport, Expectations, ImportFacts, WorkerFacts, adoption_report, usage_gap
from domain.usage_records import (
    Completion, DirectoryEntry, UsageImport, import_facts, latest_per_workload, thresholds_of, worker_facts)
from integrations.graph.usage_reports import WORKLOADS

PAGE = 5000
TREND_DAYS = 12  # report days in the trend (each one is a read of its rows)
T = TypeVar("T")


async def paged(read: Callable[[str | None, int], Awaitable[tuple[list[T], str | None]]]) -> AsyncIterator[T]:
    cursor: str | None = None
    while True:
        items, cursor = await read(cursor, PAGE)
        for item in items:
            yield item
        if cursor is None:
            return


async def adoption_inputs(store: Store, expectations: Expectations) -> tuple[list[WorkerFacts], list[ImportFacts]]:
    entries: list[DirectoryEntry] = [e async for e in paged(store.directory.users_page)]
    completions: list[Completion] = [c async for c in paged(store.progress.completions_page)]
    imports = await store.usage.list_imports()
    facts: list[ImportFacts] = []
    if imports:
        latest = latest_per_workload(imports)
        first_latest = min(i.report_date for i in latest)
        older = sorted({i.report_date for i in imports if i.report_date < first_latest})
        thresholds = thresholds_of(expectations)
        for day in older[-(TREND_DAYS - 1):]:
            chosen = [i for i in imports if i.report_date == day]
            facts.append(import_facts(chosen, await store.usage.summaries(_keys(chosen), []), []))
        facts.append(import_facts(latest, await store.usage.summaries(_keys(latest), thresholds), thresholds))
    return worker_facts(entries, completions), facts


def _keys(chosen: list[UsageImport]) -> list[tuple[date, str]]:
    return [(i.report_date, i.workload) for i in chosen]


async def collect_adoption(store: Store, expectations: Expectations) -> AdoptionReport:
    workers, imports = await adoption_inputs(store, expectations)
    return adoption_report(workers, imports, expectations, WORKLOADS)


def audience_usage_gap(workers: list[WorkerFacts], latest: ImportFacts | None,
                       expectations: Expectations, module_id: str) -> list[str]:
    """Worker ids for the campaign audience `usage-gap:MODULE`."""
    return [w.id for w in workers if usage_gap(w, latest, expectations, module_id)]


def audience_inactive(workers: list[WorkerFacts], latest: ImportFacts | None, workload: str) -> list[str]:
    """Worker ids for `inactive:WORKLOAD`: no activity in the latest import's period (none
    when names are concealed or the workload was not imported)."""
    if latest is None or latest.concealed or workload not in latest.reported:
        return []
    active = latest.active.get(workload, frozenset())
    return [w.id for w in workers if w.upn not in active]


