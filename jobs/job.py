"""What a job is: a name, a period, and `run(context)`.

A job runs at most once per `period` across all instances: the runner that holds the job's
lease starts it when the latest run (of any instance) started a period ago or more, or never
finished (its holder died). A long run checks `context.stopping` between units of work and
returns early when it is set (the process is stopping, or the lease was lost); the runner
renews the lease in the background, and `await context.renew()` renews it right away (for a
step that will take long)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Protocol

from domain.jobs import Lease
from bot.store.port import LeaseStore, StoreError
from jobs.clock import Clock

log = logging.getLogger(__name__)


class Job(Protocol):
    name: str
    period: timedelta

    async def run(self, context: JobContext) -> str:
        """Do one run. Returns a one-line summary for the run record; raises on failure."""
        ...


class Service(Protocol):
    """Work that goes on all the time on every instance (the campaign sender), keeping
    instances apart with leases of its own: the runner starts it with itself and, when it
    stops, waits for it to finish what is in flight."""

    name: str

    async def run_until_stopped(self, stop: asyncio.Event) -> None: ...

    async def run_once(self) -> int:
        """One pass over the work that is due now (`coach jobs --once`); how much it did."""
        ...


class LeaseKeeper:
    """The lease one run holds: renewed while it runs, released after."""

    def __init__(self, leases: LeaseStore, lease: Lease, clock: Clock, ttl: timedelta):
        self._leases, self._clock, self._ttl = leases, clock, ttl
        self.lease: Lease | None = lease

    @property
    def lost(self) -> bool:
        return self.lease is None

    async def renew(self) -> bool:
        if self.lease is not None:
            self.lease = await self._leases.renew(self.lease, self._clock.now() + self._ttl)
        return self.lease is not None

    async def keep_alive(self) -> None:
        """Renew every third of the lease time until the lease is lost (or this is cancelled).
        A failed renewal is tried again at the next beat: the lease outlives two of them."""
        while self.lease is not None:
            await self._clock.sleep(self._ttl.total_seconds() / 3)
            try:
                await self.renew()
            except StoreError as exc:
                log.warning("could not renew the lease of job %s: %s", self.lease.name, exc)

    async def release(self) -> None:
        lease, self.lease = self.lease, None
        if lease is not None:
            await self._leases.release(lease)


class JobContext:
    """What a running job may ask of the runner."""

    def __init__(self, job: str, clock: Clock, keeper: LeaseKeeper, stop: asyncio.Event):
        self.job = job
        self._clock, self._keeper, self._stop = clock, keeper, stop

    def now(self) -> datetime:
        return self._clock.now()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set() or self._keeper.lost

    async def renew(self) -> bool:
        """Extend the lease now. False when it was lost: stop, another instance took over."""
        return await self._keeper.renew()
