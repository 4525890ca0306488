"""Daily Graph jobs (directory sync, usage import; only where Graph is configured, see
`Settings.graph_jobs_enabled`) and the usage rows' retention (always)."""

from __future__ import annotations

from datetime import timedelta

from bot.adoption_service import configured_expectations, prepare_adoption
from bot.directory_sync import sync_directory
from bot.graph_session import graph_session
from bot.settings import Settings
from bot.store.port import Store
from bot.usage_import import import_from_graph
from jobs.job import JobContext

DAY = timedelta(days=1)


class DirectorySyncJob:
    name = "directory-sync"
    period = DAY

    def __init__(self, store: Store, settings: Settings):
        self._store, self._settings = store, settings

    async def run(self, context: JobContext) -> str:
        async with graph_session(self._settings) as session:
            result = await sync_directory(session.graph, self._store.directory,
                                          stopping=lambda: context.stopping)
        return f"directory sync ({result.mode}): {result.users} users, {result.removed} removed"


class UsageImportJob:
    """The last 7 days of the five reports, daily: each day's report replaces its own rows."""

    name = "usage-import"
    period = DAY

    def __init__(self, store: Store, settings: Settings, period: str = "D7"):
        self._store, self._settings, self._period = store, settings, period

    async def run(self, context: JobContext) -> str:
        async with graph_session(self._settings) as session:
            outcomes = await import_from_graph(session.graph, session.downloads, self._store.usage,
                                               period=self._period)
        expectations = configured_expectations(self._settings.org_expectations)
        if expectations is not None:  # store the summary the adoption report reads, now
            await prepare_adoption(self._store, expectations)
        concealed = " (names concealed: tenant-level figures only)" if any(o.concealed for o in outcomes) else ""
        return "imported " + ", ".join(f"{o.workload} {o.rows}" for o in outcomes) + concealed


class UsageRetentionJob:
    name = "usage-retention"
    period = DAY

    def __init__(self, store: Store, retention_days: int):
        self._store, self.retention_days = store, retention_days

    async def run(self, context: JobContext) -> str:
        cutoff = (context.now() - timedelta(days=self.retention_days)).date()
        removed = await self._store.usage.purge_before(cutoff)
        return f"purged {removed} usage rows of report days before {cutoff.isoformat()}"
