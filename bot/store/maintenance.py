"""The maintenance part of the port for backends that keep no report counters (memory,
SQLite compute every report from the records): there is nothing to rebuild."""

from __future__ import annotations

from collections.abc import Callable

from bot.store.port import RebuildProgress, RebuildResult


class NoCounters:
    def __init__(self, backend: str):
        self.backend = backend

    async def rebuild_counters(
        self, progress: Callable[[RebuildProgress], None] | None = None
    ) -> RebuildResult:
        return RebuildResult(
            rebuilt=False,
            detail=f"the {self.backend} store computes its reports from the records and keeps "
                   "no report counters; only the cosmos store has counters to rebuild "
                   "(set STORE=cosmos)")
