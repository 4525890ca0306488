"""Bot Framework JWT validation for POST /api/messages.

The SDK's JwtTokenValidator hard-codes the JWKS endpoints and fetches them with blocking
HTTP in a thread; this one reads the OpenID metadata URLs from Settings and fetches with
aiohttp. Nothing here logs a token or a secret.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from bot.settings import Settings

logger = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ACCEPTED_ALGORITHMS = ("RS256",)
CLOCK_SKEW_SECONDS = 300
KEY_CACHE_SECONDS = 24 * 3600
MIN_SECONDS_BETWEEN_REFRESHES = 60
FETCH_TIMEOUT_SECONDS = 10
AUTHENTICATION_TYPE = "Bearer"


class AuthError(Exception):
    """The request is not authenticated (HTTP 401). The message is safe to return to the client."""

    status = 401


@dataclass(frozen=True)
class SigningKey:
    key: Any  # a cryptography RSA public key
    endorsements: frozenset[str] | None  # channels this key may sign for; None = not listed


def accepted_issuers(settings: Settings) -> tuple[str, ...]:
    if settings.token_issuers:
        return tuple(settings.token_issuers)
    issuers = [BOT_FRAMEWORK_ISSUER]
    if settings.tenant_id:
        issuers += [
            f"https://sts.windows.net/{settings.tenant_id}/",
            f"https://login.microsoftonline.com/{settings.tenant_id}/v2.0",
        ]
    return tuple(issuers)


class TokenValidator:
    """Validates the `Authorization: Bearer <jwt>` header of incoming Bot Framework activities."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession | None = None,
        *,
        key_cache_seconds: float = KEY_CACHE_SECONDS,
        min_seconds_between_refreshes: float = MIN_SECONDS_BETWEEN_REFRESHES,
        fetch_timeout_seconds: float = FETCH_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settings.client_id:
            raise ValueError("TokenValidator needs settings.client_id")
        self.audience = settings.client_id
        self.issuers = accepted_issuers(settings)
        self.metadata_urls = tuple(settings.openid_metadata)
        self._session = session
        self._owns_session = session is None
        self._key_cache_seconds = key_cache_seconds
        self._min_seconds_between_refreshes = min_seconds_between_refreshes
        self._timeout = aiohttp.ClientTimeout(total=fetch_timeout_seconds)
        self._clock = clock
        self._keys_by_source: dict[str, dict[str, SigningKey]] = {}
        self._keys_fetched_at: float | None = None
        self._last_refresh_attempt: float | None = None
        self._refresh_lock = asyncio.Lock()

    async def close(self) -> None:
        """Closes the HTTP session if this validator created it (a passed-in session is left open)."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def validate(self, authorization_header: str | None, channel_id: str | None = None) -> dict[str, Any]:
        """Returns the verified claims of the bearer token, or raises AuthError."""
        try:
            return await self._validate(authorization_header, channel_id)
        except AuthError as error:
            logger.info("Rejected bot request: %s", error)
            raise

    async def _validate(self, authorization_header: str | None, channel_id: str | None) -> dict[str, Any]:
        token = bearer_token(authorization_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("Malformed token.") from None
        if header.get("alg") not in ACCEPTED_ALGORITHMS:
            raise AuthError("Token algorithm not accepted.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("Token has no key id.")

        signing_key = await self._signing_key(kid)
        try:
            claims = jwt.decode(
                token,
                key=signing_key.key,
                algorithms=list(ACCEPTED_ALGORITHMS),
                audience=self.audience,
                issuer=self.issuers,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"], "strict_aud": True},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("Token expired.") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("Token not yet valid.") from None
        except jwt.InvalidAudienceError:
            raise AuthError("Token audience not accepted.") from None
        except jwt.InvalidIssuerError:
            raise AuthError("Token issuer not accepted.") from None
        except jwt.InvalidSignatureError:
            raise AuthError("Token signature invalid.") from None
        except jwt.PyJWTError:
            raise AuthError("Token invalid.") from None

        if channel_id and signing_key.endorsements is not None and channel_id not in signing_key.endorsements:
            raise AuthError("Token signing key not endorsed for this channel.")
        return claims

    async def _signing_key(self, kid: str) -> SigningKey:
        if self._find_key(kid) is None or self._keys_expired():
            await self._refresh_keys()
        key = self._find_key(kid)
        if key is None:
            if not any(self._keys_by_source.values()):
                raise AuthError("Signing keys unavailable.")
            raise AuthError("Token signing key unknown.")
        return key

    def _find_key(self, kid: str) -> SigningKey | None:
        for keys in self._keys_by_source.values():
            if kid in keys:
                return keys[kid]
        return None

    def _keys_expired(self) -> bool:
        return self._keys_fetched_at is None or self._clock() - self._keys_fetched_at >= self._key_cache_seconds

    async def _refresh_keys(self) -> None:
        """Refetches metadata and keys, at most once per min_seconds_between_refreshes (failed tries count)."""
        async with self._refresh_lock:
            now = self._clock()
            if (self._last_refresh_attempt is not None
                    and now - self._last_refresh_attempt < self._min_seconds_between_refreshes):
                return
            self._last_refresh_attempt = now
            all_fetched = True
            for url in self.metadata_urls:
                try:
                    self._keys_by_source[url] = await self._fetch_keys(url)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as error:
                    all_fetched = False  # keep this source's previous keys, if any
                    logger.warning("Could not fetch signing keys from %s: %s", url, type(error).__name__)
            if all_fetched:
                self._keys_fetched_at = now

    async def _fetch_keys(self, metadata_url: str) -> dict[str, SigningKey]:
        metadata = await self._get_json(metadata_url)
        jwks_uri = metadata["jwks_uri"]
        if not isinstance(jwks_uri, str):
            raise ValueError("jwks_uri is not a string")
        jwks = await self._get_json(jwks_uri)
        keys: dict[str, SigningKey] = {}
        for jwk in jwks["keys"]:
            parsed = parse_jwk(jwk)
            if parsed is not None:
                keys[jwk["kid"]] = parsed
        return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        async with self._session.get(url, timeout=self._timeout) as response:
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


def bearer_token(authorization_header: str | None) -> str:
    if not authorization_header:
        raise AuthError("Authorization header missing.")
    parts = authorization_header.split(maxsplit=1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise AuthError("Authorization header is not a bearer token.")
    token = parts[1].strip()
    if not token or any(char.isspace() for char in token):
        raise AuthError("Authorization header is not a bearer token.")
    return token


def claims_identity(claims: dict[str, Any], security_token: str | None = None) -> ClaimsIdentity:
    """The SDK identity for verified claims, for CloudAdapter.process_activity / request["claims_identity"]."""
    return ClaimsIdentity(claims, authentication_type=AUTHENTICATION_TYPE, security_token=security_token)
