"""The worker's side of a campaign: the card the sender pushes, Start (the module's quiz,
answering the campaign) and "Remind me tomorrow".

The campaign result is the worker's first submitted attempt within the campaign window; a
Start after it says so instead of opening a second one. A reminder is never sent after a
submission: the sender checks before every reminder (jobs/campaign_delivery.py)."""

from __future__ import annotations

from typing import Any

from bot.content import DEFAULT_LOCALE, Catalog
from cards.actions import RemindTomorrow, RestartQuiz, StartCampaignQuiz
from cards.campaign import ADAPTIVE_CARD, invite_card
from cards.general import notice_card
from domain.campaign_invite import delivery_key, question_count, remind_tomorrow
from domain.campaign_results import first_campaign_attempts
from domain.campaigns import Campaign, CampaignState, Delivery, DeliveryState
from domain.models import Worker
from domain.schedule import zone

from .digest import texts_for
from .quiz import restart_quiz, start_quiz
from .turn import Turn


def quiz_facts(catalog: Catalog, language: str, campaign: Campaign) -> tuple[str, int]:
    """The quiz's module title in `language` (English if the module lacks it) and how many
    questions the campaign asks of it."""
    module_id = campaign.quiz.module_id
    module = catalog.module(language, module_id) or catalog.module(DEFAULT_LOCALE, module_id)
    if module is None:  # removed from the content since: the card still says what it was
        return module_id, campaign.quiz.question_count or 1
    return module.title, question_count(campaign, len(module.quiz.questions))


def campaign_activity(catalog: Catalog, campaign: Campaign, delivery: Delivery,
                      worker: Worker) -> dict[str, Any]:
    """The message the sender pushes to `worker`: the campaign card in their language."""
    texts = texts_for(catalog, worker)
    title, questions = quiz_facts(catalog, texts.language, campaign)
    card = invite_card(texts, campaign, title, questions, delivery_key(delivery),
                       reminder=delivery.round > 0)
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}


async def _open_campaign(turn: Turn, campaign_id: str) -> Campaign | None:
    """The campaign a worker's click names, while it takes answers; else a notice."""
    campaign = await turn.store.campaigns.get_campaign(campaign_id)
    if campaign is None or campaign.tenant_id != turn.worker.tenant_id:
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        return None
    if campaign.state is CampaignState.CANCELLED:
        turn.send(notice_card(turn.t("campaign.worker.cancelled"), turn.texts))
        return None
    if campaign.state is CampaignState.CLOSED or turn.now > campaign.ends_at:
        turn.send(notice_card(turn.t("campaign.worker.ended", date=_end_date(turn, campaign)),
                              turn.texts))
        return None
    return campaign


def _end_date(turn: Turn, campaign: Campaign) -> str:
    return turn.texts.date(campaign.ends_at.astimezone(zone(campaign.schedule.zone)))


async def _answered(turn: Turn, campaign: Campaign) -> bool:
    """The worker has their campaign result already: say so (and what it was)."""
    attempts = await turn.store.campaigns.campaign_attempts(campaign.id, [turn.worker.id])
    first = first_campaign_attempts(campaign, attempts).get(turn.worker.id)
    if first is None:
        return False
    turn.send(notice_card(turn.t("campaign.worker.answered",
                                 score=turn.texts.percent(first.score or 0)), turn.texts))
    return True


async def start_campaign_quiz(turn: Turn, action: StartCampaignQuiz) -> None:
    campaign = await _open_campaign(turn, action.campaign)
    if campaign is None or await _answered(turn, campaign):
        return
    await start_quiz(turn, campaign.quiz.module_id, campaign)


async def restart_for_campaign(turn: Turn, action: RestartQuiz) -> None:
    """"Start over" on the open-attempt offer: the new attempt answers the campaign the offer
    named, while that campaign still takes answers."""
    campaign = None
    if action.campaign is not None:
        campaign = await _open_campaign(turn, action.campaign)
        if campaign is None or await _answered(turn, campaign):
            return
    await restart_quiz(turn, action.module, action.attempt, campaign)


async def remind_me_tomorrow(turn: Turn, action: RemindTomorrow) -> None:
    """The worker's next reminder: tomorrow at this local time, never after the end date."""
    campaign = await _open_campaign(turn, action.campaign)
    if campaign is None or await _answered(turn, campaign):
        return
    title, questions = quiz_facts(turn.catalog, turn.language, campaign)
    key = action.delivery or f"{campaign.id}:{turn.worker.id}:0"
    reminder = not key.endswith(":0")
    due = remind_tomorrow(campaign, turn.now, turn.worker.time_zone)
    if due is None:
        turn.replace(invite_card(turn.texts, campaign, title, questions, key, reminder=reminder,
                                 note=turn.t("campaign.worker.too_late",
                                             date=_end_date(turn, campaign))))
        return
    store = turn.store.campaigns
    mine = await store.worker_deliveries(campaign.id, turn.worker.id)
    pending = [d for d in mine if d.round > 0 and d.state is DeliveryState.PENDING]
    if not (pending and await store.move_pending(campaign.id, turn.worker.id, pending[0].round,
                                                 due, turn.now)):
        await store.add_deliveries([Delivery(
            campaign_id=campaign.id, worker_id=turn.worker.id, tenant_id=campaign.tenant_id,
            round=max((d.round for d in mine), default=0) + 1, due_at=due, updated_at=turn.now)])
    turn.replace(invite_card(turn.texts, campaign, title, questions, key, reminder=reminder,
                             note=turn.t("campaign.worker.reminder_set")))
