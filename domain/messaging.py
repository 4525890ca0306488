"""What the bot needs to send a proactive 1:1 message, as a protocol the edge implements
(bot/teams_messenger.py) and the campaign sender, triage replies and digests use."""

from __future__ import annotations

from dataclasses import dataclass
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
