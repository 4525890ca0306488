"""Campaign audiences from the directory and the usage import (department:, usage-gap:,
inactive:) frozen on every adapter: directory users the bot never met are counted and listed
as unreachable, not sent; a module without an expectation or an unknown workload is refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.store.port import Store
from domain.audience import Audience
from domain.campaigns import QuizSpec
from jobs.campaign_service import CampaignError, CampaignService
from jobs.clock import FakeClock
from test_adoption import shipped

from .dataset import worker
from .test_adoption_facts import seed

NOW = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)


async def frozen(store: Store, spec: str) -> tuple[list[str], dict[str, list[str]]]:
    clock = FakeClock(NOW)
    service = CampaignService(store, clock, shipped())
    campaign = await service.create(id=spec, tenant_id="t1", title="Refresher", quiz=QuizSpec(module_id="teams"),
                                    audience=Audience.parse(spec), ends_at=NOW + timedelta(days=14))
    await service.schedule(campaign.id)
    clock.advance(3600)
    [started] = await service.start_due()
    deliveries = await store.campaigns.list_deliveries(campaign.id, after=None, limit=100)
    return sorted(d.worker_id for d in deliveries), started.unreachable


async def bot_knows(store: Store, *worker_ids: str) -> None:
    for worker_id in worker_ids:
        await store.workers.register_worker(worker(worker_id, conversation={
            "conversation": {"id": f"a:{worker_id}", "tenantId": "t1"}, "serviceUrl": "https://smba.example"}))


async def test_directory_audiences_reach_who_the_bot_knows_and_list_the_rest(store: Store) -> None:
    await seed(store)  # w1..w5 in the directory (Sales: w1, w2; HR: w3..w5), usage as test_adoption
    await bot_knows(store, "w1", "w2", "w4")
    assert await frozen(store, "usage-gap:teams") == (["w2"], {})
    assert await frozen(store, "usage-gap:outlook") == (["w1"], {})
    assert await frozen(store, "inactive:email") == (["w2", "w4"], {"unknown_worker": ["w3", "w5"]})
    assert await frozen(store, "department:hr") == (["w4"], {"unknown_worker": ["w3", "w5"]})
    assert await frozen(store, "inactive:onedrive") == ([], {})  # not imported: nobody is judged


@pytest.mark.parametrize("spec, problem", [("usage-gap:mfa", "has no expectation"),
                                           ("inactive:fax", "unknown workload")])
async def test_audiences_that_cannot_be_judged_are_refused(store: Store, spec: str, problem: str) -> None:
    with pytest.raises(CampaignError, match=problem):
        await frozen(store, spec)
