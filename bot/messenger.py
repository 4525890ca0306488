"""Proactive cards into a worker's 1:1 chat: the stored conversation reference (saved when
they installed the bot or last wrote) through the SDK's proactive API (`app.proactive`, which
works in anonymous local mode too, unlike `adapter.continue_conversation`).

One module for every proactive card of the bot (triage replies, the weekly digest)."""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment, ConversationReference
from microsoft_agents.hosting.core import AgentApplication, ChannelServiceAdapter
from microsoft_agents.hosting.core.app.proactive import Conversation
from pydantic import ValidationError

from domain.models import Worker

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class NotReachable(Exception):
    """The card could not be delivered: no stored conversation, or the channel refused."""


def card_activity(card: dict, activity_id: str | None = None) -> Activity:
    activity = Activity(type=ActivityTypes.message,
                        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)])
    if activity_id:
        activity.id = activity_id
    return activity


class Messenger:
    def __init__(self, app: AgentApplication[Any], adapter: ChannelServiceAdapter,
                 bot_client_id: str = ""):
        self._app = app
        self._adapter = adapter
        self._client_id = bot_client_id  # "" in anonymous local mode

    async def send_card(self, worker: Worker, card: dict) -> str | None:
        """Deliver `card` to the worker's 1:1 chat; returns the channel's activity id.
        Raises NotReachable (never an SDK or HTTP error)."""
        if not worker.installed or not worker.conversation:
            raise NotReachable("the worker has no 1:1 chat with the bot")
        try:
            reference = ConversationReference.model_validate(worker.conversation)
        except ValidationError:
            raise NotReachable("the stored conversation reference is not valid") from None
        claims = ({"aud": self._client_id, "appid": self._client_id, "tid": worker.tenant_id}
                  if self._client_id else {})
        try:
            sent = await self._app.proactive.send_activity(
                self._adapter, Conversation(claims, reference), card_activity(card))
        except Exception as exc:  # the channel's or the SDK's error: reported as a value
            log.warning("proactive card not delivered (%s)", type(exc).__name__)
            raise NotReachable(f"the channel refused the message ({type(exc).__name__})") from None
        return getattr(sent, "id", None)
