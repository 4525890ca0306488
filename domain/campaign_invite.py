"""What a worker gets from a campaign: the quiz it asks for (how many questions, about how
long), the key the card carries, and "Remind me tomorrow"."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone

from domain.campaigns import Campaign, Delivery
from domain.schedule import zone

SECONDS_PER_QUESTION = 30  # reading a question and its options, choosing, submitting


def delivery_key(delivery: Delivery) -> str:
    """`campaign:worker:round`: the card carries it; the connector simulator counts by it."""
    return f"{delivery.campaign_id}:{delivery.worker_id}:{delivery.round}"


def card_nonce(key: str) -> str:
    """The card nonce of a delivery's card: the same for a resend of it, so a click on either
    copy is the same click (one attempt)."""
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def question_count(campaign: Campaign, available: int) -> int:
    """How many of the module's `available` questions the campaign asks."""
    wanted = campaign.quiz.question_count
    return available if wanted is None else max(1, min(wanted, available))


def quiz_minutes(questions: int) -> int:
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def remind_tomorrow(campaign: Campaign, now: datetime, worker_zone: str | None) -> datetime | None:
    """Tomorrow at the same local time (the worker's zone; quiet hours moved on as the
    campaign's schedule says), in UTC; None when the campaign ends before then."""
    tz = zone(worker_zone or campaign.schedule.zone)
    local = now.astimezone(tz)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), local.time(), tzinfo=tz)
    due = campaign.schedule.allowed_from(tomorrow.astimezone(timezone.utc), worker_zone)
    return due if due < campaign.ends_at else None

