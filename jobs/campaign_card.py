"""PLACEHOLDER for the campaign card: the lead replaces it with the real card from cards/
once the card rework lands. It carries the delivery key in the action data, which the
connector simulator counts by. No strings of its own: the title and intro are the trainer's."""

from __future__ import annotations

from typing import Any

from domain.campaigns import Campaign, Delivery
from domain.models import Worker


def delivery_key(delivery: Delivery) -> str:
    return f"{delivery.campaign_id}:{delivery.worker_id}:{delivery.round}"


def placeholder_card(campaign: Campaign, delivery: Delivery, worker: Worker) -> dict[str, Any]:
    """A `CardBuilder` (jobs/campaign_delivery.py): the sender passes the worker, for the
    real card's language and locale."""
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
