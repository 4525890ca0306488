"""Shared by the campaign tests and bench/bench_campaign.py: workers with conversation
references pointing at the connector simulator, a campaign, and running a sender."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest

from bot.store.port import Store
from bot.store.sqlite import SqliteStore
from bot.teams_messenger import ConnectorMessenger
from domain.audience import Audience, AudienceKind
from domain.campaigns import Campaign, CampaignState, DeliveryState, QuizSpec, Reminders
from domain.models import Worker
from domain.schedule import Schedule
from jobs.campaign_delivery import SendPolicy
from jobs.campaign_sender import CampaignSender, SenderConfig
from jobs.campaign_service import CampaignService
from jobs.clock import Clock, SystemClock

TENANT = "tenant-1"


@pytest.fixture
async def store(tmp_path):
    """A real SQLite file (the campaign tests import this fixture)."""
    backend = SqliteStore(tmp_path / "coach.db")
    await backend.open()
    yield backend
    await backend.close()


def reference(service_url: str, worker_id: str, tenant: str = TENANT) -> dict:
    return {"serviceUrl": service_url, "channelId": "msteams",
            "bot": {"id": "28:bot", "name": "Coach"}, "user": {"id": f"29:{worker_id}"},
            "conversation": {"id": f"a:conv-{worker_id}", "tenantId": tenant,
                             "conversationType": "personal"}}


async def register_workers(store: Store, service_url: str, count: int, *,
                           tenant: str = TENANT, prefix: str = "w", **fields: object) -> list[str]:
    ids = [f"{prefix}{i:05d}" for i in range(count)]
    for worker_id in ids:
        await store.workers.register_worker(Worker(
            id=worker_id, tenant_id=tenant, name=f"Worker {worker_id}",
            conversation=reference(service_url, worker_id, tenant), **fields))  # type: ignore[arg-type]
    return ids


async def scheduled_campaign(store: Store, clock: Clock | None = None, *,
                             campaign_id: str = "camp-1", tenant: str = TENANT,
                             audience: Audience | None = None, schedule: Schedule | None = None,
                             reminders: Reminders | None = None) -> Campaign:
    service = CampaignService(store, clock or SystemClock())
    now = (clock or SystemClock()).now()
    await service.create(id=campaign_id, tenant_id=tenant, title="MFA quiz",
                         quiz=QuizSpec(module_id="mfa"),
                         audience=audience or Audience(kind=AudienceKind.ALL),
                         schedule=schedule or Schedule(), reminders=reminders or Reminders(),
                         intro="Take it this week", ends_at=now + timedelta(days=14))
    return await service.schedule(campaign_id)


def fast_config(rate: float = 2000.0, **policy: object) -> SenderConfig:
    """High simulated rate and short backoffs: functional tests, not the real 50/s."""
    return SenderConfig(tenant_rate=rate, lease_seconds=5.0, idle_seconds=0.05,
                        policy=SendPolicy(backoff_base=0.01, backoff_cap=0.05, lease_margin=1.5,
                                          **policy))  # type: ignore[arg-type]


def sender_for(store: Store, session: aiohttp.ClientSession, config: SenderConfig, *,
               owner: str | None = None, timeout: float = 0.5,
               clock: Clock | None = None) -> CampaignSender:
    return CampaignSender(store, ConnectorMessenger(session, timeout_seconds=timeout),
                          config=config, owner=owner, clock=clock)


async def run_until_sent(sender: CampaignSender, store: Store, campaign_id: str,
                         limit_seconds: float = 30.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_until_stopped(stop))
    try:
        await wait_for_state(store, campaign_id, {CampaignState.SENT}, limit_seconds)
    finally:
        stop.set()
        await task


async def wait_for_state(store: Store, campaign_id: str, states: set,
                         limit_seconds: float = 30.0) -> Campaign:
    deadline = asyncio.get_running_loop().time() + limit_seconds
    while True:
        campaign = await store.campaigns.get_campaign(campaign_id)
        if campaign is not None and campaign.state in states:
            return campaign
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"campaign still {campaign.state if campaign else None}")
        await asyncio.sleep(0.02)


async def final_states(store: Store, campaign_id: str, round_: int = 0) -> dict[str, DeliveryState]:
    found = await store.campaigns.list_deliveries(campaign_id, round_=round_, limit=1_000_000)
    return {d.worker_id: d.state for d in found}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)
