"""The campaign sender: a service of the job runner (jobs/runner.py starts
`run_until_stopped(stop)` on every instance; `coach jobs --once` calls `run_once()`).

Each round it starts the scheduled campaigns that are due, then, for every tenant whose
sending lease it holds (`store.leases`, `campaign-tenant:<tenant>`: one sender per tenant
across instances, renewed while it sends, released when it stops), leases that tenant's due
deliveries in small batches and sends them through one tenant-wide limiter; outcomes are
recorded in batches, only while its delivery leases are still its own. A sent campaign
message schedules the next reminder as a pending delivery due later (checked against
submissions before it goes). On stop it takes no more work, lets what is in flight finish
and records every outcome; deliveries waiting for a retry go back to the queue.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from domain.campaigns import Campaign, CampaignState, Delivery, DeliveryState, reminder_due
from domain.messaging import Messenger
from domain.models import Worker
from bot.settings import Settings
from bot.store.campaign_port import Leased
from bot.store.port import Store, StoreError, StoreUnavailable
from jobs.campaign_card import bare_card
from jobs.campaign_delivery import CardBuilder, DeliveryRun, SendPolicy
from jobs.campaign_service import CampaignService
from jobs.clock import Clock, SystemClock
from jobs.job import LeaseKeeper

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderConfig:
    tenant_rate: float = 50.0  # TEAMS_TENANT_RATE: requests/s per tenant
    policy: SendPolicy = SendPolicy()
    lease_seconds: float = 60.0  # a delivery lease, and the tenant sending lease
    batch: int = 50  # deliveries leased at a time
    in_flight: int = 200  # deliveries being worked on at once (waiting for limits included)
    flush_seconds: float = 0.05  # outcomes are written at least this often
    idle_seconds: float = 1.0  # pause between rounds when nothing was due
    cancel_check_seconds: float = 0.25  # how old a cached "not cancelled" may be
    requeue_seconds: float = 0.25  # nothing due but work in flight: look again this often


def config_from_settings(settings: Settings) -> SenderConfig:
    return SenderConfig(tenant_rate=settings.teams_tenant_rate,
                        lease_seconds=settings.campaign_lease_seconds,
                        policy=SendPolicy(resend_unknown=settings.campaign_resend_unknown,
                                          lease_margin=settings.campaign_lease_margin))


def new_owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}".replace(" ", "-")


class CampaignSender:
    name = "campaign-sender"

    def __init__(self, store: Store, messenger: Messenger, *, config: SenderConfig = SenderConfig(),
                 clock: Clock | None = None, owner: str | None = None,
                 card: CardBuilder = bare_card):
        self.store = store
        self.config = config
        self.clock = clock or SystemClock()
        self.owner = owner or new_owner()
        self.service = CampaignService(store, self.clock)
        self._stop = asyncio.Event()
        self._state_cache: dict[str, tuple[float, bool]] = {}
        self.run = DeliveryRun(store, messenger, self.clock, config.policy, card,
                               self._is_cancelled, self._stop.is_set, config.tenant_rate)
        self._outcomes: list[tuple[Delivery, Campaign, Worker | None]] = []
        self.lost_leases = 0
        self._tenants: dict[str, LeaseKeeper] = {}  # the tenant sending leases held

    async def run_until_stopped(self, stop_event: asyncio.Event) -> None:
        watcher = asyncio.create_task(self._follow(stop_event))
        try:
            while not self._stop.is_set():
                try:
                    handled = await self._round()
                except StoreUnavailable as exc:
                    log.warning("campaign sender: %s", exc)
                    handled = 0
                if not handled and not self._stop.is_set():
                    try:
                        await asyncio.wait_for(self._stop.wait(), self.config.idle_seconds)
                    except asyncio.TimeoutError:
                        pass
        finally:
            watcher.cancel()
            await self._release_tenants()

    async def _follow(self, stop_event: asyncio.Event) -> None:
        await stop_event.wait()
        self._stop.set()

    async def run_once(self) -> int:
        """One round over every active campaign, then the tenant leases are given up;
        returns how many deliveries it handled."""
        try:
            return await self._round()
        finally:
            await self._release_tenants()

    async def _round(self) -> int:
        await self.service.start_due()
        now = self.clock.now()
        by_tenant: dict[str, list[Campaign]] = defaultdict(list)
        for campaign in await self.store.campaigns.list_campaigns(
                None, {CampaignState.SENDING, CampaignState.SENT}):
            by_tenant[campaign.tenant_id].append(campaign)
        handled = 0
        for tenant, campaigns in by_tenant.items():
            if self._stop.is_set() or not await self._hold_tenant(tenant):
                continue
            for campaign in sorted(campaigns, key=lambda c: c.started_at or now):
                if campaign.ends_at <= now:
                    await self._close(campaign)
                    continue
                handled += await self._send_due(campaign)
        return handled

    def _in_flight(self) -> int:
        """How many deliveries to hold at once: no more than can start well inside their
        lease (before `lease_margin`) at the tenant rate, so none is handed back unsent."""
        window = self.config.lease_seconds - self.config.policy.lease_margin
        fits = int(self.config.tenant_rate * window / 2)
        return max(self.config.batch, min(self.config.in_flight, fits))

    async def _send_due(self, campaign: Campaign) -> int:
        slots = asyncio.Semaphore(self._in_flight())
        tasks: set[asyncio.Task] = set()
        lost_tenant = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat(campaign.tenant_id, lost_tenant))
        flusher = asyncio.create_task(self._flush_every())
        watcher = asyncio.create_task(self._watch_state(campaign.id))
        handled = 0
        try:
            while not self._stop.is_set() and not lost_tenant.is_set():
                for _ in range(self.config.batch):  # room for a whole batch first, so
                    await slots.acquire()  # nothing waits long on a lease it holds
                now = self.clock.now()
                batch = await self.store.campaigns.lease_due(
                    campaign.id, self.owner, now,
                    now + timedelta(seconds=self.config.lease_seconds), self.config.batch)
                for _ in range(self.config.batch - len(batch)):
                    slots.release()
                if not batch:
                    if not tasks and not self._outcomes:
                        break
                    # What is in flight may come back to the queue (handed back, stopping):
                    # look again shortly instead of waiting for the slowest request.
                    if tasks:
                        await asyncio.wait(set(tasks), timeout=self.config.requeue_seconds)
                    await self._flush()
                    continue
                handled += len(batch)
                for leased in batch:
                    task = asyncio.create_task(self._one(campaign, leased, slots))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)
        finally:
            heartbeat.cancel()
            flusher.cancel()
            watcher.cancel()
            await self._flush()
        if not self._stop.is_set():
            await self._maybe_sent(campaign)
        return handled

    async def _heartbeat(self, tenant_id: str, lost: asyncio.Event) -> None:
        """Renew the tenant sending lease while this instance sends for the tenant."""
        while True:
            await asyncio.sleep(self.config.lease_seconds / 3)
            try:
                if not await self._hold_tenant(tenant_id):
                    log.warning("campaign sender: lost the sending lease of a tenant")
                    lost.set()
                    return
            except StoreUnavailable as exc:
                log.warning("campaign sender: could not renew the tenant lease: %s", exc)

    async def _one(self, campaign: Campaign, leased: Leased, slots: asyncio.Semaphore) -> None:
        try:
            outcome, worker = await self.run.deliver(campaign, leased.delivery,
                                                     leased.taken_over)
            self._outcomes.append((outcome, campaign, worker))
        except StoreUnavailable as exc:  # the lease expires; another round resumes it
            log.warning("campaign delivery %s: %s", leased.delivery.key, exc)
        finally:
            slots.release()

    async def _flush_every(self) -> None:
        while True:
            await asyncio.sleep(self.config.flush_seconds)
            await self._flush()

    async def _flush(self) -> None:
        done, self._outcomes = self._outcomes, []
        if not done:
            return
        reminders = [r for d, c, w in done if (r := self._reminder(d, c, w))]
        try:
            if reminders:
                await self.store.campaigns.add_deliveries(reminders)
            written = await self.store.campaigns.record_outcomes([d for d, _, _ in done],
                                                                 self.owner)
        except StoreUnavailable as exc:
            log.warning("campaign outcomes: %s (retrying)", exc)
            self._outcomes = done + self._outcomes
            return
        lost = len(done) - len(written)
        if lost:
            self.lost_leases += lost
            log.warning("campaign sender: %d delivery leases expired before their outcome "
                        "was written (raise lease_seconds?)", lost)

    def _reminder(self, d: Delivery, campaign: Campaign, worker: Worker | None) -> Delivery | None:
        """After a sent message, the next reminder (due N days later, in working hours if
        the campaign keeps quiet hours), or None."""
        if (d.state is not DeliveryState.SENT or d.round >= campaign.reminders.max_count
                or d.sent_at is None):
            return None
        due = reminder_due(d.sent_at, campaign.reminders, 1)
        return Delivery(campaign_id=d.campaign_id, worker_id=d.worker_id, round=d.round + 1,
                        tenant_id=d.tenant_id,
                        due_at=campaign.schedule.allowed_from(due, worker.time_zone if worker
                                                              else None),
                        updated_at=self.clock.now())

    async def _maybe_sent(self, campaign: Campaign) -> None:
        """sending -> sent once every first message has an outcome."""
        counts = await self.store.campaigns.count_deliveries(campaign.id)
        if (campaign.state is CampaignState.SENDING and not counts.of(DeliveryState.PENDING, 0)
                and not counts.of(DeliveryState.LEASED, 0)):
            await self.service.advance(campaign.id, CampaignState.SENT)

    async def _close(self, campaign: Campaign) -> None:
        await self.store.campaigns.skip_open(campaign.id, "closed", self.clock.now())
        await self.service.advance(campaign.id, CampaignState.CLOSED)

    async def _hold_tenant(self, tenant_id: str) -> bool:
        """Renew this tenant's sending lease, or take it when it is free or expired."""
        keeper = self._tenants.get(tenant_id)
        if keeper is not None and await keeper.renew():
            return True
        now, ttl = self.clock.now(), timedelta(seconds=self.config.lease_seconds)
        lease = await self.store.leases.acquire(tenant_lease(tenant_id), self.owner, now + ttl,
                                                now)
        if lease is None:
            self._tenants.pop(tenant_id, None)
            return False
        self._tenants[tenant_id] = LeaseKeeper(self.store.leases, lease, self.clock, ttl)
        return True

    async def _release_tenants(self) -> None:
        keepers, self._tenants = self._tenants, {}
        for keeper in keepers.values():
            try:
                await keeper.release()
            except StoreError as exc:
                log.warning("campaign sender: could not release a tenant lease: %s", exc)

    async def _is_cancelled(self, campaign_id: str) -> bool:
        """From the cache that `_watch_state` keeps fresh while the campaign sends, so the
        check between the rate limiter's grant and the request never waits for the store
        (a wait there lets granted requests leave together, and Teams answers 429)."""
        cached = self._state_cache.get(campaign_id)
        stale = 2 * self.config.cancel_check_seconds
        if cached is None or self.clock.monotonic() - cached[0] > stale:
            return await self._read_state(campaign_id)
        return cached[1]

    async def _read_state(self, campaign_id: str) -> bool:
        at = self.clock.monotonic()
        campaign = await self.store.campaigns.get_campaign(campaign_id)
        stopped = campaign is None or campaign.state in (CampaignState.CANCELLED,
                                                         CampaignState.CLOSED)
        self._state_cache[campaign_id] = (at, stopped)
        return stopped

    async def _watch_state(self, campaign_id: str) -> None:
        """Re-read the campaign every `cancel_check_seconds` while it sends (a cancel stops
        it within that)."""
        while True:
            try:
                await self._read_state(campaign_id)
            except StoreUnavailable as exc:
                log.warning("campaign sender: could not re-read a campaign: %s", exc)
            await asyncio.sleep(self.config.cancel_check_seconds)


def tenant_lease(tenant_id: str) -> str:
    return f"campaign-tenant:{tenant_id}"
