"""Usage-event retention: purge events older than USAGE_RETENTION_DAYS, once a day.
(Cosmos DB also expires them by TTL; the purge keeps every backend on the same rule.)"""

from __future__ import annotations

from datetime import timedelta

from bot.store.port import Store
from jobs.job import JobContext


class RetentionJob:
    name = "retention"
    period = timedelta(days=1)

    def __init__(self, store: Store, retention_days: int):
        self._store = store  # its aggregates exist once it is open (Cosmos wires them then)
        self.retention_days = retention_days

    async def run(self, context: JobContext) -> str:
        cutoff = context.now() - timedelta(days=self.retention_days)
        removed = await self._store.events.purge_events_before(cutoff)
        return f"purged {removed} usage events older than {self.retention_days} days"
