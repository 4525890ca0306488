"""Usage events on Cosmos DB.

Events live in their own container, partitioned by their id (/id): a write is a point create
that is idempotent across the whole container, spread evenly, and the container's default_ttl
drops them after the retention period. Purging and a worker's deletion are the only queries,
both rare and bounded (indexed filters, pages of PAGE documents).
"""

from __future__ import annotations

from datetime import datetime

from domain.models import UsageEvent
from bot.store.cosmos_container import Docs
from bot.store.cosmos_counters import CounterWriter, event_counts, negate
from bot.store.cosmos_docs import encode_time, plain, safe_key

PAGE = 100


def event_doc(event: UsageEvent) -> dict:
    body = plain(event.model_dump())
    key = body.pop("id")
    return {"id": safe_key(key), "key": key, **body}


def doc_event(doc: dict) -> UsageEvent:
    fields = {k: v for k, v in doc.items() if not k.startswith("_") and k not in
              ("id", "key", "ttl", "writeId")}
    return UsageEvent.model_validate({**fields, "id": doc["key"]})


class CosmosEventStore:
    def __init__(self, events: Docs, counters: CounterWriter):
        self._docs = events
        self._counters = counters

    async def record_event(self, event: UsageEvent) -> bool:
        doc = event_doc(event)
        if not await self._docs.create_once(doc, doc["id"], "record a usage event"):
            return False
        await self._counters.apply(event_counts(event))
        return True

    async def purge_events_before(self, cutoff: datetime) -> int:
        sql = f"SELECT TOP {PAGE} * FROM c WHERE c.at < @cutoff"
        return await self._delete_all(sql, {"@cutoff": encode_time(cutoff)},
                                      "purge old usage events")

    async def list_worker_events(self, worker_id: str) -> list[UsageEvent]:
        docs = await self._docs.query("SELECT * FROM c WHERE c.worker_id = @worker",
                                      {"@worker": worker_id}, "list a worker's usage events")
        return sorted(map(doc_event, docs), key=lambda e: (e.at, e.id))

    async def delete_for_worker(self, worker_id: str) -> None:
        sql = f"SELECT TOP {PAGE} * FROM c WHERE c.worker_id = @worker"
        await self._delete_all(sql, {"@worker": worker_id}, "delete a worker's usage events")

    async def holds_worker(self, worker_id: str) -> bool:
        counted = await self._docs.query("SELECT VALUE COUNT(1) FROM c WHERE c.worker_id = @worker",
                                         {"@worker": worker_id}, "look for a worker's usage events")
        return bool(counted and counted[0])

    async def _delete_all(self, sql: str, params: dict, action: str) -> int:
        """Delete page by page; each deletion that happens takes its counts back, so running
        it again after an interruption counts nothing twice."""
        deleted = 0
        while True:
            page = await self._docs.query(sql, params, action)
            if not page:
                return deleted
            for doc in page:
                if await self._docs.delete(doc["id"], doc["id"], action):
                    deleted += 1
                    await self._counters.apply(negate(event_counts(doc_event(doc))))
