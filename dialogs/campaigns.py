"""The trainer's campaigns in the 1:1 chat: the list with progress, one campaign's progress
(Refresh updates the card in place) and its results.

Only trainers and admins get here (dialogs/router.py checks the role on every call); a
trainer sees the campaigns they created, an admin every campaign of the tenant."""

from __future__ import annotations

from datetime import datetime

from cards.actions import CampaignProgress, CampaignResults
from cards.campaign_trainer import MAX_LISTED, list_card, progress_card, results_card
from cards.general import notice_card
from domain.campaign_progress import Progress, campaign_progress
from domain.campaigns import Campaign
from domain.roles import Role
from domain.schedule import zone
from jobs.campaign_service import CampaignService

from .turn import Turn


class TurnClock:
    """The jobs' clock, standing at the turn's time (the campaign service reads it)."""

    def __init__(self, turn: Turn):
        self._now = turn.now

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._now.timestamp()

    async def sleep(self, seconds: float) -> None:  # never called by the service's use cases
        raise RuntimeError("a chat turn does not wait")


def service(turn: Turn) -> CampaignService:
    return CampaignService(turn.store, TurnClock(turn))


def trainer_zone(turn: Turn) -> str:
    return turn.worker.time_zone or "UTC"


def sees(campaign: Campaign, turn: Turn, role: Role) -> bool:
    return campaign.tenant_id == turn.worker.tenant_id and (
        role is Role.ADMIN or campaign.created_by == turn.worker.id)


async def _visible(turn: Turn, campaign_id: str, role: Role) -> Campaign | None:
    campaign = await turn.store.campaigns.get_campaign(campaign_id)
    if campaign is None or not sees(campaign, turn, role):
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        return None
    return campaign


async def progress_of(turn: Turn, campaign: Campaign) -> Progress:
    campaigns = turn.store.campaigns
    return campaign_progress(campaign, await campaigns.count_deliveries(campaign.id),
                             await campaigns.campaign_attempts(campaign.id))


async def list_campaigns(turn: Turn, role: Role) -> None:
    mine = [c for c in await turn.store.campaigns.list_campaigns(turn.worker.tenant_id)
            if sees(c, turn, role)]
    rows = [(c, await progress_of(turn, c)) for c in mine[:MAX_LISTED]]
    turn.send(list_card(turn.texts, rows, more=max(0, len(mine) - MAX_LISTED)))


def checked_at(turn: Turn) -> str:
    local = turn.now.astimezone(zone(trainer_zone(turn)))
    return f"{turn.texts.date(local)} {turn.texts.time(local)}"


async def show_progress(turn: Turn, action: CampaignProgress, role: Role) -> None:
    campaign = await _visible(turn, action.campaign, role)
    if campaign is None:
        return
    shown = progress_card(turn.texts, campaign, await progress_of(turn, campaign),
                          checked_at(turn))
    if action.refresh:
        turn.replace(shown)
    else:
        turn.send(shown)


async def show_results(turn: Turn, action: CampaignResults, role: Role) -> None:
    campaign = await _visible(turn, action.campaign, role)
    if campaign is None:
        return
    results = await service(turn).results(campaign.id)
    module = turn.module(campaign.quiz.module_id)
    missed = []
    for item in results.most_missed:
        question = module.question(item.question_id) if module else None
        missed.append((question.text if question else item.question_id, item.missed))
    turn.send(results_card(turn.texts, campaign, results, missed))
