"""Builders for the campaign contract tests."""

from __future__ import annotations

from datetime import timedelta

from domain.audience import Audience, AudienceKind
from domain.campaigns import Campaign, Delivery, QuizSpec

from .dataset import nov


def campaign(campaign_id: str = "c1", **fields: object) -> Campaign:
    values: dict[str, object] = dict(
        tenant_id="t1", title="MFA quiz", quiz=QuizSpec(module_id="mfa"),
        audience=Audience(kind=AudienceKind.ALL), ends_at=nov(30), created_at=nov(1))
    values.update(fields)
    return Campaign(id=campaign_id, **values)  # type: ignore[arg-type]


def delivery(worker_id: str, campaign_id: str = "c1", round_: int = 0,
             due_minutes: int = 0, **fields: object) -> Delivery:
    values: dict[str, object] = dict(tenant_id="t1", due_at=nov(2) + timedelta(minutes=due_minutes),
                                     updated_at=nov(2))
    values.update(fields)
    return Delivery(campaign_id=campaign_id, worker_id=worker_id, round=round_, **values)  # type: ignore[arg-type]
