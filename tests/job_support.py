"""A clock tests move by hand, and jobs that record what they did: no test sleeps."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from jobs.job import JobContext


class FixedClock:
    """Stands still until `advance`; `sleep` returns once the clock has been moved past it."""

    def __init__(self, start: datetime):
        self._now = start
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + timedelta(seconds=seconds), future))
        await future

    @property
    def sleeping(self) -> int:
        """How many coroutines wait on this clock now."""
        return sum(1 for _until, future in self._sleepers if not future.done())

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        waiting = []
        for until, future in self._sleepers:
            if until <= self._now and not future.done():
                future.set_result(None)
            elif not future.done():
                waiting.append((until, future))
        self._sleepers = waiting


class CountingJob:
    """Counts its runs; `body`, when given, runs inside each one (with the context)."""

    def __init__(self, name: str = "count", period: timedelta = timedelta(hours=1), body=None):
        self.name, self.period, self.body = name, period, body
        self.runs: list[datetime] = []

    async def run(self, context: JobContext) -> str:
        self.runs.append(context.now())
        if self.body is not None:
            await self.body(context)
        return f"run {len(self.runs)}"


async def eventually(probe, *, until=bool, tries: int = 500):
    """Yield to the event loop until `probe()` (awaited if it is a coroutine) passes `until`;
    returns that value. A bound on waiting for background tasks, not a timed assertion."""
    for _ in range(tries):
        value = probe()
        if asyncio.iscoroutine(value):
            value = await value
        if until(value):
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"still {value!r} after {tries} tries")
