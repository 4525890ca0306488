"""Services in the job runner (the campaign sender): they run beside the jobs for as long as
the runner does, a failed one starts again, a stopping runner waits for their in-flight work,
and `run_once` (`coach jobs --once`) gives each one pass after the due jobs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from bot.store.memory import MemoryStore
from jobs.runner import JobRunner, RunnerTimings
from job_support import CountingJob, FixedClock, eventually

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class RecordingService:
    name = "recording"

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.starts = 0
        self.finished_in_flight = False
        self.passes = 0

    async def run_until_stopped(self, stop: asyncio.Event) -> None:
        self.starts += 1
        if self.failures:
            self.failures -= 1
            raise RuntimeError("a bug")
        await stop.wait()
        await asyncio.sleep(0)  # the in-flight work finishing after the stop
        self.finished_in_flight = True

    async def run_once(self) -> int:
        self.passes += 1
        return 3


async def test_a_stopping_runner_waits_for_its_services_to_finish() -> None:
    service = RecordingService()
    runner = JobRunner(MemoryStore(), [], clock=FixedClock(NOW), services=[service])
    task = asyncio.create_task(runner.run_until_stopped())
    await eventually(lambda: service.starts)
    runner.stop.set()
    await task
    assert service.finished_in_flight and service.starts == 1


async def test_a_failed_service_is_started_again_after_a_pause() -> None:
    clock, service = FixedClock(NOW), RecordingService(failures=1)
    runner = JobRunner(MemoryStore(), [], clock=clock, services=[service],
                       timings=RunnerTimings(service_restart_seconds=5))
    task = asyncio.create_task(runner.run_until_stopped())
    await eventually(lambda: clock.sleeping, until=lambda n: n == 2)  # the poll and the pause
    assert service.starts == 1
    clock.advance(timedelta(seconds=5))
    await eventually(lambda: service.starts, until=lambda n: n == 2)
    runner.stop.set()
    await task
    assert service.finished_in_flight


async def test_run_once_runs_the_due_jobs_then_a_pass_of_each_service() -> None:
    job, service = CountingJob(), RecordingService()
    runner = JobRunner(MemoryStore(), [job], clock=FixedClock(NOW), services=[service])
    assert await runner.run_once() == ["count", "recording"]
    assert (len(job.runs), service.passes, service.starts) == (1, 1, 0)
