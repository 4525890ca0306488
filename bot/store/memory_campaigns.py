"""Campaigns on the in-memory adapter: dicts beside MemoryStore's own, same copy rules."""

from __future__ import annotations

from datetime import datetime

from domain.audience import Audience, AudienceKind, matches_locale
from domain.campaigns import Campaign, Delivery, DeliveryState
from domain.models import AttemptStatus, ProgressStatus, QuizAttempt, Worker
from bot.store.campaign_port import AudiencePage, DeliveryCounts, DeliveryKey, Leased
from bot.store.memory import MemoryAttemptStore, _Data, _stored, _utc
from bot.store.port import ConcurrencyConflict


class MemoryCampaignStore:
    def __init__(self, data: _Data):
        self._data = data
        self._campaigns: dict[str, Campaign] = {}
        self._deliveries: dict[DeliveryKey, Delivery] = {}
        self._blocked: dict[str, datetime] = {}

    async def create_campaign(self, campaign: Campaign) -> Campaign:
        self._campaigns.setdefault(campaign.id, _stored(campaign))
        return _stored(self._campaigns[campaign.id])

    async def get_campaign(self, campaign_id: str) -> Campaign | None:
        found = self._campaigns.get(campaign_id)
        return _stored(found) if found else None

    async def save_campaign(self, campaign: Campaign, expected_version: int) -> Campaign:
        current = self._campaigns.get(campaign.id)
        if current is None or current.version != expected_version:
            raise ConcurrencyConflict(f"campaign {campaign.id} changed since it was read")
        saved = _stored(campaign)
        saved.version = expected_version + 1
        self._campaigns[campaign.id] = saved
        return _stored(saved)

    async def list_campaigns(self, tenant_id: str | None = None,
                             states: set | None = None) -> list[Campaign]:
        found = [c for c in self._campaigns.values()
                 if (tenant_id is None or c.tenant_id == tenant_id)
                 and (states is None or c.state in states)]
        return [_stored(c) for c in sorted(found, key=lambda c: (c.created_at, c.id),
                                           reverse=True)]

    async def add_deliveries(self, deliveries: list[Delivery]) -> int:
        new = 0
        for delivery in deliveries:
            if delivery.key not in self._deliveries:
                self._deliveries[delivery.key] = _stored(delivery)
                new += 1
        return new

    async def lease_due(self, campaign_id: str, owner: str, now: datetime, until: datetime,
                        limit: int) -> list[Leased]:
        due = sorted((d for d in self._deliveries.values()
                      if d.campaign_id == campaign_id and _takeable(d, now)),
                     key=lambda d: (d.due_at, d.worker_id, d.round))[:limit]
        taken = []
        for stored in due:
            taken_over = stored.state is DeliveryState.LEASED
            stored.state, stored.lease_owner, stored.lease_until = (
                DeliveryState.LEASED, owner, _utc(until))
            taken.append(Leased(_stored(stored), taken_over))
        return taken

    async def record_outcomes(self, deliveries: list[Delivery], owner: str) -> set[DeliveryKey]:
        written = set()
        for delivery in deliveries:
            stored = self._deliveries.get(delivery.key)
            if _holds(stored, delivery, owner):
                self._deliveries[delivery.key] = _released(delivery)
                written.add(delivery.key)
        return written

    async def release(self, deliveries: list[Delivery], owner: str) -> int:
        released = 0
        for delivery in deliveries:
            stored = self._deliveries.get(delivery.key)
            if _holds(stored, delivery, owner):
                stored.state, stored.lease_owner, stored.lease_until = (
                    DeliveryState.PENDING, None, None)
                released += 1
        return released

    async def skip_open(self, campaign_id: str, reason: str, at: datetime) -> int:
        skipped = 0
        for d in self._deliveries.values():
            if d.campaign_id == campaign_id and _takeable(d, _utc(at), any_due=True):
                d.state, d.reason, d.lease_owner, d.lease_until = (
                    DeliveryState.SKIPPED, reason, None, None)
                d.updated_at = _utc(at)
                skipped += 1
        return skipped

    async def list_deliveries(self, campaign_id: str, *, round_: int | None = None,
                              after: str | None = None, limit: int = 1000) -> list[Delivery]:
        found = sorted((d for d in self._deliveries.values()
                        if d.campaign_id == campaign_id
                        and (round_ is None or d.round == round_)
                        and (after is None or d.worker_id > after)),
                       key=lambda d: (d.worker_id, d.round))
        return [_stored(d) for d in found[:limit]]

    async def worker_deliveries(self, campaign_id: str, worker_id: str) -> list[Delivery]:
        return [_stored(d) for d in sorted(self._deliveries.values(), key=lambda d: d.round)
                if d.campaign_id == campaign_id and d.worker_id == worker_id]

    async def move_pending(self, campaign_id: str, worker_id: str, round_: int,
                           due_at: datetime, at: datetime) -> bool:
        stored = self._deliveries.get((campaign_id, worker_id, round_))
        if stored is None or stored.state is not DeliveryState.PENDING:
            return False
        stored.due_at, stored.updated_at = _utc(due_at), _utc(at)
        return True

    async def count_deliveries(self, campaign_id: str) -> DeliveryCounts:
        cells: dict[tuple[int, DeliveryState], int] = {}
        for d in self._deliveries.values():
            if d.campaign_id == campaign_id:
                cells[(d.round, d.state)] = cells.get((d.round, d.state), 0) + 1
        return DeliveryCounts(cells)

    async def next_due(self, campaign_id: str) -> datetime | None:
        times = [d.due_at if d.state is DeliveryState.PENDING else d.lease_until
                 for d in self._deliveries.values() if d.campaign_id == campaign_id
                 and d.state in (DeliveryState.PENDING, DeliveryState.LEASED)]
        return min((t for t in times if t is not None), default=None)

    async def audience_page(self, tenant_id: str, audience: Audience, after: str | None,
                            limit: int) -> AudiencePage:
        ids = sorted(w.id for w in self._data.workers.values() if w.tenant_id == tenant_id
                     and (after is None or w.id > after))
        page = ids[:limit]
        workers = [w for w in (self._data.workers[i] for i in page) if self._matches(w, audience)]
        return self._page(workers, page[-1] if len(ids) > limit else None)

    async def find_workers(self, tenant_id: str, keys: list[str]) -> AudiencePage:
        wanted = {k.lower() for k in keys}
        found = [w for w in self._data.workers.values() if w.tenant_id == tenant_id
                 and (w.id.lower() in wanted or (w.upn or "").lower() in wanted)]
        return self._page(sorted(found, key=lambda w: w.id), None)

    async def set_blocked(self, tenant_id: str, worker_id: str, at: datetime) -> None:
        self._blocked[worker_id] = _utc(at)
        if (worker := self._data.workers.get(worker_id)) and worker.blocked_at is None:
            worker.blocked_at = _utc(at)

    async def clear_blocked(self, tenant_id: str, worker_id: str) -> None:
        self._blocked.pop(worker_id, None)
        if worker := self._data.workers.get(worker_id):
            worker.blocked_at = None

    async def delete_for_worker(self, worker_id: str) -> None:
        for key in [k for k, d in self._deliveries.items() if d.worker_id == worker_id]:
            del self._deliveries[key]
        self._blocked.pop(worker_id, None)

    async def holds_worker(self, worker_id: str) -> bool:
        return worker_id in self._blocked or any(
            d.worker_id == worker_id for d in self._deliveries.values())

    async def update_conversation(self, worker_id: str, conversation: dict) -> None:
        if worker := self._data.workers.get(worker_id):
            worker.conversation = dict(conversation)

    async def campaign_attempts(self, campaign_id: str,
                                worker_ids: list[str] | None = None) -> list[QuizAttempt]:
        wanted = None if worker_ids is None else set(worker_ids)
        return [MemoryAttemptStore._copy(a) for a in self._data.attempts.values()
                if a.campaign_id == campaign_id and a.status is AttemptStatus.SUBMITTED
                and (wanted is None or a.worker_id in wanted)]

    def _matches(self, worker: Worker, audience: Audience) -> bool:
        if audience.kind is AudienceKind.LOCALE:
            return matches_locale(worker, audience.value)
        if audience.kind is AudienceKind.NOT_COMPLETED:
            done = self._data.progress.get((worker.id, audience.value))
            return done is None or done.status is not ProgressStatus.DONE
        if audience.kind is AudienceKind.NOT_PASSED:
            return not any(a.worker_id == worker.id and a.module_id == audience.value
                           and a.passed for a in self._data.attempts.values())
        return True

    def _page(self, workers: list[Worker], next_after: str | None) -> AudiencePage:
        return AudiencePage([_stored(w) for w in workers],
                            {w.id for w in workers if w.id in self._blocked}, next_after)


def _takeable(d: Delivery, now: datetime, *, any_due: bool = False) -> bool:
    if d.state is DeliveryState.PENDING:
        return any_due or d.due_at <= now
    return (d.state is DeliveryState.LEASED and d.lease_until is not None
            and d.lease_until <= now)


def _holds(stored: Delivery | None, mine: Delivery, owner: str) -> bool:
    """`owner` still holds the lease `mine` came with (its lease_until is the lease's token:
    the same owner taking an expired lease again makes a new lease)."""
    return (stored is not None and stored.state is DeliveryState.LEASED
            and stored.lease_owner == owner
            and (mine.lease_until is None or stored.lease_until == _utc(mine.lease_until)))


def _released(delivery: Delivery) -> Delivery:
    stored = _stored(delivery)
    if stored.state is not DeliveryState.LEASED:
        stored.lease_owner = stored.lease_until = None
    return stored

