"""The directory from Graph `/users/delta`: the first run reads everyone, later runs only what
changed. The next-page link is a checkpoint, so an interrupted sync resumes where it stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from domain.usage_records import DirectoryEntry

from .client import GraphClient

SELECT = ("id", "userPrincipalName", "displayName", "department", "officeLocation", "country",
          "preferredLanguage", "accountEnabled")
DELTA_START = "users/delta?$select=" + ",".join(SELECT)
FIELD_OF = {"userPrincipalName": "upn", "displayName": "name", "department": "department",
            "officeLocation": "office", "country": "country",
            "preferredLanguage": "preferred_language", "accountEnabled": "enabled"}


@dataclass(frozen=True)
class DirectoryUser:
    """One user of a page: the domain's entry (`removed`: delta "@removed") and which of its
    fields the answer carried (a delta round names only what changed)."""

    entry: DirectoryEntry
    present: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def removed(self) -> bool:
        return self.entry.removed


@dataclass(frozen=True)
class DirectoryPage:
    users: list[DirectoryUser]
    next_link: str | None  # more pages of this round
    delta_link: str | None  # the round is complete: start here next time


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_user(item: dict[str, Any]) -> DirectoryUser | None:
    user_id = _text(item.get("id"))
    if not user_id:
        return None
    if "@removed" in item:
        return DirectoryUser(DirectoryEntry(user_id, removed=True))
    enabled = item.get("accountEnabled")
    return DirectoryUser(DirectoryEntry(
        id=user_id, upn=_text(item.get("userPrincipalName")).casefold(),
        name=_text(item.get("displayName")), department=_text(item.get("department")),
        office=_text(item.get("officeLocation")), country=_text(item.get("country")),
        preferred_language=_text(item.get("preferredLanguage")),
        enabled=enabled if isinstance(enabled, bool) else True),
        present=frozenset(FIELD_OF[key] for key in item if key in FIELD_OF))


async def delta_pages(graph: GraphClient, start: str | None) -> AsyncIterator[DirectoryPage]:
    """Pages from `start` (a stored next or delta link), or a full read when None."""
    async for page in graph.pages(start or DELTA_START):
        items = page.get("value") if isinstance(page.get("value"), list) else []
        users = [u for u in (parse_user(i) for i in items if isinstance(i, dict)) if u]
        yield DirectoryPage(users, page.get("@odata.nextLink"), page.get("@odata.deltaLink"))
