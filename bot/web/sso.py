"""Teams tab SSO: validate the Entra v2 access token the page got from TeamsJS
`authentication.getAuthToken()`.

Checks: RS256 signature by a key of the tenant's OpenID metadata (ENTRA_OPENID_METADATA), the
tenant's v2 issuer and `tid`, audience `api://<PUBLIC_HOST>/<client id>` or the client id,
`scp` containing `access_as_user`, exp/nbf with a small skew. Keys are fetched and cached by
the same KeyRing as the Bot Framework tokens (bot/signing_keys.py), and decoded by the same
decode_token (bot/auth.py). Nothing here logs a token.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import jwt

from bot.auth import ACCEPTED_ALGORITHMS, AuthError, bearer_token, decode_token
from bot.settings import Settings
from bot.signing_keys import KeyRing

logger = logging.getLogger(__name__)

SCOPE = "access_as_user"
CLOCK_SKEW_SECONDS = 60


def entra_issuer(tenant_id: str) -> str:
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


def sso_audiences(settings: Settings) -> tuple[str, ...]:
    audiences = [settings.client_id]
    if settings.public_host:
        audiences.insert(0, f"api://{settings.public_host}/{settings.client_id}")
    return tuple(audiences)


class SsoValidator:
    def __init__(self, settings: Settings, session: aiohttp.ClientSession | None = None,
                 **key_ring_options: Any) -> None:
        if not settings.client_id or not settings.tenant_id:
            raise ValueError("dashboard SSO needs the client id and the tenant id")
        self.tenant_id = settings.tenant_id
        self.issuer = entra_issuer(settings.tenant_id)
        self.audiences = sso_audiences(settings)
        key_ring_options.setdefault("max_key_age_seconds", settings.max_key_age_days * 86400)
        self.keys = KeyRing((settings.entra_metadata_url,), session, **key_ring_options)

    async def close(self) -> None:
        await self.keys.close()

    async def verify(self, authorization_header: str | None) -> dict[str, Any]:
        """The verified claims of the bearer token, or AuthError."""
        try:
            return await self._verify(authorization_header)
        except AuthError as error:
            logger.info("Rejected dashboard request: %s", error)
            raise

    async def _verify(self, authorization_header: str | None) -> dict[str, Any]:
        token = bearer_token(authorization_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("Malformed token.") from None
        kid = header.get("kid")
        if header.get("alg") not in ACCEPTED_ALGORITHMS or not isinstance(kid, str) or not kid:
            raise AuthError("Token algorithm or key id not accepted.")
        try:
            key = await self.keys.key_for(self.issuer, kid)
        except LookupError:
            raise AuthError("Signing keys unavailable.") from None
        if key is None:
            raise AuthError("Token signing key unknown.")
        claims = decode_token(token, key, self.audiences, self.issuer, leeway=CLOCK_SKEW_SECONDS,
                              require=("exp", "nbf", "iss", "aud", "tid", "oid"))
        if claims.get("tid") != self.tenant_id:
            raise AuthError("Token from another tenant.")
        if SCOPE not in str(claims.get("scp") or "").split():
            raise AuthError(f"Token lacks the {SCOPE} scope.")
        return claims
