"""`JobRunner`: runs each job once per period across every instance that runs one.

Per job and tick: acquire the job's lease (compare-and-set in the store); if this runner got
it, read the job's latest run; if it is due, record the start, run it with the lease renewed
in the background, record the end (ok / failed / stopped); release the lease. A runner that
dies mid-run stops renewing; once the lease expires another runner takes it over and, seeing
a run that never ended, runs the job again.

Services (jobs/job.py `Service`: the campaign sender) run beside the ticks for as long as the
runner does; a service that fails is started again after `service_restart_seconds`. On stop
the runner waits up to `service_grace_seconds` for each to finish its in-flight work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.jobs import JobRun, RunOutcome
from bot.store.port import Store, StoreError
from jobs.clock import Clock, SystemClock
from jobs.job import Job, JobContext, LeaseKeeper, Service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunnerTimings:
    lease: timedelta = timedelta(minutes=2)  # renewed every third of it while a job runs
    poll_seconds: float = 60.0  # how often a runner looks for due jobs
    stop_grace_seconds: float = 10.0  # how long a stopping runner waits for a job to return
    service_grace_seconds: float = 120.0  # ... and for a service (its sends in flight)
    service_restart_seconds: float = 5.0  # pause before a failed service starts again


def new_owner() -> str:
    """An id for this runner: which host and process, and unique among restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def is_due(job: Job, last: JobRun | None, now: datetime) -> bool:
    """Never ran, never finished (its runner died: we hold the lease now), or a period ago."""
    return (last is None or last.outcome == RunOutcome.RUNNING
            or now >= last.started_at + job.period)


class JobRunner:
    def __init__(self, store: Store, jobs: list[Job], *, owner: str | None = None,
                 clock: Clock | None = None, timings: RunnerTimings = RunnerTimings(),
                 services: list[Service] | None = None):
        names = [job.name for job in jobs] + [service.name for service in services or []]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.store, self.jobs, self.services = store, jobs, list(services or [])
        self.owner = owner or new_owner()
        self.clock = clock or SystemClock()
        self.timings = timings
        self.stop = asyncio.Event()

    async def tick(self) -> list[str]:
        """Run every due job whose lease this runner gets. Returns the names of those run."""
        ran = []
        for job in self.jobs:
            if self.stop.is_set():
                break
            try:
                if await self._run_if_due(job):
                    ran.append(job.name)
            except StoreError as exc:
                log.warning("job %s: store unavailable, will try again: %s", job.name, exc)
        return ran

    async def run_once(self) -> list[str]:
        """The due jobs, then one pass of every service (`coach jobs --once`)."""
        ran = await self.tick()
        for service in self.services:
            if self.stop.is_set():
                break
            try:
                log.info("%s: %d handled", service.name, await service.run_once())
                ran.append(service.name)
            except StoreError as exc:
                log.warning("%s: store unavailable, will try again: %s", service.name, exc)
        return ran

    async def run_until_stopped(self) -> None:
        """Start the services, tick every `poll_seconds` until `stop` is set; then give a
        running job `stop_grace_seconds` to return before cancelling it, and the services
        `service_grace_seconds` to finish what they have in flight."""
        services = [asyncio.create_task(self._keep_running(s)) for s in self.services]
        try:
            await self._tick_until_stopped()
        finally:
            self.stop.set()
            await self._stop_services(services)

    async def _keep_running(self, service: Service) -> None:
        while not self.stop.is_set():
            try:
                await service.run_until_stopped(self.stop)
            except Exception as exc:  # a service's bug must not end the others; log, restart
                log.warning("%s failed, starting it again: %s: %s", service.name,
                            type(exc).__name__, exc)
                await self._nap(self.timings.service_restart_seconds)

    async def _nap(self, seconds: float) -> None:
        """Sleep on the runner's clock, or less when the runner is told to stop."""
        napping = asyncio.create_task(self.clock.sleep(seconds))
        stopping = asyncio.create_task(self.stop.wait())
        await asyncio.wait({napping, stopping}, return_when=asyncio.FIRST_COMPLETED)
        napping.cancel()
        stopping.cancel()

    async def _stop_services(self, services: list[asyncio.Task]) -> None:
        if not services:
            return
        _, late = await asyncio.wait(services, timeout=self.timings.service_grace_seconds)
        for task in late:
            log.warning("a service did not stop within %.0f s: cancelled",
                        self.timings.service_grace_seconds)
            task.cancel()
        await asyncio.gather(*services, return_exceptions=True)

    async def _tick_until_stopped(self) -> None:
        while not self.stop.is_set():
            ticking = asyncio.create_task(self.tick())
            stopping = asyncio.create_task(self.stop.wait())
            await asyncio.wait({ticking, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not ticking.done():
                await asyncio.wait({ticking}, timeout=self.timings.stop_grace_seconds)
                ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticking
            stopping.cancel()
            if not self.stop.is_set():
                await self._nap(self.timings.poll_seconds)

    async def _run_if_due(self, job: Job) -> bool:
        now = self.clock.now()
        lease = await self.store.leases.acquire(job.name, self.owner, now + self.timings.lease,
                                                now)
        if lease is None:
            return False
        keeper = LeaseKeeper(self.store.leases, lease, self.clock, self.timings.lease)
        try:
            if not is_due(job, await self.store.job_runs.last_run(job.name), now):
                return False
            await self._run(job, keeper)
            return True
        finally:
            await keeper.release()

    async def _run(self, job: Job, keeper: LeaseKeeper) -> None:
        started = JobRun(job=job.name, owner=self.owner, started_at=self.clock.now())
        await self.store.job_runs.record_run(started)
        context = JobContext(job.name, self.clock, keeper, self.stop)
        heartbeat = asyncio.create_task(keeper.keep_alive())
        outcome, detail = RunOutcome.FAILED, ""
        try:
            detail = await job.run(context)
            outcome = RunOutcome.STOPPED if context.stopping else RunOutcome.OK
        except asyncio.CancelledError:
            outcome, detail = RunOutcome.STOPPED, "cancelled while stopping"
            raise
        except Exception as exc:  # a job's failure is recorded; the runner carries on
            detail = f"{type(exc).__name__}: {exc}"
            log.warning("job %s failed: %s", job.name, detail)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if keeper.lost:  # the run record is the new holder's now
                log.warning("job %s lost its lease while running", job.name)
            else:
                await self.store.job_runs.record_run(JobRun(
                    job=job.name, owner=self.owner, started_at=started.started_at,
                    outcome=outcome, ended_at=self.clock.now(), detail=detail[:500]))
        log.info("job %s: %s (%s)", job.name, outcome.value, detail)
