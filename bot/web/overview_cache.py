"""A short-lived cache of the dashboard's overview per filter, dropped by any write.

A store whose dashboard facts offer `data_version()` (SQLite: PRAGMA data_version, which
changes with every commit of any other connection or process) gets its overview reused while
that version is unchanged and for at most TTL_SECONDS; the version is read *before* the
figures are computed, so a write that lands during the computation makes the next call
compute again. Stores without it (memory, Cosmos) are asked every time.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

TTL_SECONDS = 30.0
ENTRIES = 64  # filters kept per store, least recently used dropped first


class OverviewCache:
    def __init__(self, ttl: float = TTL_SECONDS, entries: int = ENTRIES,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl, self.entries, self.clock = ttl, entries, clock
        self._kept: OrderedDict[Hashable, tuple[int, float, Any]] = OrderedDict()

    async def get(self, version_of: Callable[[], Awaitable[int]] | None, key: Hashable,
                  compute: Callable[[], Awaitable[Any]]) -> Any:
        if version_of is None:
            return await compute()
        version, now = await version_of(), self.clock()
        kept = self._kept.get(key)
        if kept is not None and kept[0] == version and now - kept[1] < self.ttl:
            self._kept.move_to_end(key)
            return kept[2]
        result = await compute()
        self._kept[key] = (version, now, result)
        self._kept.move_to_end(key)
        while len(self._kept) > self.entries:
            self._kept.popitem(last=False)
        return result


_BY_STORE: weakref.WeakKeyDictionary[Any, OverviewCache] = weakref.WeakKeyDictionary()


def cache_of(store: Any) -> OverviewCache:
    """One cache per store object (an app serves one store; tests make many)."""
    if store not in _BY_STORE:
        _BY_STORE[store] = OverviewCache()
    return _BY_STORE[store]
