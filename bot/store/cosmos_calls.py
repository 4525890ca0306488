"""How the Cosmos DB adapter calls the service: bounded retries, fault mapping, health.

Every request goes through `Calls.run`. The SDK's own retries are switched off (see
`sdk_retry_options` in cosmos.py) so this is the one place that decides, and the total time
of an operation, waits included, never exceeds `budget` seconds:
- 429: wait what the service asks (x-ms-retry-after-ms), then retry;
- 449 and 503: the service did not apply the request: back off (exponential, jittered), retry;
- 408, 500, 502, 504, timeouts and dropped connections: the request may have been applied, so
  only idempotent operations retry (reads, creates and replaces that carry an id or an etag);
  counter increments give up instead of counting twice;
- anything else is not transient and is not retried.
When the budget is spent the caller gets StoreUnavailable. Errors the caller expects (404,
409, 412) are translated inside the call itself and never reach this layer.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from azure.core.exceptions import AzureError, ServiceRequestError
from azure.cosmos.exceptions import CosmosHttpResponseError

from bot.store.port import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

NOT_APPLIED = frozenset({429, 449, 503})
MAYBE_APPLIED = frozenset({408, 500, 502, 504})
RECENT_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    budget: float = 5.0  # seconds one operation may take in all
    attempt_timeout: float = 3.0  # seconds one request may take
    long_budget: float = 30.0  # reports and other multi-page queries: one request, this long
    first_backoff: float = 0.05
    max_backoff: float = 1.0

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.first_backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


class HealthLog:
    """Recent failures, for `health()`: a store that needed retries or gave up lately is
    degraded even if its next request succeeds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._events: deque[tuple[float, str]] = deque(maxlen=100)
        self.counter_failures = 0

    def note(self, what: str) -> None:
        self._events.append((self._clock(), what))

    def recent(self) -> list[str]:
        horizon = self._clock() - RECENT_SECONDS
        return [what for at, what in self._events if at >= horizon]


class Calls:
    def __init__(self, policy: RetryPolicy, health: HealthLog,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.policy = policy
        self.health = health
        self._sleep = sleep
        self._clock = clock

    async def run(self, action: str, call: Callable[[], Awaitable[T]], *,
                  idempotent: bool = True, long: bool = False) -> T:
        """`call` makes one request (or, when `long`, one multi-page query); it is made again
        while that is safe and time is left."""
        limit = self.policy.long_budget if long else self.policy.budget
        deadline = self._clock() + limit
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - self._clock()
            timeout = remaining if long else min(self.policy.attempt_timeout, remaining)
            try:
                return await asyncio.wait_for(call(), timeout=max(timeout, 0.001))
            except CosmosHttpResponseError as exc:
                status = exc.status_code or 0
                reason = f"HTTP {status}"
                retry = status in NOT_APPLIED or (idempotent and status in MAYBE_APPLIED)
                wait = _retry_after(exc) if status == 429 else self.policy.backoff(attempt)
            except TimeoutError:
                reason, retry = "timed out", idempotent
                wait = self.policy.backoff(attempt)
            except ServiceRequestError as exc:  # never reached the service
                reason, retry = _transport_reason(exc), True
                wait = self.policy.backoff(attempt)
            except (AzureError, OSError) as exc:
                reason, retry = _transport_reason(exc), idempotent
                wait = self.policy.backoff(attempt)
            spent = limit - (deadline - self._clock())
            if not retry or self._clock() + wait >= deadline:
                self.health.note(f"{action}: {reason}")
                log.warning("Cosmos DB: could not %s: %s (attempt %d, %.2f s)",
                            action, reason, attempt, spent)
                raise StoreUnavailable(
                    f"Cosmos DB store unavailable: could not {action} ({reason}; "
                    f"{attempt} attempt{'s' if attempt > 1 else ''} in {spent:.1f} s)")
            self.health.note(f"{action}: retried after {reason}")
            await self._sleep(wait)


def _retry_after(exc: CosmosHttpResponseError) -> float:
    headers = exc.headers or {}
    value = headers.get("x-ms-retry-after-ms") or headers.get("x-ms-retry-after")
    try:
        return max(float(value) / 1000.0, 0.0) if value is not None else 0.1
    except ValueError:
        return 0.1


def _transport_reason(exc: BaseException) -> str:
    """A short cause without the message: messages of transport errors may carry URLs."""
    inner = getattr(exc, "inner_exception", None)
    return type(inner or exc).__name__
