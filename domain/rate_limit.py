"""Teams' send limits as arithmetic over a clock: callers ask how long to wait, then record
the send. No sleeping here (the sender sleeps), so tests run on fixed clocks.

- `TenantRate`: one token bucket per tenant (50 requests/s by default, burst of one
  second's worth), which a 429 pauses for Retry-After and slows down;
- `ConversationWindows`: the per-conversation sliding windows (7/1 s, 8/2 s, 60/30 s,
  1800/3600 s).
"""

from __future__ import annotations

from collections import deque

CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0),
                                                      (1800, 3600.0))
SLOWDOWN = 0.8  # after a 429 the tenant rate drops to 80 %, then recovers
RECOVERY_SECONDS = 10.0  # ... by 10 % of the configured rate per this many seconds


class TenantRate:
    def __init__(self, rate: float, now: float):
        if rate <= 0:
            raise ValueError("the tenant rate must be positive")
        self.configured = rate
        self.rate = rate
        self._tokens = 1.0
        self._at = now
        self._paused_until = now
        self._last_recovery = now

    def wait(self, now: float) -> float:
        """Seconds to wait before the next request; 0 = take it now (and it is counted)."""
        self._refill(now)
        if now < self._paused_until:
            return self._paused_until - now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def throttled(self, now: float, retry_after: float) -> None:
        """Teams answered 429: nobody in the tenant sends before Retry-After, then slower."""
        self._refill(now)
        self._paused_until = max(self._paused_until, now + max(retry_after, 0.0))
        self._tokens = 0.0
        self.rate = max(self.configured * 0.1, self.rate * SLOWDOWN)
        self._last_recovery = now

    def _refill(self, now: float) -> None:
        if now > self._last_recovery + RECOVERY_SECONDS and self.rate < self.configured:
            steps = int((now - self._last_recovery) / RECOVERY_SECONDS)
            self.rate = min(self.configured, self.rate + steps * 0.1 * self.configured)
            self._last_recovery += steps * RECOVERY_SECONDS
        elapsed = max(0.0, now - self._at)
        self._at = now
        self._tokens = min(self.rate, self._tokens + elapsed * self.rate)  # burst: 1 s


class ConversationWindows:
    """Sliding windows per conversation; forgets a conversation an hour after its last send."""

    def __init__(self, windows: tuple[tuple[int, float], ...] = CONVERSATION_WINDOWS):
        self.windows = windows
        self._horizon = max(seconds for _, seconds in windows)
        self._sent: dict[str, deque[float]] = {}

    def wait(self, conversation: str, now: float) -> float:
        """Seconds until one more message to this conversation stays inside every window."""
        times = self._sent.get(conversation)
        if not times:
            return 0.0
        while times and times[0] <= now - self._horizon:
            times.popleft()
        delay = 0.0
        for limit, seconds in self.windows:
            in_window = [t for t in times if t > now - seconds] if len(times) >= limit else []
            if len(in_window) >= limit:
                delay = max(delay, in_window[-limit] + seconds - now)
        return delay

    def record(self, conversation: str, now: float) -> None:
        self._sent.setdefault(conversation, deque()).append(now)

    def forget_older_than(self, now: float) -> None:
        stale = [c for c, t in self._sent.items() if not t or t[-1] <= now - self._horizon]
        for conversation in stale:
            del self._sent[conversation]


def backoff(attempt: int, *, base: float = 0.5, cap: float = 30.0, jitter: float = 0.0) -> float:
    """Exponential backoff: base * 2^(attempt-1), capped; `jitter` in [0, 1) is the caller's
    random draw (full jitter keeps half the delay fixed and spreads the other half)."""
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay / 2 + delay / 2 * jitter
