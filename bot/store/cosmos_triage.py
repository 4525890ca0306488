"""The feedback inbox on Cosmos DB. A `triage:<feedback id>` document sits in the feedback's
own partition of `workers` (the worker's, or the anonymous bucket), so "delete my data" finds
it there. Listing is two cross-partition queries (the feedback in the filter, all triage
documents), joined and keyset-paged in Python: an admin screen over thousands of items, not a
turn's path. A write is create-once (version 1) or an etag-guarded replace, then the
feedback's `status` is set to match (what the feedback report shows)."""

from __future__ import annotations

from domain.models import Feedback
from domain.triage import InboxFilter, InboxItem, InboxPage, Triage, page_of, untouched
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_docs import encode_time, feedback_id, from_doc, safe_key, to_doc
from bot.store.cosmos_partition import delete_typed, holds_typed, typed_docs
from bot.store.port import ConcurrencyConflict

_FEEDBACK = "SELECT * FROM c WHERE c.type = 'feedback' AND c.id = @id"
_ALL_TRIAGE = "SELECT * FROM c WHERE c.type = 'triage'"


def triage_id(feedback: str) -> str:
    return f"triage:{safe_key(feedback)}"


def _feedback_query(flt: InboxFilter) -> tuple[str, dict[str, object]]:
    clauses, params = ["c.type = 'feedback'"], {}
    for field, value in (("category", flt.category), ("module_id", flt.module_id),
                         ("rating", flt.rating), ("locale", flt.locale)):
        if value is not None:
            clauses.append(f"c.{field} = @{field}")
            params[f"@{field}"] = value.value if hasattr(value, "value") else value
    if flt.since is not None:
        clauses.append("c.created_at >= @since")
        params["@since"] = encode_time(flt.since)
    if flt.until is not None:
        clauses.append("c.created_at < @until")
        params["@until"] = encode_time(flt.until)
    return f"SELECT * FROM c WHERE {' AND '.join(clauses)}", params


class CosmosTriageStore:
    def __init__(self, workers: Docs):
        self._docs = workers

    async def list_inbox(self, flt: InboxFilter, cursor: str | None, limit: int) -> InboxPage:
        page_of([], flt, cursor, limit)  # a bad cursor fails before any request
        sql, params = _feedback_query(flt)
        feedback = await self._docs.query(sql, params, "list the feedback inbox", page_size=1000)
        triage = {t.feedback_id: t for t in
                  (from_doc(Triage, d) for d in await self._docs.query(
                      _ALL_TRIAGE, {}, "list the feedback inbox", page_size=1000))}
        items = []
        for doc in feedback:
            item = from_doc(Feedback, doc)
            items.append(InboxItem(item, triage.get(item.id) or untouched(item)))
        return page_of(items, flt, cursor, limit)

    async def get_item(self, feedback_id_: str) -> InboxItem | None:
        doc = await self._feedback_doc(feedback_id_)
        if doc is None:
            return None
        feedback = from_doc(Feedback, doc)
        stored = await self._docs.read(triage_id(feedback.id), doc["workerId"],
                                       "read a feedback item")
        return InboxItem(feedback, from_doc(Triage, stored) if stored else untouched(feedback))

    async def save_triage(self, triage: Triage, expected_version: int) -> Triage:
        conflict = ConcurrencyConflict(f"feedback {triage.feedback_id} changed since it was read")
        feedback = await self._feedback_doc(triage.feedback_id)
        if feedback is None:
            raise conflict
        partition = feedback["workerId"]
        saved = triage.model_copy(update={"version": expected_version + 1,
                                          "worker_id": feedback.get("worker_id")})
        doc = to_doc(saved, doc_id=triage_id(saved.feedback_id), kind="triage",
                     partition=partition)
        if expected_version == 0:
            if not await self._docs.create_once(doc, partition, "save triage"):
                raise conflict
        else:
            current = await self._docs.read(doc["id"], partition, "save triage")
            if current is None or current.get("version") != expected_version:
                raise conflict
            if await self._docs.replace_if_unchanged(doc, current["_etag"], partition,
                                                     "save triage") is None:
                raise conflict
        await self._docs.patch(feedback["id"], partition,
                               [{"op": "set", "path": "/status", "value": saved.status.value}],
                               "set the feedback status")
        return saved

    async def list_for_worker(self, worker_id: str) -> list[Triage]:
        return [from_doc(Triage, d) for d in
                await typed_docs(self._docs, worker_id, "triage", "list a worker's triage")]

    async def delete_for_worker(self, worker_id: str) -> None:
        await delete_typed(self._docs, worker_id, "triage", "delete a worker's triage")

    async def holds_worker(self, worker_id: str) -> bool:
        return await holds_typed(self._docs, worker_id, "triage", "look for a worker's triage")

    async def _feedback_doc(self, feedback: str) -> Doc | None:
        found = await self._docs.query(_FEEDBACK, {"@id": feedback_id(feedback)},
                                       "find a feedback item")
        return found[0] if found else None
