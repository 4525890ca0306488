"""A worker's partition of the `workers` container, by document type: the queries behind
listing, finding and deleting one aggregate's documents of a worker."""

from __future__ import annotations

from bot.store.cosmos_container import Doc, Docs

IN_PARTITION = "SELECT * FROM c WHERE c.workerId = @worker AND c.type = @type"
COUNT_IN_PARTITION = "SELECT VALUE COUNT(1) FROM c WHERE c.workerId = @worker AND c.type = @type"


async def typed_docs(docs: Docs, worker_id: str, doc_type: str, action: str) -> list[Doc]:
    return await docs.query(IN_PARTITION, {"@worker": worker_id, "@type": doc_type}, action,
                            partition=worker_id)


async def delete_each(docs: Docs, worker_id: str, found: list[Doc], action: str) -> list[Doc]:
    """Delete `found`; returns those this call deleted (the others went in an earlier,
    interrupted deletion, which took their counts back then)."""
    return [doc for doc in found if await docs.delete(doc["id"], worker_id, action)]


async def delete_typed(docs: Docs, worker_id: str, doc_type: str, action: str) -> list[Doc]:
    return await delete_each(docs, worker_id,
                             await typed_docs(docs, worker_id, doc_type, action), action)


async def holds_typed(docs: Docs, worker_id: str, doc_type: str, action: str) -> bool:
    counted = await docs.query(COUNT_IN_PARTITION, {"@worker": worker_id, "@type": doc_type},
                               action, partition=worker_id)
    return bool(counted and counted[0])
