"""The campaign sender as deployed: `coach jobs` in a process of its own on a SQLite file, the
connector simulator in another. SIGTERM mid-campaign: every outcome recorded, nothing left
leased, the tenant lease released; a restart finishes with 0 lost and 0 duplicates. kill -9
mid-campaign: a restart resumes once the dead process's leases expire, 0 lost, and a message
went out twice only where the first process may have sent it (in flight at the kill: the
delivery is marked uncertain and resent once)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from bot.store.sqlite import SqliteStore
from domain.campaigns import CampaignState, DeliveryState
from jobs.campaign_sender import tenant_lease
from teams_connector_sim import SimConfig, SimProcess

from campaign_processes import CoachJobsProcess
from campaign_support import (  # store: the SQLite fixture
    TENANT,
    register_workers,
    scheduled_campaign,
    store,
    wait_for_state,
)

WORKERS = 300


async def _until_delivered(sim: SimProcess, count: int) -> None:
    while (await sim.stats())["delivered"] < count:
        await asyncio.sleep(0.02)


async def _deliveries(store: SqliteStore) -> dict:
    return {d.worker_id: d for d in await store.campaigns.list_deliveries("camp-1", limit=10**6)}


async def test_sigterm_records_every_outcome_and_a_restart_sends_the_rest_once(
        store: SqliteStore, tmp_path: Path) -> None:
    with SimProcess(SimConfig(tenant_rate=50, error_rate=0.05, seed=31)) as sim:
        ids = await register_workers(store, sim.url, WORKERS)
        await scheduled_campaign(store)
        first = CoachJobsProcess(store.path, tmp_path / "jobs.log")
        await _until_delivered(sim, 100)
        assert first.stop() == 0
        delivered = (await sim.stats())["delivered"]
        states = Counter(d.state for d in (await _deliveries(store)).values())
        assert states[DeliveryState.LEASED] == 0  # nothing left in flight
        assert states[DeliveryState.SENT] == delivered  # every message that arrived is recorded
        assert states[DeliveryState.PENDING] == WORKERS - delivered > 0  # the rest handed back
        assert await store.leases.get_lease(tenant_lease(TENANT)) is None

        second = CoachJobsProcess(store.path, tmp_path / "jobs.log")
        await wait_for_state(store, "camp-1", {CampaignState.SENT}, 120)
        assert second.stop() == 0
        by_key = (await sim.stats())["by_key"]

    assert sorted(by_key) == sorted(f"camp-1:{w}:0" for w in ids)  # 0 lost
    assert set(by_key.values()) == {1}  # 0 duplicates
    log = (tmp_path / "jobs.log").read_text()
    assert "Traceback" not in log and log.count("stopped") >= 2


async def test_kill_9_then_restart_loses_nothing_and_duplicates_only_uncertain_ones(
        store: SqliteStore, tmp_path: Path) -> None:
    faults = SimConfig(tenant_rate=50, error_rate=0.03, timeout_rate=0.01, faults_deliver=True,
                       hang_seconds=3.0, seed=32)
    with SimProcess(faults) as sim:
        ids = await register_workers(store, sim.url, WORKERS)
        await scheduled_campaign(store)
        first = CoachJobsProcess(store.path, tmp_path / "jobs.log")
        await _until_delivered(sim, 100)
        first.kill()
        in_flight = {w for w, d in (await _deliveries(store)).items()
                     if d.state is DeliveryState.LEASED}
        assert in_flight  # the kill left leases behind

        second = CoachJobsProcess(store.path, tmp_path / "jobs.log")
        await wait_for_state(store, "camp-1", {CampaignState.SENT}, 120)
        assert second.stop() == 0
        by_key = (await sim.stats())["by_key"]

    rows = await _deliveries(store)
    assert all(by_key.get(f"camp-1:{w}:0", 0) >= 1 for w in ids)  # 0 lost
    twice = {key.split(":")[1] for key, n in by_key.items() if n > 1}
    assert all(rows[w].uncertain and rows[w].resent for w in twice)  # only uncertain ones
    # ... and those are the kill's in-flight leases or a timed-out request (both uncertain)
    timed_out = {w for w, d in rows.items() if 0 in d.statuses}
    assert twice <= in_flight | timed_out
    assert max(by_key.values()) == 2
    assert all(d.state in (DeliveryState.SENT, DeliveryState.UNKNOWN) for d in rows.values())
