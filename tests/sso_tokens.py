"""Teams tab SSO tokens for the dashboard's API tests: signed with a locally generated key and
served as the tenant's Entra v2 metadata by tests/jwks_fixture.py's JwksServer."""

from __future__ import annotations

import time

from bot.settings import Settings
from bot.web.sso import entra_issuer
from jwks_fixture import CLIENT_ID, JwksServer, make_token, public_jwk, rsa_key

TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
HOST = "coach.example.com"
KID = "entra-key-1"


def sso_token(*, key=None, kid: str = KID, **claims) -> str:
    now = int(time.time())
    values = {"iss": entra_issuer(TENANT), "aud": f"api://{HOST}/{CLIENT_ID}", "tid": TENANT,
              "oid": "oid-worker", "name": "Wanda Worker", "scp": "access_as_user", "nbf": now - 60,
              "exp": now + 3600, "serviceurl": None}
    values.update(claims)
    return make_token(key=key or rsa_key("entra"), kid=kid, **values)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def entra_jwks() -> JwksServer:
    """Not started: `await entra_jwks().start()`."""
    return JwksServer(keys=[public_jwk(rsa_key("entra"), KID)], issuer=entra_issuer(TENANT))


def sso_settings(jwks: JwksServer, **values: object) -> Settings:
    """Settings of a bot whose dashboard signs users in against `jwks`."""
    return Settings(client_id=CLIENT_ID, client_secret="not-used", tenant_id=TENANT, public_host=HOST,
                    entra_openid_metadata=jwks.metadata_url, **values)  # type: ignore[arg-type]


# The callers every API test tries: no token, a forged one (an attacker's key claiming the admin
# role), a worker's, a trainer's and an admin's.
CALLERS = {
    "none": {},
    "forged": bearer(sso_token(key=rsa_key("attacker"), roles=["Coach.Admin"])),
    "worker": bearer(sso_token()),
    "trainer": bearer(sso_token(oid="oid-trainer", name="Tia Trainer", roles=["Coach.Trainer"])),
    "admin": bearer(sso_token(oid="oid-admin", name="Ada Admin", roles=["Coach.Admin"])),
}
