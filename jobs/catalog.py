"""The jobs this deployment runs. The campaign sender, the admin digest and the usage import
join this list as they are built."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.port import Store
from jobs.job import Job
from jobs.retention import RetentionJob


def default_jobs(store: Store, settings: Settings) -> list[Job]:
    return [RetentionJob(store, settings.usage_retention_days)]
