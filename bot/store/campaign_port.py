"""The campaign part of the storage port: campaigns, their deliveries (the send queue) with
the delivery leases that keep two sender instances apart, and the audience queries. (One
sender per tenant is a job lease: `store.leases`, `campaign-tenant:<tenant>`.)

Rules every adapter keeps (tests/store_contract/test_campaigns.py):
- `add_deliveries` is idempotent per (campaign, worker, round): a repeat changes nothing.
- `lease_due` hands a delivery to one owner at a time: it takes pending deliveries that are
  due, and leased ones whose lease expired (`taken_over`: the sender treats them as maybe
  sent). A lease is (owner, lease_until): the same owner taking an expired lease again holds
  a new lease, and the old one is dead.
- `record_outcomes` / `release` write a delivery only while its lease (owner + the
  `lease_until` the delivery carries) is still the stored one; they return what they wrote.
- `save_campaign` is optimistic: it writes only when the stored version is `expected_version`
  and bumps `version`, else raises ConcurrencyConflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.audience import Audience
from domain.campaigns import Campaign, Delivery, DeliveryState
from domain.models import QuizAttempt, Worker

DeliveryKey = tuple[str, str, int]  # (campaign id, worker id, round)


@dataclass
class AudiencePage:
    workers: list[Worker]
    blocked: set[str] = field(default_factory=set)  # ids of those who blocked the bot
    next_after: str | None = None  # pass as `after` for the next page; None = last page


@dataclass(frozen=True)
class Leased:
    delivery: Delivery  # as stored now: state LEASED, our owner and lease_until (the lease)
    taken_over: bool  # its previous lease expired without an outcome: it may have gone out


@dataclass(frozen=True)
class DeliveryCounts:
    cells: dict[tuple[int, DeliveryState], int]  # (round, state) -> deliveries

    def total(self, round_: int | None = None) -> int:
        return sum(n for (r, _), n in self.cells.items() if round_ is None or r == round_)

    def of(self, state: DeliveryState, round_: int | None = None) -> int:
        return sum(n for (r, s), n in self.cells.items()
                   if s is state and (round_ is None or r == round_))


class CampaignStore(Protocol):
    # --- campaigns
    async def create_campaign(self, campaign: Campaign) -> Campaign:
        """Store a new campaign; if one with its id exists, return that one unchanged."""
        ...

    async def get_campaign(self, campaign_id: str) -> Campaign | None: ...

    async def save_campaign(self, campaign: Campaign, expected_version: int) -> Campaign: ...

    async def list_campaigns(self, tenant_id: str | None = None,
                             states: set | None = None) -> list[Campaign]:
        """Newest first; `tenant_id` None = all tenants (the sender's scan)."""
        ...

    # --- deliveries
    async def add_deliveries(self, deliveries: list[Delivery]) -> int:
        """Create those that do not exist yet; returns how many were new."""
        ...

    async def lease_due(self, campaign_id: str, owner: str, now: datetime, until: datetime,
                        limit: int) -> list[Leased]: ...

    async def record_outcomes(self, deliveries: list[Delivery], owner: str) -> set[DeliveryKey]:
        ...

    async def release(self, deliveries: list[Delivery], owner: str) -> int:
        """Give leased deliveries back (pending, same due time) without counting an attempt."""
        ...

    async def skip_open(self, campaign_id: str, reason: str, at: datetime) -> int:
        """Mark every pending (or lease-expired) delivery of the campaign skipped."""
        ...

    async def list_deliveries(self, campaign_id: str, *, round_: int | None = None,
                              after: str | None = None, limit: int = 1000) -> list[Delivery]:
        """Ordered by (worker id, round); `after` = the last worker id of the previous page."""
        ...

    async def worker_deliveries(self, campaign_id: str, worker_id: str) -> list[Delivery]:
        """One worker's deliveries of the campaign (every round), by round."""
        ...

    async def move_pending(self, campaign_id: str, worker_id: str, round_: int,
                           due_at: datetime, at: datetime) -> bool:
        """Make a still pending delivery due at `due_at` ("Remind me tomorrow"); False when
        it is not pending (leased, sent, skipped) or does not exist."""
        ...

    async def count_deliveries(self, campaign_id: str) -> DeliveryCounts: ...

    async def next_due(self, campaign_id: str) -> datetime | None:
        """The earliest due time of a pending delivery (or a lease's expiry), None if none."""
        ...

    # --- workers, as campaigns see them
    async def audience_page(self, tenant_id: str, audience: Audience, after: str | None,
                            limit: int) -> AudiencePage:
        """One page (by worker id) of the tenant's workers matching a rule-based audience,
        installed or not (the caller counts the unreachable)."""
        ...

    async def find_workers(self, tenant_id: str, keys: list[str]) -> AudiencePage:
        """The tenant's workers whose id or UPN (case-insensitive) is among `keys`."""
        ...

    async def set_blocked(self, tenant_id: str, worker_id: str, at: datetime) -> None: ...

    async def clear_blocked(self, tenant_id: str, worker_id: str) -> None:
        """The worker wrote to the bot again: campaigns may reach them."""
        ...

    async def update_conversation(self, worker_id: str, conversation: dict) -> None:
        """Store a re-created 1:1 conversation reference on the worker."""
        ...

    async def campaign_attempts(self, campaign_id: str,
                                worker_ids: list[str] | None = None) -> list[QuizAttempt]:
        """Submitted quiz attempts carrying this campaign id (of these workers, if given)."""
        ...
