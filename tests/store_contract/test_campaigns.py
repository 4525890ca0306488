"""Campaigns, the delivery queue and leases: the same rules on every adapter."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.audience import Audience, AudienceKind
from domain.campaigns import CampaignState, DeliveryState
from bot.store.port import ConcurrencyConflict, Store

from .campaign_data import campaign, delivery
from .dataset import answer, attempt, nov, progress, worker

NOW = nov(2, 12, 30)
LATER = NOW + timedelta(minutes=5)


async def test_campaign_create_is_idempotent_and_save_is_optimistic(store: Store) -> None:
    first = await store.campaigns.create_campaign(campaign(title="First"))
    again = await store.campaigns.create_campaign(campaign(title="Second"))
    assert again == first and first.title == "First"

    scheduled = first.transition(CampaignState.SCHEDULED, nov(2))
    saved = await store.campaigns.save_campaign(scheduled, expected_version=0)
    assert saved.version == 1 and saved.state is CampaignState.SCHEDULED
    assert await store.campaigns.get_campaign("c1") == saved
    with pytest.raises(ConcurrencyConflict):
        await store.campaigns.save_campaign(scheduled, expected_version=0)
    assert await store.campaigns.get_campaign("nope") is None


async def test_list_campaigns_by_tenant_and_state(store: Store) -> None:
    await store.campaigns.create_campaign(campaign("a", created_at=nov(1)))
    await store.campaigns.create_campaign(campaign("b", created_at=nov(3)))
    await store.campaigns.create_campaign(campaign("c", tenant_id="t2"))
    sent = (await store.campaigns.get_campaign("a")).transition(CampaignState.SCHEDULED, nov(4))
    await store.campaigns.save_campaign(sent, 0)

    assert [c.id for c in await store.campaigns.list_campaigns("t1")] == ["b", "a"]
    assert [c.id for c in await store.campaigns.list_campaigns(
        None, {CampaignState.SCHEDULED})] == ["a"]
    assert {c.id for c in await store.campaigns.list_campaigns()} == {"a", "b", "c"}


async def test_deliveries_are_created_once(store: Store) -> None:
    assert await store.campaigns.add_deliveries([delivery("w1"), delivery("w2")]) == 2
    assert await store.campaigns.add_deliveries(
        [delivery("w1", state=DeliveryState.SENT), delivery("w3")]) == 1
    listed = await store.campaigns.list_deliveries("c1")
    assert [(d.worker_id, d.state) for d in listed] == [
        ("w1", DeliveryState.PENDING), ("w2", DeliveryState.PENDING), ("w3", DeliveryState.PENDING)]
    counts = await store.campaigns.count_deliveries("c1")
    assert counts.of(DeliveryState.PENDING) == 3 and counts.total(0) == 3


async def test_lease_takes_due_deliveries_once_in_due_order(store: Store) -> None:
    await store.campaigns.add_deliveries(
        [delivery("w1", due_minutes=20), delivery("w2", due_minutes=10),
         delivery("w3", due_minutes=90), delivery("w4", campaign_id="other")])

    taken = await store.campaigns.lease_due("c1", "A", NOW, LATER, limit=10)
    assert [t.delivery.worker_id for t in taken] == ["w2", "w1"]
    assert {(t.delivery.state, t.delivery.lease_owner, t.delivery.lease_until, t.taken_over)
            for t in taken} == {(DeliveryState.LEASED, "A", LATER, False)}  # w3 is not due, w4 another campaign
    assert await store.campaigns.lease_due("c1", "B", NOW, LATER, limit=10) == []
    stored = await store.campaigns.list_deliveries("c1")
    assert {d.worker_id: (d.state, d.lease_owner) for d in stored} == {
        "w1": (DeliveryState.LEASED, "A"), "w2": (DeliveryState.LEASED, "A"),
        "w3": (DeliveryState.PENDING, None)}
    assert await store.campaigns.next_due("c1") == LATER


async def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_write(store: Store) -> None:
    await store.campaigns.add_deliveries([delivery("w1")])
    [mine] = await store.campaigns.lease_due("c1", "A", NOW, LATER, limit=5)
    mine = mine.delivery

    [theirs] = await store.campaigns.lease_due("c1", "B", LATER, LATER + timedelta(minutes=5), 5)
    assert theirs.taken_over and theirs.delivery.lease_owner == "B"  # A's was maybe in flight
    theirs = theirs.delivery

    late = mine.model_copy(update={"state": DeliveryState.SENT, "statuses": [201]})
    assert await store.campaigns.record_outcomes([late], "A") == set()
    done = theirs.model_copy(update={"state": DeliveryState.UNKNOWN, "attempts": 1,
                                     "statuses": [0], "uncertain": True})
    assert await store.campaigns.record_outcomes([done], "B") == {done.key}
    [stored] = await store.campaigns.list_deliveries("c1")
    assert (stored.state, stored.statuses, stored.lease_owner, stored.uncertain) == (
        DeliveryState.UNKNOWN, [0], None, True)


async def test_the_same_owner_taking_an_expired_lease_again_makes_a_new_lease(
        store: Store) -> None:
    await store.campaigns.add_deliveries([delivery("w1")])
    [old] = await store.campaigns.lease_due("c1", "A", NOW, LATER, limit=5)
    [new] = await store.campaigns.lease_due("c1", "A", LATER, LATER + timedelta(minutes=5), 5)
    old, new = old.delivery, new.delivery

    stale = old.model_copy(update={"state": DeliveryState.SENT})
    assert await store.campaigns.record_outcomes([stale], "A") == set()
    assert await store.campaigns.release([old], "A") == 0
    done = new.model_copy(update={"state": DeliveryState.UNKNOWN})
    assert await store.campaigns.record_outcomes([done], "A") == {done.key}


async def test_outcomes_are_recorded_with_every_field(store: Store) -> None:
    await store.campaigns.add_deliveries([delivery("w1"), delivery("w2")])
    a, b = [t.delivery for t in await store.campaigns.lease_due("c1", "A", NOW, LATER, 5)]
    sent = a.model_copy(update={"state": DeliveryState.SENT, "attempts": 2, "statuses": [503, 201],
                                "sent_at": NOW, "activity_id": "act-1", "updated_at": NOW})
    retry = b.model_copy(update={"state": DeliveryState.PENDING, "due_at": LATER,
                                 "statuses": [429]})
    assert await store.campaigns.record_outcomes([sent, retry], "A") == {sent.key, retry.key}

    stored = {d.worker_id: d for d in await store.campaigns.list_deliveries("c1")}
    assert stored["w1"] == sent.model_copy(update={"lease_owner": None, "lease_until": None})
    assert stored["w2"].state is DeliveryState.PENDING and stored["w2"].due_at == LATER
    assert await store.campaigns.lease_due("c1", "A", NOW, LATER, 5) == []
    assert [t.delivery.worker_id for t in await store.campaigns.lease_due(
        "c1", "A", LATER, LATER, 5)] == ["w2"]


async def test_release_returns_leased_deliveries_to_the_queue(store: Store) -> None:
    await store.campaigns.add_deliveries([delivery("w1")])
    taken = [t.delivery for t in await store.campaigns.lease_due("c1", "A", NOW, LATER, 5)]
    assert await store.campaigns.release(taken, "B") == 0
    assert await store.campaigns.release(taken, "A") == 1
    [again] = await store.campaigns.lease_due("c1", "B", NOW, LATER, limit=5)
    assert not again.taken_over and again.delivery.attempts == 0


async def test_skip_open_leaves_live_leases_and_outcomes_alone(store: Store) -> None:
    await store.campaigns.add_deliveries([delivery("w1"), delivery("w2"), delivery("w3")])
    [live] = await store.campaigns.lease_due("c1", "A", NOW, LATER, limit=1)
    assert await store.campaigns.skip_open("c1", "cancelled", NOW) == 2
    states = {d.worker_id: d.state for d in await store.campaigns.list_deliveries("c1")}
    assert states[live.delivery.worker_id] is DeliveryState.LEASED
    assert sorted(states.values()) == sorted(
        [DeliveryState.LEASED, DeliveryState.SKIPPED, DeliveryState.SKIPPED])


async def test_list_deliveries_pages_by_worker_and_round(store: Store) -> None:
    await store.campaigns.add_deliveries(
        [delivery(f"w{i}", round_=r) for i in range(5) for r in (0, 1)])
    page = await store.campaigns.list_deliveries("c1", limit=4)
    assert [(d.worker_id, d.round) for d in page] == [("w0", 0), ("w0", 1), ("w1", 0), ("w1", 1)]
    rest = await store.campaigns.list_deliveries("c1", after="w1", round_=1)
    assert [(d.worker_id, d.round) for d in rest] == [("w2", 1), ("w3", 1), ("w4", 1)]


async def test_two_instances_racing_never_take_the_same_delivery(store: Store) -> None:
    await store.campaigns.add_deliveries([delivery(f"w{i:03d}") for i in range(60)])

    async def drain(owner: str) -> list[str]:
        taken: list[str] = []
        while batch := await store.campaigns.lease_due("c1", owner, NOW, LATER, limit=7):
            taken += [t.delivery.worker_id for t in batch]
        return taken
    a, b = await asyncio.gather(drain("A"), drain("B"))
    assert sorted(a + b) == [f"w{i:03d}" for i in range(60)]
    assert not set(a) & set(b)


async def _workers(store: Store) -> None:
    await store.workers.register_worker(worker("w1", teams_locale="sv-SE", upn="Ada@Contoso.com"))
    await store.workers.register_worker(worker("w2", teams_locale="nl-NL"))
    await store.workers.register_worker(worker("w3", teams_locale="sv-FI"))
    await store.workers.register_worker(worker("w4", teams_locale="en-US"))
    await store.workers.register_worker(worker("x1", tenant_id="t2"))
    await store.workers.set_language("w2", "sv")


async def _resolve(store: Store, audience: Audience, limit: int = 2) -> list[str]:
    ids, after = [], None
    while True:
        page = await store.campaigns.audience_page("t1", audience, after, limit)
        ids += [w.id for w in page.workers]
        if page.next_after is None:
            return ids
        after = page.next_after


async def test_audience_rules_page_through_the_tenant(store: Store) -> None:
    await _workers(store)
    assert await _resolve(store, Audience(kind=AudienceKind.ALL)) == ["w1", "w2", "w3", "w4"]
    assert await _resolve(store, Audience.parse("locale:sv")) == ["w1", "w2", "w3"]
    assert await _resolve(store, Audience.parse("locale:sv-FI")) == ["w3"]


async def test_audience_not_completed_and_not_passed(store: Store) -> None:
    await _workers(store)
    done = progress("w1", "mfa", status="done", completed_at=nov(3))
    await store.progress.save_progress(done, None)
    await store.progress.save_progress(progress("w2", "mfa"), None)
    await store.attempts.create_attempt(attempt("a1", "w3", "mfa", status="submitted",
                                                passed=True, score=90.0, submitted_at=nov(3)))
    await store.attempts.create_attempt(attempt("a2", "w4", "mfa", status="submitted",
                                                passed=False, score=20.0, submitted_at=nov(3)))
    await store.attempts.create_attempt(attempt("a3", "w1", "other", status="submitted",
                                                passed=True, score=90.0, submitted_at=nov(3)))

    assert await _resolve(store, Audience.parse("not-completed:mfa")) == ["w2", "w3", "w4"]
    assert await _resolve(store, Audience.parse("not-passed:mfa")) == ["w1", "w2", "w4"]


async def test_explicit_keys_match_ids_and_upns_and_blocks_are_reported(store: Store) -> None:
    await _workers(store)
    await store.campaigns.set_blocked("t1", "w4", nov(3))
    page = await store.campaigns.find_workers("t1", ["ada@contoso.com", "W4", "x1", "ghost"])
    assert [w.id for w in page.workers] == ["w1", "w4"] and page.blocked == {"w4"}
    await store.campaigns.clear_blocked("t1", "w4")
    assert (await store.campaigns.find_workers("t1", ["w4"])).blocked == set()


async def test_register_keeps_upn_and_time_zone(store: Store) -> None:
    await store.workers.register_worker(worker("w1", upn="a@b.c", time_zone="Europe/Oslo"))
    again = await store.workers.register_worker(worker("w1", name="Again"))
    assert (again.upn, again.time_zone, again.name) == ("a@b.c", "Europe/Oslo", "Again")
    moved = await store.workers.register_worker(worker("w1", upn="a@new.c", time_zone="Asia/Tokyo"))
    assert (moved.upn, moved.time_zone) == ("a@new.c", "Asia/Tokyo")  # a change replaces them
    assert (await store.workers.get_worker("w1")).time_zone == "Asia/Tokyo"


async def test_a_block_shows_on_the_worker_until_it_is_cleared(store: Store) -> None:
    await _workers(store)
    await store.campaigns.set_blocked("t1", "w4", nov(3))
    assert (await store.workers.get_worker("w4")).blocked_at == nov(3)
    again = await store.workers.register_worker(worker("w4", name="Again"))
    assert again.blocked_at == nov(3)  # a new registration does not lift it
    assert (await store.campaigns.find_workers("t1", ["w4"])).blocked == {"w4"}
    await store.campaigns.clear_blocked("t1", "w4")
    assert (await store.workers.get_worker("w4")).blocked_at is None
    assert (await store.campaigns.find_workers("t1", ["w4"])).blocked == set()
    assert (await store.workers.get_worker("w1")).blocked_at is None  # nobody else touched


async def test_update_conversation_and_campaign_attempts(store: Store) -> None:
    await _workers(store)
    await store.campaigns.update_conversation("w1", {"conversation": {"id": "new"}})
    assert (await store.workers.get_worker("w1")).conversation == {"conversation": {"id": "new"}}
    await store.attempts.create_attempt(attempt(
        "a1", "w1", "mfa", campaign_id="c1", status="submitted", score=80.0, passed=True,
        submitted_at=nov(3), answers={"q1": answer("q1", False)}))
    await store.attempts.create_attempt(attempt("a2", "w2", "mfa", campaign_id="c1"))  # open
    await store.attempts.create_attempt(attempt("a3", "w3", "mfa", campaign_id="c2",
                                                status="submitted", submitted_at=nov(3)))
    found = await store.campaigns.campaign_attempts("c1")
    assert [(a.id, a.answers["q1"].correct) for a in found] == [("a1", False)]
    assert await store.campaigns.campaign_attempts("c1", ["w2", "w3"]) == []
