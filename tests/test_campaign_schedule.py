"""Scheduling and reminders on a fixed clock (FakeClock: no test sleeps), against the
in-process connector simulator and a real SQLite file."""

from __future__ import annotations

from datetime import time


from bot.store.sqlite import SqliteStore
from bot.teams_messenger import connector_session
from domain.campaigns import CampaignState, DeliveryState, Reminders
from domain.models import QuizAttempt
from domain.schedule import Schedule, ScheduleMode
from jobs.clock import FakeClock
from teams_connector_sim import ConnectorSim, SimConfig

from campaign_support import (  # store: the SQLite fixture
    store,
    fast_config,
    final_states,
    register_workers,
    scheduled_campaign,
    sender_for,
    utc,
)

MONDAY = utc(2026, 11, 30, 9, 0)


async def _submit(store: SqliteStore, worker_id: str, at) -> None:
    attempt = QuizAttempt(id=f"a-{worker_id}", worker_id=worker_id, module_id="mfa",
                          locale="en", seed=1, question_ids=["q1"], campaign_id="camp-1",
                          started_at=at)
    await store.attempts.create_attempt(attempt)
    assert await store.attempts.submit_attempt(worker_id, attempt.id, 90.0, True, at)


async def test_reminders_go_only_to_those_who_have_not_answered(store) -> None:
    clock = FakeClock(MONDAY)
    async with ConnectorSim(SimConfig(tenant_rate=1000)) as sim, connector_session() as http:
        await register_workers(store, sim.url, 4)
        await scheduled_campaign(store, clock, reminders=Reminders(after_days=2, max_count=2))
        sender = sender_for(store, http, fast_config(), clock=clock)

        await sender.run_once()
        assert set((await final_states(store, "camp-1")).values()) == {DeliveryState.SENT}
        await _submit(store, "w00001", clock.now())
        clock.advance(86_400)
        assert await sender.run_once() == 0  # the reminders are not due yet

        clock.advance(86_400 + 60)
        await sender.run_once()
        await _submit(store, "w00002", clock.now())
        clock.advance(2 * 86_400 + 60)
        await sender.run_once()
        clock.advance(30 * 86_400)
        await sender.run_once()

        by_key = sim.deliveries_by_key()
    assert sorted(k for k, n in by_key.items() if n) == sorted(
        [f"camp-1:w0000{i}:0" for i in range(4)]
        + ["camp-1:w00000:1", "camp-1:w00002:1", "camp-1:w00003:1",
           "camp-1:w00000:2", "camp-1:w00003:2"])
    first_reminders = await final_states(store, "camp-1", round_=1)
    assert first_reminders["w00001"] is DeliveryState.SKIPPED
    assert (await final_states(store, "camp-1", round_=2))["w00002"] is DeliveryState.SKIPPED
    assert (await store.campaigns.get_campaign("camp-1")).state is CampaignState.CLOSED


async def test_local_time_schedules_reach_each_worker_at_nine_their_time(store) -> None:
    clock = FakeClock(utc(2026, 12, 1, 12, 0))
    async with ConnectorSim(SimConfig(tenant_rate=1000)) as sim, connector_session() as http:
        await register_workers(store, sim.url, 1, prefix="sthlm", time_zone="Europe/Stockholm")
        await register_workers(store, sim.url, 1, prefix="ny", time_zone="America/New_York")
        await register_workers(store, sim.url, 1, prefix="none")
        schedule = Schedule(mode=ScheduleMode.WORKER_LOCAL, local_date="2026-12-02",
                            local_time=time(9, 0), zone="UTC")
        campaign = await scheduled_campaign(store, clock, schedule=schedule)
        assert campaign.starts_at == utc(2026, 12, 1, 19, 0)  # 09:00 arrives first at UTC+14
        sender = sender_for(store, http, fast_config(), clock=clock)

        await sender.run_once()
        assert (await store.campaigns.get_campaign("camp-1")).state is CampaignState.SCHEDULED
        sent_at = {}
        for moment in (utc(2026, 12, 1, 19, 0), utc(2026, 12, 2, 7, 59), utc(2026, 12, 2, 8, 0),
                       utc(2026, 12, 2, 9, 0), utc(2026, 12, 2, 13, 59), utc(2026, 12, 2, 14, 0)):
            clock.set(moment)
            await sender.run_once()
            for d in await store.campaigns.list_deliveries("camp-1"):
                if d.state is DeliveryState.SENT:
                    sent_at.setdefault(d.worker_id, moment)
        assert sim.stats.delivered == 3
    assert sent_at == {"sthlm00000": utc(2026, 12, 2, 8, 0), "none00000": utc(2026, 12, 2, 9, 0),
                       "ny00000": utc(2026, 12, 2, 14, 0)}
