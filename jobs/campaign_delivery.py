"""One delivery, from its lease to its outcome: the checks before each send (cancelled,
answered, reachable), the limits, the request, and what each Teams answer means.

Retries: 412/429/500/503 and unsent requests are retried with exponential backoff and jitter
(429: after Retry-After, and the whole tenant slows down) up to `max_attempts`; a timeout or
502/504 makes the delivery uncertain: it is sent once more only when `resend_unknown`,
else it ends `unknown`. 403 MessageWritesBlocked blocks the worker; 404 re-creates the 1:1
conversation once. A delivery whose previous lease expired (its sender died mid-send) counts
as unknown the same way.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from domain.campaigns import Campaign, Delivery, DeliveryState
from domain.messaging import Messenger, Verdict, verdict
from domain.models import Worker
from domain.rate_limit import ConversationWindows, TenantRate, backoff
from bot.store.port import Store
from jobs.clock import Clock

# (campaign, delivery, worker) -> the message activity (JSON) the worker gets
CardBuilder = Callable[[Campaign, Delivery, Worker], dict[str, Any]]


@dataclass(frozen=True)
class SendPolicy:
    resend_unknown: bool = True  # CAMPAIGN_RESEND_UNKNOWN
    max_attempts: int = 8
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # No request starts later than this before its lease ends: more than the messenger's
    # longest request (connect + read timeouts) plus writing the outcome.
    lease_margin: float = 30.0


class HandBack(Exception):
    """The sender is stopping, or the lease runs out: give the delivery back, unsent."""


class DeliveryRun:
    """What one sender instance shares between its deliveries."""

    def __init__(self, store: Store, messenger: Messenger, clock: Clock, policy: SendPolicy,
                 card: CardBuilder, cancelled: Callable[[str], Awaitable[bool]],
                 stopping: Callable[[], bool], tenant_rate: float,
                 rng: random.Random | None = None):
        self.store = store
        self.messenger = messenger
        self.clock = clock
        self.policy = policy
        self.card = card
        self.cancelled = cancelled
        self.stopping = stopping
        self.rng = rng or random.Random()
        self.tenant_rate = tenant_rate
        self.tenants: dict[str, TenantRate] = {}
        self._turns: dict[str, asyncio.Lock] = {}
        self.conversations = ConversationWindows()
        self.handed_back = 0  # deliveries given back unsent (stopping, or the lease ran short)

    async def deliver(self, campaign: Campaign, d: Delivery,
                      taken_over: bool = False) -> tuple[Delivery, Worker | None]:
        """The delivery with its outcome (or back to pending when stopping), and the worker.
        `taken_over`: its previous lease expired mid-send, so it may have gone out."""
        d = d.model_copy(deep=True)
        if taken_over:
            d.uncertain = True
            if not self.policy.resend_unknown or d.resent:
                return self._end(d, DeliveryState.UNKNOWN, "lease expired mid-send"), None
            d.resent = True
        if await self.cancelled(campaign.id):
            return self._end(d, DeliveryState.SKIPPED, "cancelled"), None
        if d.round > 0 and await self.store.campaigns.campaign_attempts(campaign.id,
                                                                        [d.worker_id]):
            return self._end(d, DeliveryState.SKIPPED, "answered"), None
        worker = await self.store.workers.get_worker(d.worker_id)
        if worker is None or not worker.installed:
            return self._end(d, DeliveryState.SKIPPED, "uninstalled"), worker
        try:
            return await self._send(campaign, d, worker), worker
        except HandBack:
            self.handed_back += 1
            if await self.cancelled(campaign.id):
                return self._end(d, DeliveryState.SKIPPED, "cancelled"), worker
            return self._end(d, DeliveryState.PENDING, None), worker

    async def _send(self, campaign: Campaign, d: Delivery, worker: Worker) -> Delivery:
        reference = worker.conversation
        recreated = False
        while True:
            await self._wait_for_limits(campaign, d, reference)
            if await self.cancelled(campaign.id):
                return self._end(d, DeliveryState.SKIPPED, "cancelled")
            outcome = await self.messenger.send(reference, self.card(campaign, d, worker))
            d.attempts += 1
            d.statuses.append(outcome.status)
            result = verdict(outcome.status, outcome.body) if outcome.went_out else Verdict.RETRY
            if result is Verdict.SENT:
                d.sent_at, d.activity_id = self.clock.now(), outcome.activity_id
                return self._end(d, DeliveryState.SENT, None)
            if result is Verdict.BLOCKED:
                await self.store.campaigns.set_blocked(campaign.tenant_id, d.worker_id,
                                                       self.clock.now())
                return self._end(d, DeliveryState.FAILED, "blocked")
            if result is Verdict.GONE:
                if recreated:
                    return self._end(d, DeliveryState.FAILED, "conversation not found")
                created, fresh = await self.messenger.create_conversation(reference)
                if fresh is not None:
                    recreated = True
                    await self.store.campaigns.update_conversation(d.worker_id, fresh)
                    reference = fresh
                    continue
                if verdict(created.status) not in (Verdict.RETRY, Verdict.UNKNOWN):
                    return self._end(d, DeliveryState.FAILED, "conversation not found")
                # a transient failure of the re-creation: back off and try the send again
            if result is Verdict.FAILED:
                return self._end(d, DeliveryState.FAILED, f"HTTP {outcome.status}")
            if result is Verdict.UNKNOWN:
                d.uncertain = True
                if not self.policy.resend_unknown or d.resent:
                    return self._end(d, DeliveryState.UNKNOWN, _unknown_reason(outcome.status))
                d.resent = True
            if d.attempts >= self.policy.max_attempts:
                return self._end(d, DeliveryState.FAILED,
                                 f"gave up after {d.attempts} attempts")
            if outcome.status == 429:
                self._tenant(campaign.tenant_id).throttled(self.clock.monotonic(),
                                                           outcome.retry_after or 1.0)
                continue  # the tenant limiter waits out Retry-After
            await self._pause(backoff(d.attempts, base=self.policy.backoff_base,
                                      cap=self.policy.backoff_cap, jitter=self.rng.random()))

    async def _wait_for_limits(self, campaign: Campaign, d: Delivery,
                               reference: dict[str, Any]) -> None:
        """The conversation's windows, then the tenant's turn: deliveries queue for the
        tenant limiter in order (one lock), so only the head of the queue sleeps on it."""
        conversation = reference.get("conversation", {}).get("id", "")
        tenant = self._tenant(campaign.tenant_id)
        while (wait := self.conversations.wait(conversation, self.clock.monotonic())) > 0:
            self._check_can_send(d)
            await self.clock.sleep(min(wait, 0.5))
        async with self._turns.setdefault(campaign.tenant_id, asyncio.Lock()):
            while True:
                self._check_can_send(d)
                wait = tenant.wait(self.clock.monotonic())
                if wait <= 0:
                    break
                await self.clock.sleep(min(wait, 0.5))
        self.conversations.record(conversation, self.clock.monotonic())

    def _check_can_send(self, d: Delivery) -> None:
        if self.stopping() or self._lease_ending(d):
            raise HandBack

    def _lease_ending(self, d: Delivery) -> bool:
        """Sending now could outlive our lease (request timeout included): someone else may
        take the delivery then, so it must not go out from here."""
        return (d.lease_until is not None
                and self.clock.now() >= d.lease_until - timedelta(seconds=self.policy.lease_margin))

    async def _pause(self, seconds: float) -> None:
        deadline = self.clock.monotonic() + seconds
        while (left := deadline - self.clock.monotonic()) > 0:
            if self.stopping():
                raise HandBack
            await self.clock.sleep(min(left, 0.25))

    def _tenant(self, tenant_id: str) -> TenantRate:
        if tenant_id not in self.tenants:
            self.tenants[tenant_id] = TenantRate(self.tenant_rate, self.clock.monotonic())
        return self.tenants[tenant_id]

    def _end(self, d: Delivery, state: DeliveryState, reason: str | None) -> Delivery:
        d.state, d.reason, d.updated_at = state, reason, self.clock.now()
        if state is DeliveryState.PENDING:
            d.due_at = self.clock.now()
        return d


def _unknown_reason(status: int) -> str:
    return "no answer (timeout)" if status == 0 else f"HTTP {status}: may have been delivered"
