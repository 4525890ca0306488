"""What a 1:1 turn learns about the worker for their registration: the display name and UPN
from Teams' member lookup (asked only when the registration is new or changed), the IANA
time zone from the activity's `clientInfo` entity, and when a stored registration is still
current."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext

from domain.models import Worker
from domain.schedule import is_zone

log = logging.getLogger(__name__)

MEMBER_LOOKUP_SECONDS = 3.0
MAX_UPN = 256


@dataclass(frozen=True)
class Member:
    name: str = ""
    upn: str | None = None


async def member_lookup(context: TurnContext) -> Member:
    """Ask Teams for the sender's display name and UPN (`userPrincipalName`); a nicety: an
    empty Member when the lookup fails (the welcome works without the name)."""
    client = context.services.get(ConnectorClientBase)
    activity = context.activity
    if client is None or not activity.from_property or not activity.conversation:
        return Member()
    try:
        member = await asyncio.wait_for(client.conversations.get_conversation_member(
            activity.conversation.id, activity.from_property.id), MEMBER_LOOKUP_SECONDS)
    except Exception as exc:
        log.info("member lookup failed (%s)", type(exc).__name__)
        return Member()
    extra = getattr(member, "model_extra", None) or {}
    return Member((getattr(member, "name", None) or "").strip(),
                  clean_upn(extra.get("userPrincipalName")))


def clean_upn(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= MAX_UPN and "@" in value and " " not in value else None


def client_time_zone(activity: Activity) -> str | None:
    """The IANA zone of the Teams client (`clientInfo` entity, `timezone`), if it is one."""
    for entity in activity.entities or []:
        if getattr(entity, "type", None) != "clientInfo":
            continue
        value = (getattr(entity, "model_extra", None) or {}).get("timezone")
        if isinstance(value, str) and 0 < len(value) <= 64 and is_zone(value):
            return value
    return None


def registration_key(worker: Worker) -> tuple:
    """What a turn compares to decide whether the stored registration is still current."""
    return (worker.name, worker.teams_locale, worker.tenant_id,
            worker.conversation.get("conversation", {}).get("id"),
            worker.conversation.get("serviceUrl"), worker.time_zone)
