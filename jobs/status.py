"""Each job's latest run, as readiness checks and the admin dashboard show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.jobs import JobRun, RunOutcome
from bot.store.port import JobRunStore
from jobs.job import Job

LATE_AFTER_PERIODS = 2


@dataclass(frozen=True)
class JobStatus:
    name: str
    last: JobRun | None
    healthy: bool  # ran (or runs) as planned: not failed, and not late by two periods


async def job_status(runs: JobRunStore, jobs: list[Job], now: datetime) -> list[JobStatus]:
    latest = {run.job: run for run in await runs.list_runs()}
    result = []
    for job in jobs:
        last = latest.get(job.name)
        healthy = (last is not None and last.outcome != RunOutcome.FAILED
                   and now < last.started_at + LATE_AFTER_PERIODS * job.period)
        result.append(JobStatus(job.name, last, healthy))
    return result
