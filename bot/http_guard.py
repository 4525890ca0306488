"""What /api/messages accepts as a body: bounded in size, time and depth, JSON, shaped like an
activity, in the Bot Framework's own (camelCase) spelling. Everything else is a 4xx here, before
the Agents SDK sees it (the SDK answers 500 to several of these shapes).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.service_url import parse_service_url

MAX_DEPTH = 64  # cards and channel data nest a dozen levels; nothing legitimate nests 64

# The SDK's Activity also accepts its Python field names (channel_id for channelId, ...). Only the
# wire spelling is trusted: a second spelling could carry a second channel or service URL.
PYTHON_SPELLINGS = frozenset(
    name for name, info in Activity.model_fields.items() if info.alias and info.alias != name)


SDK_ACTIVITY_LOGGER = "microsoft_agents.activity.activity"


class _DropValidationErrors(logging.Filter):
    """The SDK logs every invalid activity at ERROR with the sender's text and a traceback;
    the edge answers 400 with the field names instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")


def quiet_sdk_validation_log() -> None:
    sdk_logger = logging.getLogger(SDK_ACTIVITY_LOGGER)
    if not any(isinstance(f, _DropValidationErrors) for f in sdk_logger.filters):
        sdk_logger.addFilter(_DropValidationErrors())


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


async def read_json(request: web.Request, max_bytes: int, read_seconds: float) -> Any:
    """The parsed JSON body, or BadRequest (413 too big, 415 not JSON, 408 too slow, 400 bad)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise BadRequest(413, f"the body is larger than {max_bytes} bytes")
    if request.content_type != "application/json":
        raise BadRequest(415, "send the activity as application/json")
    try:
        raw = await asyncio.wait_for(request.read(), read_seconds)  # aiohttp answers 413 past client_max_size
    except asyncio.TimeoutError:
        raise BadRequest(408, f"the body did not arrive within {read_seconds:g} seconds") from None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body is not valid JSON") from None
    except RecursionError:
        raise BadRequest(400, f"the body nests deeper than {MAX_DEPTH} levels") from None
    if _too_deep(body):
        raise BadRequest(400, f"the body nests deeper than {MAX_DEPTH} levels")
    return body


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def activity_problem(body: Any) -> str | None:
    """Why this JSON is not an activity we can take, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (an activity)"
    spelled = sorted(PYTHON_SPELLINGS.intersection(body))
    if spelled:
        return f"unknown fields: {', '.join(spelled[:5])} (use the Bot Framework spelling)"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "'type' must be a non-empty string"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str) or not conversation["id"]:
        return "'conversation' must be an object with a string 'id'"
    sender = body.get("from")
    if not isinstance(sender, dict) or not isinstance(sender.get("id"), str) or not sender["id"]:
        return "'from' must be an object with a string 'id'"  # the SDK's turn state needs it
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str) or not recipient["id"]:
        return "'recipient' must be an object with a string 'id'"  # every reply is addressed from it
    if not isinstance(body.get("channelId"), str) or not body["channelId"]:  # the SDK keys its state by it
        return "'channelId' must be a non-empty string"
    if parse_service_url(body.get("serviceUrl")) is None:  # the SDK needs it for every turn
        return "'serviceUrl' must be an absolute https URL"
    return None


def parse_activity(body: Any) -> Activity:
    """The SDK Activity for a body, or BadRequest(400)."""
    problem = activity_problem(body)
    if problem:
        raise BadRequest(400, problem)
    try:
        return Activity.model_validate(body)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})[:5]
        raise BadRequest(400, f"the activity has invalid fields: {', '.join(fields)}") from None
    except Exception:  # the SDK's own validators raise TypeError, even a bare Exception
        raise BadRequest(400, "the activity has invalid fields") from None
