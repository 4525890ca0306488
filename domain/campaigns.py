"""Trainer quiz campaigns: the campaign, its per-worker deliveries, and the rules that move
them (campaign states, what a Teams answer means for a delivery).

A campaign is draft -> scheduled -> sending -> sent -> closed (or cancelled from any state
before closed). Its audience is resolved and frozen when sending starts: one delivery per
(campaign, worker, round), round 0 the first message and 1..M the reminders, created
idempotently. A delivery is pending -> leased -> sent | failed(reason) | unknown | skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.audience import Audience
from domain.models import Record, utcnow
from domain.schedule import Schedule


class CampaignState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"  # every first message has an outcome; reminders may still follow
    CLOSED = "closed"  # past its end date: nothing more goes out
    CANCELLED = "cancelled"


_NEXT = {
    CampaignState.DRAFT: {CampaignState.SCHEDULED, CampaignState.CANCELLED},
    CampaignState.SCHEDULED: {CampaignState.SENDING, CampaignState.CANCELLED},
    CampaignState.SENDING: {CampaignState.SENT, CampaignState.CANCELLED, CampaignState.CLOSED},
    CampaignState.SENT: {CampaignState.CLOSED, CampaignState.CANCELLED},
    CampaignState.CLOSED: set(),
    CampaignState.CANCELLED: set(),
}


class InvalidTransition(ValueError):
    pass


def check_transition(current: CampaignState, new: CampaignState) -> None:
    if new not in _NEXT[current]:
        raise InvalidTransition(f"a {current.value} campaign cannot become {new.value}")


class QuizSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module_id: str = Field(min_length=1)
    question_count: int | None = Field(None, ge=1)  # None: all the module's questions


class Reminders(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after_days: float = Field(3, gt=0)
    max_count: int = Field(0, ge=0, le=10)  # 0: no reminders


class Campaign(Record):
    id: str
    tenant_id: str
    title: str = Field(min_length=1, max_length=200)
    quiz: QuizSpec
    audience: Audience
    schedule: Schedule = Field(default_factory=Schedule)
    reminders: Reminders = Field(default_factory=Reminders)
    intro: str = Field("", max_length=2000)
    ends_at: datetime
    created_by: str = ""
    state: CampaignState = CampaignState.DRAFT
    created_at: datetime = Field(default_factory=utcnow)
    starts_at: datetime | None = None  # set when scheduled: the earliest due time
    started_at: datetime | None = None
    audience_frozen_at: datetime | None = None  # every delivery of round 0 exists
    sent_at: datetime | None = None
    finished_at: datetime | None = None  # closed or cancelled
    unreachable: dict[str, list[str]] = Field(default_factory=dict)  # reason -> worker keys
    version: int = 0

    @model_validator(mode="after")
    def _ends_after_creation(self) -> Campaign:
        if self.ends_at <= self.created_at:
            raise ValueError("the end date must be in the future")
        return self

    def transition(self, new: CampaignState, at: datetime) -> Campaign:
        check_transition(self.state, new)
        changes: dict[str, object] = {"state": new}
        if new is CampaignState.SCHEDULED:
            changes["starts_at"] = self.schedule.earliest_start(at)
        elif new is CampaignState.SENDING:
            changes["started_at"] = at
        elif new is CampaignState.SENT:
            changes["sent_at"] = at
        else:
            changes["finished_at"] = at
        return self.model_copy(update=changes)

    @property
    def active(self) -> bool:
        return self.state in (CampaignState.SENDING, CampaignState.SENT)


class DeliveryState(StrEnum):
    PENDING = "pending"
    LEASED = "leased"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request went out and no answer came back: Teams may have it
    SKIPPED = "skipped"  # not sent on purpose: cancelled, answered before a reminder, closed


FINAL = frozenset({DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNKNOWN,
                   DeliveryState.SKIPPED})


class Delivery(Record):
    campaign_id: str
    worker_id: str
    round: int = 0  # 0 the campaign message, n the n-th reminder
    tenant_id: str = ""
    state: DeliveryState = DeliveryState.PENDING
    due_at: datetime
    lease_owner: str | None = None
    lease_until: datetime | None = None
    attempts: int = 0  # requests sent to Teams, over every lease
    statuses: list[int] = Field(default_factory=list)  # every HTTP status seen (0 = no answer)
    reason: str | None = None
    uncertain: bool = False  # was unknown once (timeout, 502/504, or a lease lost mid-send)
    resent: bool = False  # an unknown delivery sent again (CAMPAIGN_RESEND_UNKNOWN)
    sent_at: datetime | None = None
    activity_id: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.campaign_id, self.worker_id, self.round)


def reminder_due(first_sent_at: datetime, reminders: Reminders, round_: int) -> datetime:
    """When reminder `round_` (1-based) of a delivery first sent at `first_sent_at` is due."""
    return first_sent_at + timedelta(days=reminders.after_days * round_)
