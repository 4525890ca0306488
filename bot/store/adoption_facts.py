"""The adoption report's facts from the directory, progress and usage parts of a store, for
the adapters without one query that joins them (memory, Cosmos): everyone is read page by
page and judged by domain/adoption_patterns.py. SQLite answers the same in SQL
(sqlite_adoption.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from domain.adoption_patterns import (
    PatternFacts, PatternQuery, count_patterns, tenant_active, worker_patterns)
from domain.usage_records import worker_facts
from bot.store.port import DirectoryStore, ProgressStore, UsageStore

PAGE = 5000
T = TypeVar("T")


async def paged(read: Callable[[str | None, int], Awaitable[tuple[list[T], str | None]]]) -> AsyncIterator[T]:
    cursor: str | None = None
    while True:
        items, cursor = await read(cursor, PAGE)
        for item in items:
            yield item
        if cursor is None:
            return


class ComposedAdoptionFacts:
    def __init__(self, directory: DirectoryStore, progress: ProgressStore, usage: UsageStore):
        self._directory, self._progress, self._usage = directory, progress, usage

    async def prepare(self, query: PatternQuery) -> int:
        return 0  # nothing is stored ahead here

    async def pattern_facts(self, query: PatternQuery, workers: bool = False) -> PatternFacts:
        entries = [e async for e in paged(self._directory.users_page)]
        completions = [c async for c in paged(self._progress.completions_page)]
        summaries = await self._usage.summaries(list(query.chosen), list(query.thresholds))
        patterns = worker_patterns(worker_facts(entries, completions), {s.upn: s for s in summaries}, query)
        return PatternFacts(count_patterns(patterns), tenant_active(summaries, query),
                            patterns if workers else [])
