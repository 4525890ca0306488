"""Triage of the feedback inbox: status `new -> triaged -> done`, an assignee, internal notes,
one reply to the worker, and an audit entry (who, what, when) for every admin change.

`apply_change` is the only place that decides whether a change is allowed; the stores keep the
resulting `Triage` with optimistic concurrency (the version it was read at), so a second admin
editing the same item gets a conflict instead of overwriting the first one's change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import Field

from .models import Feedback, FeedbackCategory, FeedbackStatus, Record

MAX_NOTE = 2000
MAX_REPLY = 2000
MAX_PAGE = 100

# Allowed moves: forward, or reopen a done item (back to triaged).
TRANSITIONS: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.NEW: frozenset({FeedbackStatus.TRIAGED, FeedbackStatus.DONE}),
    FeedbackStatus.TRIAGED: frozenset({FeedbackStatus.DONE}),
    FeedbackStatus.DONE: frozenset({FeedbackStatus.TRIAGED}),
}


class AuditAction(StrEnum):
    STATUS = "status"
    ASSIGNEE = "assignee"
    NOTE = "note"
    REPLY = "reply"


class AuditEntry(Record):
    actor: str  # the admin's id
    at: datetime
    action: AuditAction
    value: str  # the new status / assignee ("" = unassigned) / the note or reply text


class TriageNote(Record):
    author: str
    at: datetime
    text: str


class TriageReply(Record):
    author: str
    at: datetime
    text: str


class Triage(Record):
    """What admins did with one feedback item. Version 0: nothing yet (not stored)."""

    feedback_id: str
    worker_id: str | None  # the submitter, copied from the feedback (None: anonymous)
    status: FeedbackStatus = FeedbackStatus.NEW
    assignee: str | None = None
    notes: list[TriageNote] = Field(default_factory=list)
    reply: TriageReply | None = None
    audit: list[AuditEntry] = Field(default_factory=list)
    version: int = 0
    updated_at: datetime | None = None


def untouched(feedback: Feedback) -> Triage:
    return Triage(feedback_id=feedback.id, worker_id=feedback.worker_id)


class InboxItem(NamedTuple):
    feedback: Feedback
    triage: Triage


class InboxPage(NamedTuple):
    items: list[InboxItem]
    cursor: str | None  # of the next page; None after the last


_UNSET = object()


@dataclass(frozen=True)
class TriageChange:
    """What one admin request changes; fields left at their default change nothing."""

    status: FeedbackStatus | None = None
    assignee: object = _UNSET  # str, or None to unassign
    note: str | None = None
    reply: str | None = None

    @property
    def assigns(self) -> bool:
        return self.assignee is not _UNSET

    def is_empty(self) -> bool:
        return self.status is None and not self.assigns and self.note is None and self.reply is None


class Refusal(StrEnum):
    NOTHING_TO_CHANGE = "nothing_to_change"
    BAD_TRANSITION = "bad_transition"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "too_long"
    ANONYMOUS = "anonymous"  # no submitter: nobody to reply to
    ALREADY_REPLIED = "already_replied"


class TriageRefused(Exception):
    def __init__(self, refusal: Refusal, detail: str):
        super().__init__(detail)
        self.refusal = refusal


def apply_change(triage: Triage, change: TriageChange, actor: str, at: datetime) -> Triage:
    """`triage` after `change` by `actor`, with an audit entry per field changed. The version is
    left as read: the store bumps it when it writes. Raises TriageRefused."""
    if change.is_empty():
        raise TriageRefused(Refusal.NOTHING_TO_CHANGE, "the request changes nothing")
    new = triage.model_copy(deep=True)
    entries: list[AuditEntry] = []
    if change.status is not None and change.status != new.status:
        if change.status not in TRANSITIONS[new.status]:
            raise TriageRefused(Refusal.BAD_TRANSITION,
                                f"status cannot go from {new.status} to {change.status}")
        new.status = change.status
        entries.append(AuditEntry(actor=actor, at=at, action=AuditAction.STATUS,
                                  value=change.status.value))
    if change.assigns and change.assignee != new.assignee:
        new.assignee = change.assignee  # type: ignore[assignment]
        entries.append(AuditEntry(actor=actor, at=at, action=AuditAction.ASSIGNEE,
                                  value=new.assignee or ""))
    if change.note is not None:
        text = _text(change.note, MAX_NOTE, "note")
        new.notes.append(TriageNote(author=actor, at=at, text=text))
        entries.append(AuditEntry(actor=actor, at=at, action=AuditAction.NOTE, value=text))
    if change.reply is not None:
        if new.worker_id is None:
            raise TriageRefused(Refusal.ANONYMOUS,
                                "the item was sent anonymously: there is nobody to reply to")
        if new.reply is not None:
            raise TriageRefused(Refusal.ALREADY_REPLIED, "the worker has had a reply already")
        text = _text(change.reply, MAX_REPLY, "reply")
        new.reply = TriageReply(author=actor, at=at, text=text)
        entries.append(AuditEntry(actor=actor, at=at, action=AuditAction.REPLY, value=text))
    if not entries:
        raise TriageRefused(Refusal.NOTHING_TO_CHANGE, "the item is like that already")
    new.audit.extend(entries)
    new.updated_at = at
    return new


def _text(text: str, limit: int, what: str) -> str:
    text = text.strip()
    if not text:
        raise TriageRefused(Refusal.EMPTY_TEXT, f"the {what} is empty")
    if len(text) > limit:
        raise TriageRefused(Refusal.TOO_LONG, f"the {what} is longer than {limit} characters")
    return text


@dataclass(frozen=True)
class InboxFilter:
    status: FeedbackStatus | None = None
    category: FeedbackCategory | None = None
    module_id: str | None = None
    rating: int | None = None
    locale: str | None = None  # the language the worker wrote in (en, sv, nl)
    since: datetime | None = None  # created_at >= since
    until: datetime | None = None  # created_at < until

    def matches(self, item: InboxItem) -> bool:
        f = item.feedback
        return ((self.status is None or item.triage.status == self.status)
                and (self.category is None or f.category == self.category)
                and (self.module_id is None or f.module_id == self.module_id)
                and (self.rating is None or f.rating == self.rating)
                and (self.locale is None or f.locale == self.locale)
                and (self.since is None or f.created_at >= self.since)
                and (self.until is None or f.created_at < self.until))


def sort_key(item: InboxItem) -> tuple[datetime, str]:
    return item.feedback.created_at, item.feedback.id


def encode_cursor(item: InboxItem) -> str:
    return f"{item.feedback.created_at.isoformat()}|{item.feedback.id}"


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError for a cursor this module did not make."""
    moment, sep, feedback_id = cursor.partition("|")
    parsed = datetime.fromisoformat(moment)
    if not sep or parsed.tzinfo is None:
        raise ValueError("not an inbox cursor")
    return parsed, feedback_id


def page_of(items: list[InboxItem], flt: InboxFilter, cursor: str | None,
            limit: int) -> InboxPage:
    """Newest first, keyset-paged on (created_at, id), for stores that filter in Python."""
    after = decode_cursor(cursor) if cursor else None
    chosen = sorted((i for i in items if flt.matches(i) and (after is None or sort_key(i) < after)),
                    key=sort_key, reverse=True)
    page = chosen[:limit]
    return InboxPage(page, encode_cursor(page[-1]) if len(chosen) > limit else None)
