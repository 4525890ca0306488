"""What the worker's campaign card needs of every adapter: one worker's deliveries, moving a
pending reminder ("Remind me tomorrow"), and the campaign id staying on the attempt."""

from __future__ import annotations

from bot.store.port import Store
from domain.campaigns import DeliveryState

from .campaign_data import delivery
from .dataset import answer, attempt, nov


async def test_worker_deliveries_are_one_workers_rounds_in_order(store: Store) -> None:
    await store.campaigns.add_deliveries([
        delivery("w1", round_=1), delivery("w1"), delivery("w2"), delivery("w1", "c2")])
    found = await store.campaigns.worker_deliveries("c1", "w1")
    assert [(d.campaign_id, d.worker_id, d.round) for d in found] == [("c1", "w1", 0),
                                                                       ("c1", "w1", 1)]
    assert await store.campaigns.worker_deliveries("c1", "w9") == []


async def test_move_pending_moves_only_a_pending_delivery(store: Store) -> None:
    await store.campaigns.add_deliveries([
        delivery("w1", round_=1), delivery("w2", round_=1, state=DeliveryState.SENT)])
    assert await store.campaigns.move_pending("c1", "w1", 1, nov(5, 9, 30), nov(4)) is True
    moved = (await store.campaigns.worker_deliveries("c1", "w1"))[0]
    assert (moved.due_at, moved.updated_at, moved.state) == (nov(5, 9, 30), nov(4),
                                                             DeliveryState.PENDING)
    assert await store.campaigns.move_pending("c1", "w2", 1, nov(5), nov(4)) is False
    assert (await store.campaigns.worker_deliveries("c1", "w2"))[0].due_at == nov(2)
    assert await store.campaigns.move_pending("c1", "w3", 1, nov(5), nov(4)) is False


async def test_a_moved_reminder_is_leased_when_it_is_due_and_not_before(store: Store) -> None:
    await store.campaigns.add_deliveries([delivery("w1", round_=1)])
    await store.campaigns.move_pending("c1", "w1", 1, nov(5, 9), nov(4))
    assert await store.campaigns.lease_due("c1", "me", nov(5, 8), nov(5, 8, 1), 10) == []
    leased = await store.campaigns.lease_due("c1", "me", nov(5, 9), nov(5, 9, 1), 10)
    assert [lease.delivery.key for lease in leased] == [("c1", "w1", 1)]
    assert await store.campaigns.move_pending("c1", "w1", 1, nov(6), nov(5, 9)) is False


async def test_the_campaign_id_stays_on_an_attempt_through_answer_and_submit(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1", "mfa", campaign_id="c1",
                                                question_ids=["q1"]))
    await store.attempts.record_answer("w1", "a1", answer("q1", True))
    await store.attempts.submit_attempt("w1", "a1", 100.0, True, nov(3))
    stored = await store.attempts.get_attempt("w1", "a1")
    assert (stored.campaign_id, stored.score) == ("c1", 100.0)
    assert [a.id for a in await store.campaigns.campaign_attempts("c1", ["w1"])] == ["a1"]
