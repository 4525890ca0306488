"""The campaign sender against the local Teams connector simulator, on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

import pytest

from bot.teams_messenger import connector_session
from domain.campaigns import CampaignState, DeliveryState
from jobs.campaign_sender import SenderConfig
from jobs.campaign_service import CampaignService
from jobs.clock import SystemClock
from teams_connector_sim import ConnectorSim, SimConfig

from campaign_support import (  # store: the SQLite fixture
    store,
    fast_config,
    final_states,
    register_workers,
    run_until_sent,
    scheduled_campaign,
    sender_for,
)


@pytest.fixture
async def session():
    async with connector_session() as http:
        yield http


async def test_every_worker_gets_exactly_one_card_under_injected_faults(store, session) -> None:
    config = SimConfig(tenant_rate=400, error_rate=0.05, timeout_rate=0.02, faults_deliver=False,
                       hang_seconds=2.0, blocked_share=0.02, gone_share=0.02, seed=7)
    async with ConnectorSim(config) as sim:
        ids = await register_workers(store, sim.url, 300)
        await scheduled_campaign(store)
        sender = sender_for(store, session, fast_config(rate=300), timeout=0.3)
        await run_until_sent(sender, store, "camp-1")

        states = await final_states(store, "camp-1")
        delivered = sim.deliveries_by_key()
        blocked = {w for w, s in states.items() if s is DeliveryState.FAILED}
        assert set(states) == set(ids)
        assert all(s in (DeliveryState.SENT, DeliveryState.FAILED) for s in states.values())
        assert sim.stats.faults["403"] > 0 and sim.stats.faults["404"] > 0
        assert sim.stats.faults["503"] > 0 and sim.stats.faults["timeout"] > 0
        assert {w for w in ids if delivered.get(f"camp-1:{w}:0") == 1} == set(ids) - blocked
        assert max(delivered.values()) == 1
        assert sim.stats.max_tenant_per_second <= 400
        rows = {d.worker_id: d for d in await store.campaigns.list_deliveries("camp-1")}
        assert {rows[w].reason for w in blocked} == {"blocked"}
        assert sim.stats.created_conversations > 0  # the 404s were re-created and sent


async def test_blocked_workers_are_left_out_of_the_next_campaign(store, session) -> None:
    async with ConnectorSim(SimConfig(tenant_rate=1000, blocked_share=0.1, seed=3)) as sim:
        await register_workers(store, sim.url, 60)
        await scheduled_campaign(store)
        await run_until_sent(sender_for(store, session, fast_config()), store, "camp-1")
        blocked = {w for w, s in (await final_states(store, "camp-1")).items()
                   if s is DeliveryState.FAILED}
        assert blocked

        second = await scheduled_campaign(store, campaign_id="camp-2")
        await run_until_sent(sender_for(store, session, fast_config()), store, "camp-2")
        frozen = await store.campaigns.get_campaign(second.id)
        assert set(frozen.unreachable["blocked"]) == blocked
        assert set(await final_states(store, "camp-2")).isdisjoint(blocked)


def steady_config(**policy: object) -> SenderConfig:
    """fast_config with leases no loaded machine outlives: no delivery is ever taken over."""
    return replace(fast_config(**policy), lease_seconds=60.0,
                   policy=replace(fast_config(**policy).policy, lease_margin=25.0))


async def test_unknown_outcomes_are_resent_once_or_left_unknown(store, session) -> None:
    # No timing in it: "no answer" is a dropped connection, not a client timeout racing the
    # simulator, and the timeout (10 s) and leases are far beyond any stall of a loaded loop.
    faults = SimConfig(tenant_rate=1000, gateway_rate=0.1, drop_rate=0.05, faults_deliver=True,
                       seed=11)
    async with ConnectorSim(faults) as sim:
        await register_workers(store, sim.url, 200)
        await scheduled_campaign(store)
        sender = sender_for(store, session, steady_config(resend_unknown=False), timeout=10.0)
        await run_until_sent(sender, store, "camp-1")
        rows = await store.campaigns.list_deliveries("camp-1")
        unknown = {d.worker_id for d in rows if d.state is DeliveryState.UNKNOWN}
        assert unknown and all(d.uncertain for d in rows if d.worker_id in unknown)
        assert sim.stats.faults["dropped"] > 0 and 0 in {s for d in rows for s in d.statuses}
        assert max(sim.deliveries_by_key().values()) == 1  # never resent
        assert len(unknown) == sum(sim.stats.faults.values())  # every fault, and only those

    async with ConnectorSim(faults) as sim:
        await register_workers(store, sim.url, 200, prefix="v")
        await scheduled_campaign(store, campaign_id="camp-2")
        await run_until_sent(sender_for(store, session, steady_config(), timeout=10.0), store,
                             "camp-2")
        rows = {d.worker_id: d for d in await store.campaigns.list_deliveries("camp-2")}
        twice = {key.split(":")[1] for key, n in sim.deliveries_by_key().items() if n > 1}
        assert twice and all(rows[w].uncertain and rows[w].resent for w in twice)
        assert max(sim.deliveries_by_key().values()) == 2
        # resent once: sent on the second try, or unknown again and left so
        assert {rows[w].state for w in twice} <= {DeliveryState.SENT, DeliveryState.UNKNOWN}
        assert all(rows[w].attempts == 2 for w in twice)


async def test_cancel_mid_way_stops_sending_within_a_second(store, session) -> None:
    async with ConnectorSim(SimConfig(tenant_rate=1000)) as sim:
        await register_workers(store, sim.url, 400)
        await scheduled_campaign(store)
        stop = asyncio.Event()
        sender = sender_for(store, session, fast_config(rate=100))
        task = asyncio.create_task(sender.run_until_stopped(stop))
        while sim.stats.delivered < 50:
            await asyncio.sleep(0.01)
        await CampaignService(store, SystemClock()).cancel("camp-1")
        at_cancel = sim.stats.delivered
        await asyncio.sleep(1.0)
        after_a_second = sim.stats.delivered
        await asyncio.sleep(0.5)
        stop.set()
        await task
        assert sim.stats.delivered == after_a_second  # nothing more after the first second
        assert after_a_second - at_cancel <= 100  # at most ~one cache period at 100/s
        states = Counter((await final_states(store, "camp-1")).values())
        assert states[DeliveryState.SENT] == sim.stats.delivered
        assert states[DeliveryState.SKIPPED] == 400 - sim.stats.delivered
        assert (await store.campaigns.get_campaign("camp-1")).state is CampaignState.CANCELLED


def test_sender_settings_come_from_the_environment(monkeypatch) -> None:
    from bot.settings import Settings
    from jobs.campaign_sender import config_from_settings

    monkeypatch.setenv("TEAMS_TENANT_RATE", "30")
    monkeypatch.setenv("CAMPAIGN_RESEND_UNKNOWN", "false")
    config = config_from_settings(Settings(_env_file=None))
    assert (config.tenant_rate, config.policy.resend_unknown) == (30.0, False)
    assert config_from_settings(Settings(_env_file=None, teams_tenant_rate=50)).tenant_rate == 50
