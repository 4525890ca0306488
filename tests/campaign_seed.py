"""Two campaigns for the dashboard's Campaigns page and its API tests: one sent (three workers,
two reached, one answered and passed after a reminder) and one draft. Their titles are text a
trainer typed: markup that must show literally, and a formula a CSV must defuse."""

from __future__ import annotations

from bot.store.port import Store
from domain.campaigns import CampaignState, DeliveryState
from store_contract.campaign_data import campaign, delivery
from store_contract.dataset import answer, attempt, nov, worker

SENT_TITLE = "MFA <b>check</b> [now](https://evil.example)"
DRAFT_TITLE = '=HYPERLINK("https://evil.example")'  # a spreadsheet must not run it


async def seed_campaigns(store: Store) -> None:
    for worker_id, name in (("cw1", "Ana Berg"), ("cw2", "Bo Ek"), ("cw3", "Cy Dahl")):
        await store.workers.register_worker(worker(worker_id, name=name))
    await store.campaigns.create_campaign(campaign(
        "c-sent", title=SENT_TITLE, quiz={"module_id": "outlook"}, state=CampaignState.SENT,
        starts_at=nov(3), started_at=nov(3), sent_at=nov(3, 1), ends_at=nov(30)))
    await store.campaigns.create_campaign(campaign(
        "c-draft", title=DRAFT_TITLE, quiz={"module_id": "teams"}, created_at=nov(5)))
    await store.campaigns.add_deliveries([
        delivery("cw1", "c-sent", state=DeliveryState.SENT, sent_at=nov(3, 0, 5)),
        delivery("cw1", "c-sent", round_=1, state=DeliveryState.SENT, sent_at=nov(6)),
        delivery("cw2", "c-sent", state=DeliveryState.SENT, sent_at=nov(3, 0, 6)),
        delivery("cw3", "c-sent", state=DeliveryState.FAILED, reason="blocked"),
    ])
    await store.attempts.create_attempt(attempt("ca1", "cw1", "outlook", question_ids=["q1", "q2"],
                                                started_at=nov(7), campaign_id="c-sent"))
    for question_id, correct in (("q1", False), ("q2", True)):
        await store.attempts.record_answer("cw1", "ca1", answer(question_id, correct, when=nov(7)))
    assert (await store.attempts.submit_attempt("cw1", "ca1", 50.0, True, nov(7, 1))).written
