"""Teams' send limits as arithmetic over a clock: callers ask how long to wait, then record
the send. No sleeping here (the sender sleeps), so tests run on fixed clocks.

- `TenantRate`: a sliding one-second window per tenant (50 requests/s by default), which a
  429 pauses for Retry-After and slows down;
- `ConversationWindows`: the per-conversation sliding windows (7/1 s, 8/2 s, 60/30 s,
  1800/3600 s).
"""

from __future__ import annotations

from collections import deque

CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0),
                                                      (1800, 3600.0))
HEADROOM = 0.97  # 48 of 50/s: arrivals bunch a little on the way
BURST_SECONDS = 0.05
SLOWDOWN = 0.9  # after a 429 the tenant rate drops to 90 %, then recovers
RECOVERY_SECONDS = 5.0  # ... by 10 % of the configured rate per this many seconds


class TenantRate:
    """At most `limit` requests in any one-second window: the rule Teams (and the simulator)
    applies, with a little headroom (HEADROOM) for requests that arrive closer together than
    they left. A 429 pauses everyone for Retry-After and lowers the limit, which then recovers."""

    def __init__(self, rate: float, now: float):
        if rate <= 0:
            raise ValueError("the tenant rate must be positive")
        self.configured = max(1, int(rate * HEADROOM))
        self.limit = self.configured
        self._sent: deque[float] = deque()
        self._tokens = 1.0
        self._at = now
        self._paused_until = now
        self._last_recovery = now

    def wait(self, now: float) -> float:
        """Seconds to wait before the next request; 0 = take it now (and it is counted)."""
        self._recover(now)
        if now < self._paused_until:
            return self._paused_until - now
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.popleft()
        if len(self._sent) >= self.limit:  # never 0 here: 0 means "granted"
            return max(1e-6, self._sent[len(self._sent) - self.limit] + 1.0 - now)
        # Paced, too: at most a twentieth of a second's worth at once (a burst of new
        # connections overflows listen queues, and then arrives all together).
        self._tokens = min(self._burst(), self._tokens + (now - self._at) * self.limit)
        self._at = now
        if self._tokens < 1.0:
            return max(1e-6, (1.0 - self._tokens) / self.limit)
        self._tokens -= 1.0
        self._sent.append(now)
        return 0.0

    def _burst(self) -> float:
        return max(1.0, self.limit * BURST_SECONDS)

    def throttled(self, now: float, retry_after: float) -> None:
        """Teams answered 429: nobody in the tenant sends before Retry-After, then slower.
        The 429s of requests that were already on their way count as the same one."""
        if now >= self._paused_until:
            self.limit = max(1, int(self.limit * SLOWDOWN))
            self._last_recovery = now
        self._paused_until = max(self._paused_until, now + max(retry_after, 0.0))

    def _recover(self, now: float) -> None:
        if self.limit < self.configured and now >= self._last_recovery + RECOVERY_SECONDS:
            steps = int((now - self._last_recovery) / RECOVERY_SECONDS)
            self.limit = min(self.configured, self.limit + max(1, steps * self.configured // 10))
            self._last_recovery = now


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
