"""What the bot needs to send a proactive 1:1 message, as a protocol the edge implements
(bot/teams_messenger.py) and the campaign sender, triage replies and digests use; and what
each answer of the Teams connector means (`verdict`), the one place that decides it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

NO_ANSWER = 0  # status of a request that went out and got no answer (timeout, dropped)


@dataclass(frozen=True)
class SendOutcome:
    status: int  # the HTTP status Teams answered, or NO_ANSWER
    retry_after: float | None = None  # seconds, from a 429's Retry-After
    body: str = ""  # the error body (carries e.g. "MessageWritesBlocked"), at most 2 KB
    activity_id: str | None = None
    went_out: bool = True  # False: the request never left (no connection): safe to resend


class Messenger(Protocol):
    async def send(self, conversation: dict[str, Any], activity: dict[str, Any]) -> SendOutcome:
        """Post `activity` into the stored conversation reference."""
        ...

    async def create_conversation(
            self, conversation: dict[str, Any]) -> tuple[SendOutcome, dict[str, Any] | None]:
        """Re-create the 1:1 conversation of a stored reference (bot + user + tenant):
        Teams' answer, and the new reference when it succeeded."""
        ...


class Verdict(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # not delivered: try again after a backoff (412, 500, 503, 429)
    UNKNOWN = "unknown"  # may have been delivered (timeout, 502, 504)
    BLOCKED = "blocked"  # 403 MessageWritesBlocked: the worker blocked the bot
    GONE = "gone"  # 404 conversation not found: re-create the 1:1 conversation once
    FAILED = "failed"  # any other answer: won't get better by retrying


def verdict(status: int, body: str = "") -> Verdict:
    """What a Teams connector answer (0 = timeout / no answer) means for a delivery."""
    if 200 <= status < 300:
        return Verdict.SENT
    if status in (0, 502, 504):
        return Verdict.UNKNOWN
    if status in (412, 429, 500, 503):
        return Verdict.RETRY
    if status == 403 and "MessageWritesBlocked" in body:
        return Verdict.BLOCKED
    if status == 404:
        return Verdict.GONE
    return Verdict.FAILED
