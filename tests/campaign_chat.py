"""Campaigns in flow tests: a campaign that is sending, its card delivered into a worker's
Chat the way the sender would push it, and a trainer's / admin's router."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.content import Catalog
from chat import START, Chat
from dialogs.campaign_invite import campaign_activity
from dialogs.router import Router
from domain.audience import Audience, AudienceKind
from domain.campaigns import Campaign, CampaignState, Delivery, DeliveryState, QuizSpec, Reminders
from domain.roles import RoleRule

TRAINER = "trainer-1"
ADMIN = "admin-1"


def roles_router(catalog: Catalog, *, trainers: tuple[str, ...] = (TRAINER,),
                 admins: tuple[str, ...] = (ADMIN,)) -> Router:
    return Router(catalog, roles=RoleRule.of(admins, trainers))


async def sending_campaign(store: Any, catalog: Catalog, campaign_id: str = "camp-1", *,
                           questions: int | None = 3, intro: str = "Please take this by Friday",
                           days: int = 14, created_by: str = TRAINER,
                           reminders: Reminders | None = None) -> Campaign:
    """A campaign on the catalog's first module whose sending started at START."""
    module = catalog.modules("en")[0]
    campaign = Campaign(
        id=campaign_id, tenant_id="", title="Security week", intro=intro,
        quiz=QuizSpec(module_id=module.id, question_count=questions),
        audience=Audience(kind=AudienceKind.ALL), reminders=reminders or Reminders(),
        ends_at=START + timedelta(days=days), created_by=created_by,
        created_at=START - timedelta(hours=1))
    stored = await store.campaigns.create_campaign(campaign)
    scheduled = stored.transition(CampaignState.SCHEDULED, START - timedelta(minutes=30))
    stored = await store.campaigns.save_campaign(scheduled, stored.version)
    return await store.campaigns.save_campaign(
        stored.transition(CampaignState.SENDING, START), stored.version)


async def deliver(chat: Chat, campaign: Campaign, round_: int = 0) -> dict:
    """The campaign's message of `round_` sent to the chat's worker: recorded as the sender
    records it, and its card added to what the chat received. Returns the card."""
    delivery = Delivery(campaign_id=campaign.id, worker_id=chat.worker.id, round=round_,
                        tenant_id=campaign.tenant_id, state=DeliveryState.SENT,
                        due_at=START, sent_at=START, updated_at=START)
    await chat.store.campaigns.add_deliveries([delivery])
    activity = campaign_activity(chat.router.catalog, campaign, delivery, chat.worker)
    card = activity["attachments"][0]["content"]
    chat.sent.append(card)
    return card
