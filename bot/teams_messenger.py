"""Proactive messages over the Bot Connector REST API, on one shared aiohttp session.

Why not the SDK's `app.proactive.send_activity`: it builds a TurnContext and a new
`TeamsConnectorClient` (a new aiohttp ClientSession, so a new TCP + TLS connection) for every
message, deep-copies the activity, and reports failures as `aiohttp.ClientResponseError`
raised from inside the turn. At 50 messages/s a pooled session matters, and the campaign
sender needs the status, Retry-After and error body of every answer as values. The token is
the SDK's own: the connection manager's token provider, as the SDK's connector client uses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from domain.messaging import NO_ANSWER, SendOutcome

TokenSource = Callable[[str], Awaitable[str]]  # service url -> bearer token ("" = none)
BOT_FRAMEWORK = "https://api.botframework.com"
MAX_BODY = 2048


def sdk_token_source(connections: Any) -> TokenSource:
    """Tokens from the SDK's connection manager (MsalConnectionManager); MSAL caches them."""
    provider = connections.get_default_connection()

    async def token(service_url: str) -> str:
        return await provider.get_access_token(BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])
    return token


async def no_token(service_url: str) -> str:
    return ""  # anonymous local mode (the playground, the simulator)


def connector_session() -> aiohttp.ClientSession:
    """A session without a connection cap: a request queued for a pooled connection would
    leave later than the rate limiter let it, in bursts that Teams counts as one."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, limit_per_host=0))


class ConnectorMessenger:
    def __init__(self, session: aiohttp.ClientSession, token: TokenSource = no_token,
                 timeout_seconds: float = 15.0):
        self._session = session
        self._token = token
        # No total: time spent before the request is written is not "no answer".
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=min(5.0, timeout_seconds),
                                              sock_read=timeout_seconds)
        self.longest_request = 2 * min(5.0, timeout_seconds) + timeout_seconds  # connect+read

    async def send(self, conversation: dict[str, Any], activity: dict[str, Any]) -> SendOutcome:
        base = conversation.get("serviceUrl", "").rstrip("/")
        conversation_id = conversation.get("conversation", {}).get("id", "")
        url = f"{base}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        body = {**activity, "conversation": conversation.get("conversation"),
                "from": conversation.get("bot"), "recipient": conversation.get("user")}
        return await self._post(url, base, body)

    async def create_conversation(
            self, conversation: dict[str, Any]) -> tuple[SendOutcome, dict[str, Any] | None]:
        base = conversation.get("serviceUrl", "").rstrip("/")
        tenant = conversation.get("conversation", {}).get("tenantId", "")
        body = {"isGroup": False, "bot": conversation.get("bot"),
                "members": [conversation.get("user")], "tenantId": tenant,
                "channelData": {"tenant": {"id": tenant}}}
        outcome = await self._post(f"{base}/v3/conversations", base, body)
        if not 200 <= outcome.status < 300 or not outcome.activity_id:
            return outcome, None
        fresh = json.loads(json.dumps(conversation))
        fresh.setdefault("conversation", {})["id"] = outcome.activity_id
        return outcome, fresh

    async def _headers(self, service_url: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if token := await self._token(service_url):
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def _post(self, url: str, service_url: str, body: dict[str, Any]) -> SendOutcome:
        headers = await self._headers(service_url)
        try:
            async with self._session.post(url, json=body, headers=headers,
                                          timeout=self._timeout) as response:
                text = (await response.text())[:MAX_BODY]
                return SendOutcome(response.status, _retry_after(response.headers), text,
                                   _resource_id(text) if response.status < 300 else None)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            return SendOutcome(NO_ANSWER, went_out=False)  # never connected: nothing was sent
        except (asyncio.TimeoutError, aiohttp.ClientError):
            return SendOutcome(NO_ANSWER)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from Teams; the sender backs off instead


def _resource_id(text: str) -> str | None:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return None
    return data.get("id") if isinstance(data, dict) else None
