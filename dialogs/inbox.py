"""Admin work on the feedback inbox: change an item's triage, and reply to its worker.

The store write comes first (with the version the admin read: a second admin gets
ConcurrencyConflict and nothing is overwritten), then the reply card goes to the worker's 1:1
chat in their language. A reply that could not be delivered stays recorded; the caller is told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.content import Catalog
from bot.i18n import Texts, language_for
from bot.store.port import Store
from cards.inbox import reply_card
from domain.models import Worker
from domain.triage import InboxItem, TriageChange, apply_change

SendCard = Callable[[Worker, dict], Awaitable[object]]  # raises on failure


class ItemNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ReplyResult:
    item: InboxItem
    delivered: bool
    problem: str = ""  # why it was not delivered


class Inbox:
    """The inbox flows bound to one store, catalog and messenger (what the web API calls)."""

    def __init__(self, store: Store, catalog: Catalog, send: SendCard):
        self.store, self._catalog, self._send = store, catalog, send

    async def change(self, feedback_id: str, change: TriageChange, expected_version: int,
                     actor: str, now: datetime) -> InboxItem:
        return await change_item(self.store, feedback_id, change, expected_version, actor, now)

    async def reply(self, feedback_id: str, text: str, expected_version: int, actor: str,
                    now: datetime) -> ReplyResult:
        return await reply_to_worker(self.store, self._catalog, self._send, feedback_id, text,
                                     expected_version, actor, now)


async def change_item(store: Store, feedback_id: str, change: TriageChange,
                      expected_version: int, actor: str, now: datetime) -> InboxItem:
    """Raises ItemNotFound, TriageRefused, ConcurrencyConflict."""
    item = await store.triage.get_item(feedback_id)
    if item is None:
        raise ItemNotFound(feedback_id)
    # Rules are checked against the item as stored; the version check is the store's.
    changed = apply_change(item.triage, change, actor, now)
    saved = await store.triage.save_triage(changed, expected_version)
    return InboxItem(item.feedback, saved)


async def reply_to_worker(store: Store, catalog: Catalog, send: SendCard, feedback_id: str,
                          text: str, expected_version: int, actor: str,
                          now: datetime) -> ReplyResult:
    item = await change_item(store, feedback_id, TriageChange(reply=text), expected_version,
                             actor, now)
    worker = await store.workers.get_worker(item.feedback.worker_id or "")
    if worker is None:
        return ReplyResult(item, False, "the worker is no longer known to the bot")
    texts = Texts(catalog, language_for(worker.teams_locale, worker.language), worker.teams_locale)
    assert item.triage.reply is not None
    try:
        await send(worker, reply_card(texts, item.feedback, item.triage.reply))
    except Exception as exc:  # the messenger says why as NotReachable
        return ReplyResult(item, False, str(exc))
    return ReplyResult(item, True)
