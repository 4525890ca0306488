"""Directory sync: Graph `/users/delta` into the store's directory. The first round reads
everyone; later rounds start from the stored delta link and get only the changes. The next
link is stored after every page, so an interrupted round resumes where it stopped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from bot.store.port import DirectoryStore
from domain.usage_records import DirectoryEntry
from integrations.graph.client import GraphClient, GraphError
from integrations.graph.directory import DirectoryUser, delta_pages

log = logging.getLogger(__name__)
_FIELDS = [f.name for f in fields(DirectoryEntry) if f.name not in ("id", "removed")]


@dataclass
class SyncResult:
    mode: str  # full | delta | resumed
    pages: int = 0
    users: int = 0
    removed: int = 0


def merged(user: DirectoryUser, stored: DirectoryEntry | None) -> DirectoryEntry:
    """The entry after this change: fields the answer left out keep their stored values."""
    if user.removed or stored is None:
        return user.entry
    return replace(stored, removed=False, **{name: getattr(user.entry, name) for name in user.present})


def _mode(link: str | None) -> str:
    if link is None:
        return "full"
    return "delta" if "deltatoken" in link.lower() else "resumed"


async def sync_directory(graph: GraphClient, directory: DirectoryStore,
                         progress: Callable[[SyncResult], None] | None = None,
                         stopping: Callable[[], bool] = lambda: False) -> SyncResult:
    start = await directory.get_checkpoint()
    try:
        return await _round(graph, directory, start, progress, stopping)
    except GraphError as exc:
        if exc.status != 410 or start is None:
            raise
        log.info("the stored delta link expired (410): reading the whole directory again")
        await directory.save_checkpoint(None)
        return await _round(graph, directory, None, progress, stopping)


async def _round(graph: GraphClient, directory: DirectoryStore, start: str | None,
                 progress: Callable[[SyncResult], None] | None,
                 stopping: Callable[[], bool]) -> SyncResult:
    result = SyncResult(_mode(start))
    async for page in delta_pages(graph, start):
        stored = await directory.get_users([u.id for u in page.users if u.present != frozenset(_FIELDS)])
        await directory.save_users([merged(u, stored.get(u.id)) for u in page.users])
        await directory.save_checkpoint(page.next_link or page.delta_link)
        result.pages += 1
        result.users += sum(not u.removed for u in page.users)
        result.removed += sum(u.removed for u in page.users)
        if progress:
            progress(result)
        if stopping():
            break
    return result
