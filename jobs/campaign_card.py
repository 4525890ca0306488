"""The bare campaign card the sender falls back to where no catalog is at hand (tests and
benches of the sender): the trainer's title and intro and the Start action with the delivery
key, which the connector simulator counts by. The bot itself sends the worker's card in their
language (dialogs/campaign_invite.py `campaign_activity`, wired in bot/job_hosting.py)."""

from __future__ import annotations

from typing import Any

from domain.campaign_invite import delivery_key
from domain.campaigns import Campaign, Delivery
from domain.models import Worker


def bare_card(campaign: Campaign, delivery: Delivery, worker: Worker) -> dict[str, Any]:
    """A `CardBuilder` (jobs/campaign_delivery.py)."""
    card = {
        "type": "AdaptiveCard", "version": "1.5",
        "body": [{"type": "TextBlock", "text": campaign.title, "weight": "Bolder", "wrap": True},
                 {"type": "TextBlock", "text": campaign.intro, "wrap": True}],
        "actions": [{"type": "Action.Submit", "title": campaign.title,
                     "data": {"verb": "campaign.start", "campaign": campaign.id,
                              "module": campaign.quiz.module_id,
                              "delivery": delivery_key(delivery)}}],
    }
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}
