"""The jobs this deployment runs. The campaign sender, the admin digest and the usage import
join this list as they are built."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.port import Store
from jobs.job import Job
from jobs.retention import RetentionJob
from jobs.usage_jobs import DirectorySyncJob, UsageImportJob, UsageRetentionJob


def default_jobs(store: Store, settings: Settings) -> list[Job]:
    jobs: list[Job] = [RetentionJob(store, settings.usage_retention_days),
                       UsageRetentionJob(store, settings.usage_retention_days)]
    if settings.graph_jobs_enabled:
        jobs += [DirectorySyncJob(store, settings), UsageImportJob(store, settings)]
    return jobs
