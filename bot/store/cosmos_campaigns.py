"""Campaigns on Cosmos DB: container `campaigns`, partition key /campaignId.

A campaign's partition holds its document (id `campaign`) and all its deliveries (id
`d:<worker>:<round>`), so "this campaign's due deliveries" is a one-partition query and every
lease or outcome a point write in it. Blocked workers live in partitions `~blocks:<tenant>`. A delivery is leased with an
etag-guarded patch (a racing instance gets 412 and skips it); the outcome is an etag-guarded
replace with the etag the lease returned, so a lease someone else took over is never
overwritten. Design and RU costs: bot/store/README.md.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from domain.audience import Audience, AudienceKind, matches_locale
from domain.campaigns import Campaign, Delivery, DeliveryState
from domain.models import QuizAttempt, Worker
from bot.store.campaign_port import AudiencePage, DeliveryCounts, DeliveryKey, Leased
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_docs import WORKER_DOC, encode_time, from_doc, plain, safe_key
from bot.store.port import ConcurrencyConflict

CAMPAIGN_DOC = "campaign"
PARALLEL = 16  # concurrent point writes of one lease or outcome batch
_CHUNK = 200  # ids per ARRAY_CONTAINS parameter
_ENVELOPE = ("campaignId",)
_OWNER = re.compile(r"^[A-Za-z0-9:._-]{1,100}$")
_OPEN = ("c.campaignId = @c AND c.type = 'delivery' AND ((c.state = 'pending' AND c.due_at <= @now)"
         " OR (c.state = 'leased' AND c.lease_until <= @now))")


def delivery_id(worker_id: str, round_: int) -> str:
    return f"d:{safe_key(worker_id)}:{round_:03d}"


def _doc(model: Any, doc_id: str, kind: str, partition: str) -> Doc:
    body = plain(model.model_dump())
    own_id = body.pop("id", None)
    doc = {"id": doc_id, "campaignId": partition, "type": kind, **body}
    if own_id is not None:
        doc["key"] = own_id
    return doc


def _delivery_doc(d: Delivery) -> Doc:
    if d.state is not DeliveryState.LEASED:
        d = d.model_copy(update={"lease_owner": None, "lease_until": None})
    return _doc(d, delivery_id(d.worker_id, d.round), "delivery", d.campaign_id)


def _delivery(doc: Doc) -> Delivery:
    return from_doc(Delivery, doc, drop=_ENVELOPE)


class CosmosCampaignStore:
    def __init__(self, campaigns: Docs, workers: Docs):
        self._docs = campaigns
        self._workers = workers
        # (owner, key, lease_until) -> the etag our lease left: a lease is owner + expiry
        self._etags: dict[tuple[str, DeliveryKey, str | None], str] = {}
        self._parallel = asyncio.Semaphore(PARALLEL)

    async def create_campaign(self, campaign: Campaign) -> Campaign:
        doc = _doc(campaign, CAMPAIGN_DOC, "campaign", campaign.id)
        await self._docs.create_once(doc, campaign.id, "create a campaign")
        stored = await self.get_campaign(campaign.id)
        assert stored is not None
        return stored

    async def get_campaign(self, campaign_id: str) -> Campaign | None:
        doc = await self._docs.read(CAMPAIGN_DOC, campaign_id, "read a campaign")
        return from_doc(Campaign, doc, drop=_ENVELOPE) if doc else None

    async def save_campaign(self, campaign: Campaign, expected_version: int) -> Campaign:
        current = await self._docs.read(CAMPAIGN_DOC, campaign.id, "save a campaign")
        conflict = ConcurrencyConflict(f"campaign {campaign.id} changed since it was read")
        if current is None or current.get("version") != expected_version:
            raise conflict
        saved = campaign.model_copy(update={"version": expected_version + 1})
        doc = _doc(saved, CAMPAIGN_DOC, "campaign", campaign.id)
        if await self._docs.replace_if_unchanged(doc, current["_etag"], campaign.id,
                                                 "save a campaign") is None:
            raise conflict
        return saved

    async def list_campaigns(self, tenant_id: str | None = None,
                             states: set | None = None) -> list[Campaign]:
        sql, params = "SELECT * FROM c WHERE c.type = 'campaign'", {}
        if tenant_id is not None:
            sql, params = sql + " AND c.tenant_id = @t", {"@t": tenant_id}
        if states:
            sql, params["@s"] = sql + " AND ARRAY_CONTAINS(@s, c.state)", [s.value for s in states]
        docs = await self._docs.query(sql, params, "list campaigns")
        found = [from_doc(Campaign, d, drop=_ENVELOPE) for d in docs]
        return sorted(found, key=lambda c: (c.created_at, c.id), reverse=True)

    async def add_deliveries(self, deliveries: list[Delivery]) -> int:
        async def one(d: Delivery) -> bool:
            async with self._parallel:
                return await self._docs.create(_delivery_doc(d), "add a campaign delivery")
        return sum(await asyncio.gather(*(one(d) for d in deliveries)))

    async def lease_due(self, campaign_id: str, owner: str, now: datetime, until: datetime,
                        limit: int) -> list[Leased]:
        _check_owner(owner)
        docs = await self._docs.query(
            f"SELECT TOP {int(limit)} * FROM c WHERE {_OPEN} ORDER BY c.due_at",
            {"@c": campaign_id, "@now": encode_time(now)}, "find due campaign deliveries",
            partition=campaign_id)
        ops = [{"op": "set", "path": "/state", "value": DeliveryState.LEASED.value},
               {"op": "set", "path": "/lease_owner", "value": owner},
               {"op": "set", "path": "/lease_until", "value": encode_time(until)}]

        until_text = encode_time(until)

        async def take(doc: Doc) -> Leased | None:
            async with self._parallel:
                taken = await self._docs.patch_if_unchanged(
                    doc["id"], campaign_id, ops, doc["_etag"], "lease a campaign delivery")
            if taken is None:
                return None  # another instance took it first
            delivery = _delivery(taken)
            self._etags[(owner, delivery.key, until_text)] = taken["_etag"]
            return Leased(delivery, doc["state"] == DeliveryState.LEASED.value)
        found = [d for d in await asyncio.gather(*(take(doc) for doc in docs)) if d]
        return sorted(found, key=lambda t: (t.delivery.due_at, t.delivery.worker_id,
                                            t.delivery.round))

    async def record_outcomes(self, deliveries: list[Delivery], owner: str) -> set[DeliveryKey]:
        results = await asyncio.gather(*(self._write_leased(d, owner, _delivery_doc(d))
                                         for d in deliveries))
        return {d.key for d, ok in zip(deliveries, results) if ok}

    async def release(self, deliveries: list[Delivery], owner: str) -> int:
        pending = [d.model_copy(update={"state": DeliveryState.PENDING}) for d in deliveries]
        results = await asyncio.gather(*(self._write_leased(d, owner, _delivery_doc(d))
                                         for d in pending))
        return sum(results)

    async def _write_leased(self, d: Delivery, owner: str, doc: Doc) -> bool:
        """Replace the delivery if `owner` still holds its lease (etag from the lease)."""
        async with self._parallel:
            lease = encode_time(d.lease_until)
            etag = self._etags.pop((owner, d.key, lease), None)
            if etag is None:
                current = await self._docs.read(doc["id"], d.campaign_id, "record a delivery")
                if (current is None or current.get("state") != DeliveryState.LEASED.value
                        or current.get("lease_owner") != owner
                        or (lease is not None and current.get("lease_until") != lease)):
                    return False
                etag = current["_etag"]
            written = await self._docs.replace_if_unchanged(doc, etag, d.campaign_id,
                                                            "record a campaign delivery")
            if written is not None and d.state is DeliveryState.LEASED:
                self._etags[(owner, d.key, lease)] = written["_etag"]
            return written is not None

    async def skip_open(self, campaign_id: str, reason: str, at: datetime) -> int:
        when = encode_time(at)
        docs = await self._docs.query(
            f"SELECT c.id FROM c WHERE {_OPEN}", {"@c": campaign_id, "@now": when},
            "find open campaign deliveries", partition=campaign_id)
        ops = [{"op": "set", "path": "/state", "value": DeliveryState.SKIPPED.value},
               {"op": "set", "path": "/reason", "value": reason},
               {"op": "set", "path": "/lease_owner", "value": None},
               {"op": "set", "path": "/lease_until", "value": None},
               {"op": "set", "path": "/updated_at", "value": when}]
        condition = (f"FROM c WHERE c.state = 'pending' OR "
                     f"(c.state = 'leased' AND c.lease_until <= '{when}')")

        async def skip(doc: Doc) -> bool:
            async with self._parallel:
                return await self._docs.patch(doc["id"], campaign_id, ops,
                                              "skip a campaign delivery",
                                              condition=condition) is not None
        return sum(await asyncio.gather(*(skip(d) for d in docs)))

    async def list_deliveries(self, campaign_id: str, *, round_: int | None = None,
                              after: str | None = None, limit: int = 1000) -> list[Delivery]:
        sql = ("SELECT * FROM c WHERE c.campaignId = @c AND c.type = 'delivery'"
               " AND c.worker_id > @after")
        params: dict[str, Any] = {"@c": campaign_id, "@after": after or ""}
        if round_ is not None:
            sql, params["@r"] = sql + " AND c.round = @r", round_
        docs = await self._docs.query(
            sql.replace("SELECT *", f"SELECT TOP {int(limit) + 1} *") + " ORDER BY c.worker_id",
            params, "list campaign deliveries", partition=campaign_id)
        found = sorted((_delivery(d) for d in docs), key=lambda d: (d.worker_id, d.round))
        if len(found) > limit:
            # TOP may cut a worker's rounds in two: leave that worker for the next page.
            split = found[limit].worker_id
            found = found[:limit]
            if found[0].worker_id != split:
                found = [d for d in found if d.worker_id != split]
        return found

    async def worker_deliveries(self, campaign_id: str, worker_id: str) -> list[Delivery]:
        docs = await self._docs.query(
            "SELECT * FROM c WHERE c.campaignId = @c AND c.type = 'delivery'"
            " AND c.worker_id = @w", {"@c": campaign_id, "@w": worker_id},
            "read a worker's campaign deliveries", partition=campaign_id)
        return sorted((_delivery(d) for d in docs), key=lambda d: d.round)

    async def move_pending(self, campaign_id: str, worker_id: str, round_: int,
                           due_at: datetime, at: datetime) -> bool:
        ops = [{"op": "set", "path": "/due_at", "value": encode_time(due_at)},
               {"op": "set", "path": "/updated_at", "value": encode_time(at)}]
        return await self._docs.patch(delivery_id(worker_id, round_), campaign_id, ops,
                                      "move a campaign delivery",
                                      condition="FROM c WHERE c.state = 'pending'") is not None

    async def count_deliveries(self, campaign_id: str) -> DeliveryCounts:
        """One COUNT per (round, state): the local server has no GROUP BY."""
        base = "FROM c WHERE c.campaignId = @c AND c.type = 'delivery'"
        top = await self._docs.query(
            f"SELECT TOP 1 VALUE c.round {base} ORDER BY c.round DESC", {"@c": campaign_id},
            "count campaign deliveries", partition=campaign_id)
        cells = {}
        for round_ in range((top[0] + 1) if top else 0):
            for state in DeliveryState:
                [n] = await self._docs.query(
                    f"SELECT VALUE COUNT(1) {base} AND c.round = @r AND c.state = @s",
                    {"@c": campaign_id, "@r": round_, "@s": state.value},
                    "count campaign deliveries", partition=campaign_id)
                if n:
                    cells[(round_, state)] = n
        return DeliveryCounts(cells)

    async def next_due(self, campaign_id: str) -> datetime | None:
        times = []
        for state, field in (("pending", "due_at"), ("leased", "lease_until")):
            found = await self._docs.query(
                f"SELECT TOP 1 VALUE c.{field} FROM c WHERE c.campaignId = @c"
                f" AND c.type = 'delivery' AND c.state = @s ORDER BY c.{field}",
                {"@c": campaign_id, "@s": state}, "find the next due delivery",
                partition=campaign_id)
            times += [datetime.fromisoformat(t) for t in found if t]
        return min(times, default=None)

    async def audience_page(self, tenant_id: str, audience: Audience, after: str | None,
                            limit: int) -> AudiencePage:
        docs = await self._workers.query(
            f"SELECT TOP {int(limit) + 1} * FROM c WHERE c.type = 'worker' AND c.tenant_id = @t"
            " AND c.workerId > @after ORDER BY c.workerId",
            {"@t": tenant_id, "@after": after or ""}, "resolve a campaign audience")
        page = [from_doc(Worker, d) for d in docs[:limit]]
        excluded = await self._excluded(audience, [w.id for w in page])
        workers = [w for w in page if w.id not in excluded
                   and (audience.kind is not AudienceKind.LOCALE
                        or matches_locale(w, audience.value))]
        return AudiencePage(workers, await self._blocked(tenant_id, [w.id for w in workers]),
                            page[-1].id if len(docs) > limit else None)

    async def _excluded(self, audience: Audience, ids: list[str]) -> set[str]:
        """Of `ids`, those who completed (not-completed) or passed (not-passed) the module."""
        if audience.kind is AudienceKind.NOT_COMPLETED:
            rule = "c.type = 'progress' AND c.status = 'done'"
        elif audience.kind is AudienceKind.NOT_PASSED:
            rule = "c.type = 'attempt' AND c.status = 'submitted' AND c.passed = true"
        else:
            return set()
        found: set[str] = set()
        for chunk in _chunks(ids):
            found |= set(await self._workers.query(
                f"SELECT VALUE c.workerId FROM c WHERE {rule} AND c.module_id = @m"
                " AND ARRAY_CONTAINS(@ids, c.workerId)", {"@m": audience.value, "@ids": chunk},
                "resolve a campaign audience"))
        return found

    async def find_workers(self, tenant_id: str, keys: list[str]) -> AudiencePage:
        found: dict[str, Worker] = {}
        for chunk in _chunks([k.lower() for k in keys]):
            for d in await self._workers.query(
                    "SELECT * FROM c WHERE c.type = 'worker' AND c.tenant_id = @t AND"
                    " (ARRAY_CONTAINS(@keys, LOWER(c.workerId)) OR"
                    " (IS_STRING(c.upn) AND ARRAY_CONTAINS(@keys, LOWER(c.upn))))",
                    {"@t": tenant_id, "@keys": chunk}, "find campaign recipients"):
                found[d["workerId"]] = from_doc(Worker, d)
        workers = [found[i] for i in sorted(found)]
        return AudiencePage(workers, await self._blocked(tenant_id, list(found)), None)

    async def _blocked(self, tenant_id: str, ids: list[str]) -> set[str]:
        partition = f"~blocks:{tenant_id}"
        blocked: set[str] = set()
        for chunk in _chunks(ids):
            blocked |= set(await self._docs.query(
                "SELECT VALUE c.worker_id FROM c WHERE c.campaignId = @p"
                " AND ARRAY_CONTAINS(@ids, c.worker_id)", {"@p": partition, "@ids": chunk},
                "read blocked workers", partition=partition))
        return blocked

    async def set_blocked(self, tenant_id: str, worker_id: str, at: datetime) -> None:
        """The worker document first: should the block record then fail, the worker's next
        turn clears a block that is not there (harmless); the other order could leave a
        block no turn ever lifts."""
        await self._workers.patch(WORKER_DOC, worker_id,
                                  [{"op": "set", "path": "/blocked_at", "value": encode_time(at)}],
                                  "mark a worker blocked")
        partition = f"~blocks:{tenant_id}"
        await self._docs.upsert({"id": f"block:{safe_key(worker_id)}", "campaignId": partition,
                                 "type": "block", "worker_id": worker_id,
                                 "at": encode_time(at)}, "mark a worker blocked")

    async def clear_blocked(self, tenant_id: str, worker_id: str) -> None:
        """The block record first, for the same reason as in set_blocked."""
        await self._docs.delete(f"block:{safe_key(worker_id)}", f"~blocks:{tenant_id}",
                                "clear a worker's block")
        await self._workers.patch(WORKER_DOC, worker_id,
                                  [{"op": "set", "path": "/blocked_at", "value": None}],
                                  "clear a worker's block")

    async def _worker_docs(self, worker_id: str) -> list[Doc]:
        """The worker's deliveries and block records, across campaigns (`worker_id` is indexed)."""
        return await self._docs.query(
            "SELECT c.id, c.campaignId FROM c WHERE c.worker_id = @w AND c.type IN ('delivery', 'block')",
            {"@w": worker_id}, "find a worker's campaign deliveries")

    async def delete_for_worker(self, worker_id: str) -> None:
        for doc in await self._worker_docs(worker_id):
            await self._docs.delete(doc["id"], doc["campaignId"], "delete a worker's campaign delivery")

    async def holds_worker(self, worker_id: str) -> bool:
        return bool(await self._worker_docs(worker_id))

    async def update_conversation(self, worker_id: str, conversation: dict) -> None:
        await self._workers.patch(WORKER_DOC, worker_id,
                                  [{"op": "set", "path": "/conversation", "value": conversation}],
                                  "store a conversation reference")

    async def campaign_attempts(self, campaign_id: str,
                                worker_ids: list[str] | None = None) -> list[QuizAttempt]:
        sql = ("SELECT * FROM c WHERE c.type = 'attempt' AND c.campaign_id = @c"
               " AND c.status = 'submitted'")
        if worker_ids is None:
            docs = await self._workers.query(sql, {"@c": campaign_id}, "read campaign attempts")
        else:
            docs = []
            for chunk in _chunks(worker_ids):
                docs += await self._workers.query(
                    sql + " AND ARRAY_CONTAINS(@ids, c.workerId)",
                    {"@c": campaign_id, "@ids": chunk}, "read campaign attempts")
        return [from_doc(QuizAttempt, d) for d in docs]


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _check_owner(owner: str) -> None:
    if not _OWNER.match(owner):
        raise ValueError("a lease owner is letters, digits and : . _ - only")
