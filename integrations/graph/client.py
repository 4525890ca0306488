"""One Graph HTTP client: bearer tokens, paging, throttling (429/503 with Retry-After)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from yarl import URL

log = logging.getLogger(__name__)

RETRYABLE = {429, 500, 502, 503, 504}


class TokenSource(Protocol):
    async def token(self) -> str: ...


class GraphError(Exception):
    """Graph answered with an error we cannot retry past (or retries ran out)."""

    def __init__(self, status: int, code: str, message: str):
        self.status = status
        self.code = code
        super().__init__(f"Graph answered {status} {code}: {message}".strip())


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_seconds: float = 1.0
    cap_seconds: float = 120.0  # the reports API asks for minutes at a time

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.cap_seconds)
        return min(self.cap_seconds, self.base_seconds * 2 ** attempt) * (0.5 + random.random() / 2)


def retry_after_seconds(headers: Any) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


async def _error(response: aiohttp.ClientResponse) -> GraphError:
    try:
        body = await response.json(content_type=None)
        error = body.get("error", {}) if isinstance(body, dict) else {}
    except (ValueError, aiohttp.ContentTypeError):
        error = {}
    return GraphError(response.status, str(error.get("code", "")), str(error.get("message", ""))[:300])


class GraphClient:
    def __init__(self, session: aiohttp.ClientSession, tokens: TokenSource, base_url: str,
                 retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self._session = session
        self._tokens = tokens
        self._base = base_url.rstrip("/")
        self._retry = retry
        self.sleep = sleep  # one injectable wait for everything paced through this client
        self.throttled = 0  # how many 429/503 answers were waited out

    def url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith(("https://", "http://")) else f"{self._base}/{path_or_url.lstrip('/')}"

    async def request(self, method: str, path_or_url: str, *, json: Any = None,
                      allow_redirects: bool = True, ok: tuple[int, ...] = ()) -> aiohttp.ClientResponse:
        """The response (caller releases it) once it is not retryable. Statuses in `ok` count as
        answers even when they are errors (e.g. 409 for an install that exists)."""
        url = URL(self.url(path_or_url), encoded=True)
        for attempt in range(self._retry.attempts):
            headers = {"Authorization": f"Bearer {await self._tokens.token()}"}
            try:
                response = await self._session.request(method, url, json=json, headers=headers,
                                                       allow_redirects=allow_redirects)
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                if attempt + 1 == self._retry.attempts:
                    raise GraphError(0, "unreachable", type(exc).__name__) from exc
                await self.sleep(self._retry.backoff(attempt, None))
                continue
            if response.status < 400 or response.status in ok:
                return response
            if response.status in RETRYABLE and attempt + 1 < self._retry.attempts:
                wait = self._retry.backoff(attempt, retry_after_seconds(response.headers))
                response.release()
                self.throttled += 1
                log.info("Graph %s on %s; retrying in %.1f s", response.status, url.path, wait)
                await self.sleep(wait)
                continue
            error = await _error(response)
            response.release()
            raise error
        raise AssertionError("unreachable")  # the loop returns or raises

    async def get_json(self, path_or_url: str) -> dict[str, Any]:
        response = await self.request("GET", path_or_url)
        async with response:
            body = await response.json(content_type=None)
        if not isinstance(body, dict):
            raise GraphError(response.status, "badResponse", "the answer is not a JSON object")
        return body

    async def pages(self, path_or_url: str) -> AsyncIterator[dict[str, Any]]:
        """Each page of a collection, following @odata.nextLink."""
        next_url: str | None = path_or_url
        while next_url:
            page = await self.get_json(next_url)
            yield page
            next_url = page.get("@odata.nextLink")
