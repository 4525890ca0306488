"""Bot Framework JWT validation for POST /api/messages.

Two steps, so that nothing reads the body of an unauthenticated request:
`verify(header)` checks signature, issuer, audience and lifetime from the header alone;
`check_activity(token, channel_id, service_url)` then checks what the validated activity
claims: the signing key's endorsement for its channel and the token's `serviceurl`.
Keys come from the OpenID metadata URLs in Settings (bot/signing_keys.py). Nothing here logs
a token or a secret.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from bot.service_url import same_service_url
from bot.settings import Settings
from bot.signing_keys import (
    FETCH_TIMEOUT_SECONDS,
    KEY_CACHE_SECONDS,
    MIN_SECONDS_BETWEEN_REFRESHES,
    KeyRing,
    SigningKey,
)

logger = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ACCEPTED_ALGORITHMS = ("RS256",)
CLOCK_SKEW_SECONDS = 300
AUTHENTICATION_TYPE = "Bearer"


class AuthError(Exception):
    """The request is not authenticated (HTTP 401). The message is safe to return to the client."""

    status = 401


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    key: SigningKey


def accepted_issuers(settings: Settings) -> tuple[str, ...]:
    return tuple(settings.token_issuers) or (BOT_FRAMEWORK_ISSUER,)


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
        self.allowed_callers = frozenset(settings.token_allowed_callers)
        if any(issuer != BOT_FRAMEWORK_ISSUER for issuer in self.issuers) and not self.allowed_callers:
            raise ValueError("TOKEN_ISSUERS names an issuer other than Bot Framework: set TOKEN_ALLOWED_CALLERS "
                             "to the app ids that may call the bot with such tokens")
        self.keys = KeyRing(
            tuple(settings.openid_metadata), session,
            key_cache_seconds=key_cache_seconds, max_key_age_seconds=settings.max_key_age_days * 86400,
            min_seconds_between_refreshes=min_seconds_between_refreshes,
            fetch_timeout_seconds=fetch_timeout_seconds, clock=clock)

    async def close(self) -> None:
        await self.keys.close()

    async def verify(self, authorization_header: str | None) -> VerifiedToken:
        """The verified token of the header (signature, issuer, audience, lifetime), or AuthError."""
        try:
            return await self._verify(authorization_header)
        except AuthError as error:
            logger.info("Rejected bot request: %s", error)
            raise

    def check_activity(self, token: VerifiedToken, channel_id: str | None, service_url: str | None) -> None:
        """Raises AuthError unless the token may be used for this activity's channel and service URL."""
        try:
            endorsements = token.key.endorsements
            if endorsements is not None and (not channel_id or channel_id not in endorsements):
                raise AuthError("Token signing key not endorsed for this channel.")
            if not same_service_url(token.claims.get("serviceurl"), service_url):
                raise AuthError("The token was issued for another service URL.")
        except AuthError as error:
            logger.info("Rejected bot request: %s", error)
            raise

    async def _verify(self, authorization_header: str | None) -> VerifiedToken:
        token = bearer_token(authorization_header)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError("Malformed token.") from None
        if header.get("alg") not in ACCEPTED_ALGORITHMS:
            raise AuthError("Token algorithm not accepted.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("Token has no key id.")
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or issuer not in self.issuers:
            raise AuthError("Token issuer not accepted.")
        try:
            signing_key = await self.keys.key_for(issuer, kid)
        except LookupError:
            raise AuthError("Signing keys unavailable.") from None
        if signing_key is None:
            raise AuthError("Token signing key unknown.")
        claims = decode_token(token, signing_key, self.audience, issuer)
        if issuer != BOT_FRAMEWORK_ISSUER and (claims.get("azp") or claims.get("appid")) not in self.allowed_callers:
            raise AuthError("Token caller not accepted.")
        return VerifiedToken(claims, signing_key)


_DECODE_ERRORS = (  # the most specific first: they subclass each other
    (jwt.ExpiredSignatureError, "Token expired."),
    (jwt.ImmatureSignatureError, "Token not yet valid."),
    (jwt.InvalidAudienceError, "Token audience not accepted."),
    (jwt.InvalidIssuerError, "Token issuer not accepted."),
    (jwt.InvalidSignatureError, "Token signature invalid."),
)


def decode_token(token: str, signing_key: SigningKey, audience: str | tuple[str, ...], issuer: str, *,
                 leeway: int = CLOCK_SKEW_SECONDS, require: tuple[str, ...] = ("exp", "iss", "aud")) -> dict[str, Any]:
    """The verified claims, or AuthError with a safe message. Also used by the dashboard's SSO
    (bot/web/sso.py): several audiences, a shorter skew, more required claims."""
    try:
        return jwt.decode(
            token,
            key=signing_key.key,
            algorithms=list(ACCEPTED_ALGORITHMS),
            audience=audience if isinstance(audience, str) else list(audience),
            issuer=issuer,
            leeway=leeway,
            options={"require": list(require), "strict_aud": isinstance(audience, str)},
        )
    except jwt.PyJWTError as error:
        message = next((text for kind, text in _DECODE_ERRORS if isinstance(error, kind)), "Token invalid.")
        raise AuthError(message) from None


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
