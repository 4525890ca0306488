"""Where a campaign stands, in the figures a trainer follows: of its first messages how many
went out, failed or may have gone out, and how many workers answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.campaign_results import first_campaign_attempts
from domain.campaigns import Campaign, DeliveryState
from domain.models import QuizAttempt


class Counts(Protocol):
    def total(self, round_: int | None = None) -> int: ...

    def of(self, state: DeliveryState, round_: int | None = None) -> int: ...


@dataclass(frozen=True)
class Progress:
    recipients: int  # deliveries of the first message (the frozen audience, reachable)
    pending: int  # not sent yet (leased ones included)
    sent: int
    failed: int
    unknown: int  # may have arrived: Teams gave no answer
    unreachable: int  # counted when the audience was frozen, never sent
    answered: int  # first submitted attempt within the campaign window


def campaign_progress(campaign: Campaign, counts: Counts,
                      attempts: list[QuizAttempt]) -> Progress:
    return Progress(
        recipients=counts.total(0),
        pending=counts.of(DeliveryState.PENDING, 0) + counts.of(DeliveryState.LEASED, 0),
        sent=counts.of(DeliveryState.SENT, 0), failed=counts.of(DeliveryState.FAILED, 0),
        unknown=counts.of(DeliveryState.UNKNOWN, 0),
        unreachable=sum(len(keys) for keys in campaign.unreachable.values()),
        answered=len(first_campaign_attempts(campaign, attempts)))
