"""STOPGAP until cmp-cards' campaign card and its Start handling land (they replace this
module): the placeholder card's Start button (`campaign.start`, jobs/campaign_card.py) opens
the campaign's quiz through the normal quiz flow, with the campaign id on the attempt."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from cards.actions import ModuleId, Nonce
from cards.general import notice_card
from domain.campaigns import CampaignState

from .menu import show_menu
from .quiz import start_quiz
from .turn import Turn

OPEN = (CampaignState.SENDING, CampaignState.SENT)


class StartCampaign(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    verb: Literal["campaign.start"]
    campaign: Nonce
    module: ModuleId
    delivery: str = ""


def parse_start(data: Any) -> StartCampaign | None:
    if not isinstance(data, dict) or data.get("verb") != "campaign.start":
        return None
    try:
        return StartCampaign.model_validate(data)
    except ValidationError:
        return None


async def start_campaign_quiz(turn: Turn, action: StartCampaign) -> None:
    """A repeat of the click (same card) resumes the same attempt: the key is the delivery's."""
    turn.dedupe_key = f"card:campaign.start|{action.campaign}|{action.delivery}"
    campaign = await turn.store.campaigns.get_campaign(action.campaign)
    if campaign is None or campaign.quiz.module_id != action.module or campaign.state not in OPEN:
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        await show_menu(turn)
        return
    await start_quiz(turn, campaign.quiz.module_id, campaign)
