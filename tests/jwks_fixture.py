"""Test helpers: RSA keys, a local OpenID metadata + JWKS server, and token minting."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


@functools.cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key, generated once per test session for each name."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_jwk(private_key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None = None) -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig"})
    if endorsements is not None:
        jwk["endorsements"] = endorsements
    return jwk


def bot_claims(**overrides: Any) -> dict[str, Any]:
    """Claims shaped like a Bot Framework channel token for CLIENT_ID, valid for an hour."""
    now = int(time.time())
    claims = {
        "iss": BOT_FRAMEWORK_ISSUER,
        "aud": CLIENT_ID,
        "serviceurl": "https://smba.trafficmanager.net/emea/",
        "nbf": now - 60,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(*, key: Any, kid: str | None, alg: str = "RS256", **claims: Any) -> str:
    """A JWT over bot_claims(**claims). key: an RSA private key, or bytes for HS256 (even a PEM,
    for alg-confusion attacks PyJWT itself refuses to mint), or None for alg "none"."""
    payload = bot_claims(**claims)
    headers = {"kid": kid} if kid is not None else {}
    if alg == "HS256" and isinstance(key, bytes):
        signing_input = ".".join([
            _b64url(json.dumps({"alg": alg, "typ": "JWT", **headers}).encode()),
            _b64url(json.dumps(payload).encode()),
        ])
        signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(signature)}"
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


@dataclass
class JwksServer:
    """Serves /openid (metadata pointing at /keys) and /keys on 127.0.0.1, counting requests."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    issuer: str = BOT_FRAMEWORK_ISSUER  # the issuer the metadata document names
    jwks_uri: str | None = None  # None: this server's own /keys
    metadata_hits: int = 0
    jwks_hits: int = 0
    server: TestServer | None = None

    async def start(self) -> "JwksServer":
        app = web.Application()
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._jwks)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def metadata_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/openid"))

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_hits += 1
        return web.json_response({
            "issuer": self.issuer,
            "jwks_uri": self.jwks_uri or str(request.url.with_path("/keys")),
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_hits += 1
        return web.json_response({"keys": self.keys})
