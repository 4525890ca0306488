"""The campaign use cases the trainer cards, the CLI and the sender share:
create / schedule / cancel / status / results, and starting a due campaign (resolving and
freezing its audience). Thin layers (cards, `coach campaign ...`) call these and check roles.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.adoption import Expectations
from domain.audience import DIRECTORY_KINDS, AudienceKind, Unreachable, unreachable_reason
from domain.campaign_results import CampaignResults, campaign_results
from domain.campaigns import Campaign, CampaignState, Delivery
from domain.schedule import validate_start
from bot.adoption_service import audience_problem, configured_expectations, directory_audience
from bot.store.campaign_port import AudiencePage, DeliveryCounts
from bot.store.port import ConcurrencyConflict, Store
from jobs.clock import Clock

PAGE = 500
MAX_RACES = 5


class CampaignError(ValueError):
    """A request the trainer can fix (unknown campaign, wrong state, bad schedule)."""


@dataclass(frozen=True)
class CampaignStatus:
    campaign: Campaign
    counts: DeliveryCounts


class CampaignService:
    def __init__(self, store: Store, clock: Clock, expectations: Expectations | None = None):
        """`expectations` judge usage-gap audiences (default: the shipped ones with
        ORG_EXPECTATIONS, loaded when first needed)."""
        self.store = store
        self.clock = clock
        self._expectations = expectations

    def expectations(self) -> Expectations | None:
        if self._expectations is None:
            from bot.settings import Settings

            self._expectations = configured_expectations(Settings().org_expectations)
        return self._expectations

    async def create(self, **fields: Any) -> Campaign:
        """A draft. Fields are Campaign's (tenant_id, title, quiz, audience, schedule,
        reminders, intro, ends_at, created_by); `id` is made up when missing. Raises
        pydantic's ValidationError for bad input."""
        fields.setdefault("id", uuid.uuid4().hex)
        fields.setdefault("created_at", self.clock.now())
        campaign = Campaign(**fields)
        if campaign.audience.kind in DIRECTORY_KINDS and (
                problem := audience_problem(campaign.audience, self.expectations())):
            raise CampaignError(problem)
        return await self.store.campaigns.create_campaign(campaign)

    async def schedule(self, campaign_id: str) -> Campaign:
        """draft -> scheduled: the sender starts it at its schedule's earliest moment."""
        def change(c: Campaign) -> Campaign:
            now = self.clock.now()
            if (problem := validate_start(c.schedule.earliest_start(now), now)) is not None:
                raise CampaignError(problem)
            return c.transition(CampaignState.SCHEDULED, now)
        return await self._update(campaign_id, change)

    async def cancel(self, campaign_id: str) -> Campaign:
        """Nothing more goes out; a sender checks before every send (within a second)."""
        cancelled = await self._update(
            campaign_id, lambda c: c.transition(CampaignState.CANCELLED, self.clock.now()))
        await self.store.campaigns.skip_open(campaign_id, "cancelled", self.clock.now())
        return cancelled

    async def advance(self, campaign_id: str, state: CampaignState) -> Campaign | None:
        """The sender's transitions (sending -> sent, -> closed); None when the campaign has
        moved on meanwhile (e.g. cancelled)."""
        try:
            return await self._update(campaign_id,
                                      lambda c: c.transition(state, self.clock.now()))
        except CampaignError:
            return None

    async def status(self, campaign_id: str) -> CampaignStatus:
        campaign = await self._get(campaign_id)
        return CampaignStatus(campaign, await self.store.campaigns.count_deliveries(campaign_id))

    async def results(self, campaign_id: str) -> CampaignResults:
        campaign = await self._get(campaign_id)
        deliveries: list[Delivery] = []
        after: str | None = None
        while page := await self.store.campaigns.list_deliveries(campaign_id, after=after,
                                                                 limit=PAGE):
            deliveries += page
            after = page[-1].worker_id
        names = {}
        worker_ids = sorted({d.worker_id for d in deliveries})
        for start in range(0, len(worker_ids), PAGE):
            found = await self.store.campaigns.find_workers(campaign.tenant_id,
                                                            worker_ids[start:start + PAGE])
            names.update({w.id: w.name for w in found.workers})
        attempts = await self.store.campaigns.campaign_attempts(campaign_id)
        return campaign_results(campaign, deliveries, names, attempts)

    async def start_due(self) -> list[Campaign]:
        """Start every scheduled campaign whose time has come: resolve its audience, create
        one delivery per reachable worker (idempotently: a crash mid-way resolves again),
        then mark it sending with the unreachable counted."""
        now = self.clock.now()
        started = []
        for campaign in await self.store.campaigns.list_campaigns(
                None, {CampaignState.SCHEDULED}):
            if campaign.starts_at is not None and campaign.starts_at <= now:
                unreachable = await self._freeze_audience(campaign, now)
                started.append(await self._update(campaign.id, lambda c: c.transition(
                    CampaignState.SENDING, now).model_copy(update={
                        "audience_frozen_at": now, "unreachable": unreachable})))
        return started

    async def _freeze_audience(self, campaign: Campaign, now: datetime) -> dict[str, list[str]]:
        unreachable: dict[str, list[str]] = {}
        audience = campaign.audience
        if audience.kind is AudienceKind.EXPLICIT:
            pages = self._explicit_pages(campaign, audience.keys, unreachable)
        elif audience.kind in DIRECTORY_KINDS:
            # Directory users the bot never met are unknown workers: counted and listed, not sent.
            keys = await directory_audience(self.store, audience, self.expectations())
            pages = self._explicit_pages(campaign, keys, unreachable)
        else:
            pages = self._rule_pages(campaign)
        async for page in pages:
            deliveries = []
            for worker in page.workers:
                if reason := unreachable_reason(worker, worker.id in page.blocked):
                    unreachable.setdefault(reason.value, []).append(worker.id)
                    continue
                deliveries.append(Delivery(
                    campaign_id=campaign.id, worker_id=worker.id, tenant_id=campaign.tenant_id,
                    due_at=campaign.schedule.due_for(worker.time_zone, now), updated_at=now))
            await self.store.campaigns.add_deliveries(deliveries)
        return {reason: sorted(ids) for reason, ids in unreachable.items()}  # the same on every store

    async def _rule_pages(self, campaign: Campaign):  # type: ignore[no-untyped-def]
        after: str | None = None
        while True:
            page = await self.store.campaigns.audience_page(campaign.tenant_id,
                                                            campaign.audience, after, PAGE)
            yield page
            if page.next_after is None:
                return
            after = page.next_after

    async def _explicit_pages(self, campaign: Campaign, keys: list[str],  # type: ignore[no-untyped-def]
                              unreachable: dict[str, list[str]]):
        for start in range(0, len(keys), PAGE):
            chunk = keys[start:start + PAGE]
            page: AudiencePage = await self.store.campaigns.find_workers(campaign.tenant_id,
                                                                         chunk)
            known = {w.id.lower() for w in page.workers} | {
                (w.upn or "").lower() for w in page.workers}
            missing = [k for k in chunk if k.lower() not in known]
            if missing:
                unreachable.setdefault(Unreachable.UNKNOWN_WORKER.value, []).extend(missing)
            yield page

    async def _get(self, campaign_id: str) -> Campaign:
        campaign = await self.store.campaigns.get_campaign(campaign_id)
        if campaign is None:
            raise CampaignError(f"no campaign {campaign_id!r}")
        return campaign

    async def _update(self, campaign_id: str, change: Callable[[Campaign], Campaign]) -> Campaign:
        for _ in range(MAX_RACES):
            current = await self._get(campaign_id)
            try:
                new = change(current)
            except ValueError as exc:  # InvalidTransition and bad schedules
                raise CampaignError(str(exc)) from None
            try:
                return await self.store.campaigns.save_campaign(new, current.version)
            except ConcurrencyConflict:
                continue
        raise CampaignError(f"campaign {campaign_id!r} keeps changing; try again")
