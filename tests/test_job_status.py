"""A job's status for readiness and the dashboard: its latest run, and whether it is healthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from job_support import CountingJob
from domain.jobs import JobRun, RunOutcome
from bot.store.memory import MemoryStore
from jobs.status import job_status

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def test_healthy_means_ran_recently_and_did_not_fail() -> None:
    store = MemoryStore()
    jobs = [CountingJob("ok", DAY), CountingJob("failed", DAY), CountingJob("late", DAY),
            CountingJob("never", DAY)]
    await store.job_runs.record_run(JobRun("ok", "a", T0, RunOutcome.OK, T0, "purged 1"))
    await store.job_runs.record_run(JobRun("failed", "a", T0, RunOutcome.FAILED, T0, "boom"))
    await store.job_runs.record_run(JobRun("late", "a", T0 - 2 * DAY, RunOutcome.OK, T0 - 2 * DAY))

    status = await job_status(store.job_runs, jobs, T0 + DAY)

    assert [(s.name, s.healthy) for s in status] == [
        ("ok", True), ("failed", False), ("late", False), ("never", False)]
    assert status[0].last.detail == "purged 1" and status[3].last is None
