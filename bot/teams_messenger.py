"""Every proactive message of the bot (campaign cards, triage replies, the weekly digest) over
the Bot Connector REST API, on one shared aiohttp session.

Why not the SDK's `app.proactive.send_activity`: it builds a TurnContext and a new
`TeamsConnectorClient` (a new aiohttp ClientSession, so a new TCP + TLS connection) for every
message, deep-copies the activity, and reports failures as `aiohttp.ClientResponseError`
raised from inside the turn. At 50 messages/s a pooled session matters, and the campaign
sender needs the status, Retry-After and error body of every answer as values. The token is
the SDK's own: the connection manager's token provider for the service URL, as the SDK's
connector client gets it.

What an answer means is `domain.messaging.verdict` (429/412/500/503 retry, 502/504/timeout
unknown, 403 MessageWritesBlocked blocked, 404 conversation gone). `send` reports it as a
value (the campaign sender applies its own rate, lease and retry rules); `send_card` is one
message to one worker (triage replies, the digest) with the same rules applied here: 429
waits Retry-After, retryable answers back off, an unknown outcome is resent once, a gone
conversation is re-created once, and anything else raises NotReachable.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from microsoft_agents.hosting.core import ClaimsIdentity, Connections

from bot.settings import Settings
from domain.messaging import NO_ANSWER, SendOutcome, Verdict, verdict
from domain.models import Worker
from domain.rate_limit import backoff

log = logging.getLogger(__name__)

TokenSource = Callable[[str], Awaitable[str]]  # service url -> bearer token ("" = none)
BOT_FRAMEWORK = "https://api.botframework.com"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_BODY = 2048
CARD_ATTEMPTS = 4  # send_card: tries of one message before NotReachable
CARD_RETRY_AFTER_CAP = 30.0  # send_card: the longest Retry-After it waits out


class NotReachable(Exception):
    """The card could not be delivered: no stored conversation, or the channel refused."""


def card_message(card: dict[str, Any]) -> dict[str, Any]:
    """An Adaptive Card as a message activity (JSON)."""
    return {"type": "message",
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}


def sdk_token_source(connections: Connections, client_id: str) -> TokenSource:
    """Tokens from the SDK's connection manager, chosen the way the SDK chooses them for its
    own connector client (claims of this bot, the service URL); MSAL caches them."""
    identity = ClaimsIdentity({"aud": client_id, "appid": client_id}, "Bearer")

    async def token(service_url: str) -> str:
        provider = connections.get_token_provider(identity, service_url)
        return await provider.get_access_token(BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])
    return token


async def no_token(service_url: str) -> str:
    return ""  # anonymous local mode (the playground, the simulator)


def connector_session() -> aiohttp.ClientSession:
    """A session without a connection cap: a request queued for a pooled connection would
    leave later than the rate limiter let it, in bursts that Teams counts as one."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, limit_per_host=0))


def messenger_for(settings: Settings, connections: Connections) -> ConnectorMessenger:
    """The bot's messenger: the SDK's tokens when auth is on, none in anonymous local mode."""
    token = (sdk_token_source(connections, settings.client_id) if settings.auth_enabled
             else no_token)
    return ConnectorMessenger(token=token, timeout_seconds=settings.teams_send_timeout_seconds)


class ConnectorMessenger:
    """`session`: a caller-owned session (tests, the benchmark); without one the messenger
    opens its own on first use and `close()` closes it."""

    def __init__(self, session: aiohttp.ClientSession | None = None,
                 token: TokenSource = no_token, timeout_seconds: float = 15.0,
                 rng: random.Random | None = None):
        self._session = session
        self._owns_session = session is None
        self._token = token
        self._rng = rng or random.Random()
        # No total: time spent before the request is written is not "no answer".
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=min(5.0, timeout_seconds),
                                              sock_read=timeout_seconds)

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

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

    async def send_card(self, worker: Worker, card: dict[str, Any]) -> str | None:
        """Deliver `card` to the worker's 1:1 chat; returns the channel's activity id.
        Raises NotReachable (never an SDK or HTTP error)."""
        if not worker.installed or not worker.conversation.get("serviceUrl"):
            raise NotReachable("the worker has no 1:1 chat with the bot")
        reference, activity = worker.conversation, card_message(card)
        recreated = resent = False
        for attempt in range(1, CARD_ATTEMPTS + 1):
            outcome = await self.send(reference, activity)
            result = verdict(outcome.status, outcome.body) if outcome.went_out else Verdict.RETRY
            if result is Verdict.SENT:
                return outcome.activity_id
            if result is Verdict.BLOCKED:
                raise NotReachable("the worker blocked the bot (403 MessageWritesBlocked)")
            if result is Verdict.GONE and not recreated:
                recreated = True
                _, fresh = await self.create_conversation(reference)
                if fresh is None:
                    raise NotReachable("the conversation is gone and could not be re-created")
                reference = fresh
                continue
            if result is Verdict.UNKNOWN and resent:
                raise NotReachable(f"no clear answer twice (HTTP {outcome.status})")
            if result in (Verdict.GONE, Verdict.FAILED):
                raise NotReachable(f"the channel refused the message (HTTP {outcome.status})")
            resent = resent or result is Verdict.UNKNOWN
            if attempt < CARD_ATTEMPTS:
                await asyncio.sleep(self._pause(outcome, attempt))
        raise NotReachable(f"gave up after {CARD_ATTEMPTS} attempts")

    def _pause(self, outcome: SendOutcome, attempt: int) -> float:
        if outcome.status == 429 and outcome.retry_after is not None:
            return min(outcome.retry_after, CARD_RETRY_AFTER_CAP)
        return backoff(attempt, base=0.5, cap=5.0, jitter=self._rng.random())

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = connector_session()
        return self._session

    async def _headers(self, service_url: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if token := await self._token(service_url):
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def _post(self, url: str, service_url: str, body: dict[str, Any]) -> SendOutcome:
        try:
            headers = await self._headers(service_url)
        except Exception as exc:  # no outbound token (Entra down): nothing left, try later
            log.warning("no outbound token for a proactive message (%s)", type(exc).__name__)
            return SendOutcome(NO_ANSWER, went_out=False)
        try:
            async with self._session_now().post(url, json=body, headers=headers,
                                                timeout=self._timeout) as response:
                text = (await response.text())[:MAX_BODY]
                return SendOutcome(response.status, _retry_after(response.headers), text,
                                   _resource_id(text) if response.status < 300 else None)
        except aiohttp.InvalidURL:  # a stored reference we cannot use: nothing went out
            return SendOutcome(400, body="the stored service URL is not a URL")
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
