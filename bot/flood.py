"""Per-worker flood control: a token bucket per sender, in a bounded LRU map.

A worker may send `burst` activities at once and `per_second` after that. The first activity
over the limit gets a polite "slow down" (WARN); the rest of that flood is dropped silently
(DROP) until the worker is admitted again. Only `max_tracked` senders are remembered: the least
recently seen is forgotten first, so memory stays bounded whatever the ids.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


class Verdict(enum.Enum):
    ADMIT = "admit"
    WARN = "warn"
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    def __init__(self, burst: int, per_second: float, max_tracked: int,
                 clock: Callable[[], float] = time.monotonic):
        self.burst = burst
        self.per_second = per_second
        self.max_tracked = max_tracked
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def admit(self, sender: str) -> Verdict:
        now = self.clock()
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = self._buckets[sender] = _Bucket(float(self.burst), now)
            if len(self._buckets) > self.max_tracked:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(sender)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ADMIT
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN
