"""Token signing keys from OpenID metadata documents, one key set per document.

Each document names its issuer; its keys verify tokens of that issuer only. Keys are
refetched after a day (or when an unknown key id shows up, at most once a minute) and are
dropped when no fetch has succeeded for `max_key_age_seconds`: then tokens fail closed.
Documents and their `jwks_uri` must be https (plain http only on a loopback address).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
from yarl import URL

from bot.settings import is_loopback

logger = logging.getLogger(__name__)

KEY_CACHE_SECONDS = 24 * 3600
MAX_KEY_AGE_SECONDS = 5 * 24 * 3600
MIN_SECONDS_BETWEEN_REFRESHES = 60
FETCH_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SigningKey:
    key: Any  # a cryptography RSA public key
    endorsements: frozenset[str] | None  # channels this key may sign for; None = not listed


@dataclass
class KeySource:
    """What one metadata document gave us at its last successful fetch."""

    issuer: str = ""
    keys: dict[str, SigningKey] = field(default_factory=dict)
    fetched_at: float | None = None


def secure_url_problem(url: str) -> str | None:
    """Why a key or metadata URL must not be trusted, or None (https, or http on loopback)."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return "is not a URL"
    if not parsed.absolute or not parsed.host:
        return "is not an absolute URL"
    if parsed.scheme == "https" or (parsed.scheme == "http" and is_loopback(parsed.host)):
        return None
    return "must use https"


class KeyRing:
    """The signing keys of every configured metadata document, fetched with aiohttp."""

    def __init__(
        self,
        metadata_urls: tuple[str, ...],
        session: aiohttp.ClientSession | None = None,
        *,
        key_cache_seconds: float = KEY_CACHE_SECONDS,
        max_key_age_seconds: float = MAX_KEY_AGE_SECONDS,
        min_seconds_between_refreshes: float = MIN_SECONDS_BETWEEN_REFRESHES,
        fetch_timeout_seconds: float = FETCH_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for url in metadata_urls:
            problem = secure_url_problem(url)
            if problem:
                raise ValueError(f"OpenID metadata URL {url} {problem}")
        self.metadata_urls = metadata_urls
        self._session = session
        self._owns_session = session is None
        self._key_cache_seconds = key_cache_seconds
        self._max_key_age_seconds = max_key_age_seconds
        self._min_seconds_between_refreshes = min_seconds_between_refreshes
        self._timeout = aiohttp.ClientTimeout(total=fetch_timeout_seconds)
        self._clock = clock
        self._sources: dict[str, KeySource] = {}
        self._last_refresh_attempt: float | None = None
        self._refresh_lock = asyncio.Lock()

    async def close(self) -> None:
        """Closes the HTTP session if this ring created it (a passed-in session is left open)."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def key_for(self, issuer: str, kid: str) -> SigningKey | None:
        """The key `kid` of the document whose issuer is `issuer`; refreshes when needed.
        Raises LookupError when no document has usable keys (fail closed)."""
        if self._find(issuer, kid) is None or self._stale():
            await self._refresh()
        if not self._usable_sources():
            raise LookupError("no signing keys")
        return self._find(issuer, kid)

    def _usable_sources(self) -> list[KeySource]:
        now = self._clock()
        return [source for source in self._sources.values()
                if source.fetched_at is not None and now - source.fetched_at < self._max_key_age_seconds
                and source.keys]

    def _find(self, issuer: str, kid: str) -> SigningKey | None:
        for source in self._usable_sources():
            if source.issuer == issuer and kid in source.keys:
                return source.keys[kid]
        return None

    def _stale(self) -> bool:
        now = self._clock()
        return any(url not in self._sources or now - (self._sources[url].fetched_at or 0) >= self._key_cache_seconds
                   for url in self.metadata_urls)

    async def _refresh(self) -> None:
        """Refetches every document, at most once per min_seconds_between_refreshes (failed tries count)."""
        async with self._refresh_lock:
            now = self._clock()
            if (self._last_refresh_attempt is not None
                    and now - self._last_refresh_attempt < self._min_seconds_between_refreshes):
                return
            self._last_refresh_attempt = now
            for url in self.metadata_urls:
                try:
                    self._sources[url] = await self._fetch(url, now)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as error:
                    # keep this source's previous keys until they are too old
                    logger.warning("Could not fetch signing keys from %s: %s", url, type(error).__name__)

    async def _fetch(self, metadata_url: str, now: float) -> KeySource:
        metadata = await self._get_json(metadata_url)
        issuer, jwks_uri = metadata["issuer"], metadata["jwks_uri"]
        if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
            raise ValueError("issuer and jwks_uri must be strings")
        if secure_url_problem(jwks_uri):
            raise ValueError("jwks_uri must use https")
        jwks = await self._get_json(jwks_uri)
        keys: dict[str, SigningKey] = {}
        for jwk in jwks["keys"]:
            parsed = parse_jwk(jwk)
            if parsed is not None:
                keys[jwk["kid"]] = parsed
        return KeySource(issuer, keys, now)

    async def _get_json(self, url: str) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        async with self._session.get(url, timeout=self._timeout, allow_redirects=False) as response:
            response.raise_for_status()
            document = await response.json(content_type=None)
        if not isinstance(document, dict):
            raise ValueError("expected a JSON object")
        return document


def parse_jwk(jwk: Any) -> SigningKey | None:
    """An RSA signing key from a JWKS entry, or None for entries we cannot or must not use."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
        return None
    if not isinstance(jwk.get("kid"), str):
        return None
    try:
        key = jwt.PyJWK(jwk, algorithm="RS256").key
    except jwt.PyJWTError:
        return None
    endorsements = jwk.get("endorsements")
    if isinstance(endorsements, list):
        return SigningKey(key, frozenset(e for e in endorsements if isinstance(e, str)))
    return SigningKey(key, None)
