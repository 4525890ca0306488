"""TokenValidator against a real local OpenID metadata / JWKS server (no mocks of PyJWT)."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from bot.auth import AuthError, TokenValidator, claims_identity
from bot.settings import Settings
from jwks_fixture import CLIENT_ID, JwksServer, make_token, public_jwk, public_pem, rsa_key

KID = "bf-key-1"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def jwks():
    server = await JwksServer(keys=[public_jwk(rsa_key("signer"), KID, endorsements=["msteams", "webchat"])]).start()
    yield server
    await server.close()


@pytest.fixture
def clock():
    return FakeClock()


def settings_for(*metadata_urls: str, **extra) -> Settings:
    return Settings(client_id=CLIENT_ID, tenant_id=TENANT, openid_metadata=list(metadata_urls), **extra)


@pytest.fixture
async def validator(jwks, clock):
    validator = TokenValidator(settings_for(jwks.metadata_url), clock=clock)
    yield validator
    await validator.close()


def bearer(**claims) -> str:
    claims.setdefault("key", rsa_key("signer"))
    claims.setdefault("kid", KID)
    return f"Bearer {make_token(**claims)}"


async def test_correctly_signed_token_passes_and_returns_claims(validator, jwks):
    claims = await validator.validate(bearer(), channel_id="msteams")
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == "https://api.botframework.com"
    assert claims["serviceurl"] == "https://smba.trafficmanager.net/emea/"
    await validator.validate(bearer())  # keys are cached
    assert (jwks.metadata_hits, jwks.jwks_hits) == (1, 1)


async def test_claims_identity_is_what_the_sdk_adapter_needs(validator):
    identity = claims_identity(await validator.validate(bearer()))
    assert isinstance(identity, ClaimsIdentity)
    assert not identity.allow_anonymous
    assert identity.get_app_id() == CLIENT_ID
    assert not identity.is_agent_claim()
    assert identity.get_token_scope() == ["https://api.botframework.com/.default"]
    assert identity.get_claim_value("serviceurl") == "https://smba.trafficmanager.net/emea/"


async def test_tenant_issuers_accepted_by_default(validator):
    for issuer in (f"https://sts.windows.net/{TENANT}/", f"https://login.microsoftonline.com/{TENANT}/v2.0"):
        assert (await validator.validate(bearer(iss=issuer)))["iss"] == issuer


async def test_token_within_clock_skew_passes(validator):
    now = int(time.time())
    await validator.validate(bearer(exp=now - 120, nbf=now + 120))


async def test_bearer_scheme_is_case_insensitive(validator):
    await validator.validate("bearer " + bearer().split(" ", 1)[1])


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "token"])
async def test_missing_or_non_bearer_header_fails(validator, jwks, header):
    with pytest.raises(AuthError):
        await validator.validate(header)
    assert jwks.metadata_hits == 0


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "....."])
async def test_garbage_token_fails(validator, token):
    with pytest.raises(AuthError, match="Malformed|Token"):
        await validator.validate(f"Bearer {token}")


async def test_forged_token_signed_by_another_key_with_same_kid_fails(validator):
    with pytest.raises(AuthError, match="signature"):
        await validator.validate(bearer(key=rsa_key("attacker")))


async def test_unknown_kid_fails(validator):
    with pytest.raises(AuthError, match="unknown"):
        await validator.validate(bearer(key=rsa_key("attacker"), kid="attacker-kid"))


async def test_unknown_kids_refetch_keys_at_most_once_per_window(validator, jwks, clock):
    await validator.validate(bearer())
    assert jwks.jwks_hits == 1
    clock.now += 120  # past the 60 s window: the next unknown kid may refetch, once
    forged = [bearer(key=rsa_key("attacker"), kid=f"forged-{i}") for i in range(25)]
    results = await asyncio.gather(*(validator.validate(h) for h in forged), return_exceptions=True)
    assert all(isinstance(result, AuthError) for result in results)
    for header in forged:
        with pytest.raises(AuthError):
            await validator.validate(header)
    assert (jwks.metadata_hits, jwks.jwks_hits) == (2, 2)


async def test_rotated_key_is_picked_up_after_the_window(validator, jwks, clock):
    await validator.validate(bearer())
    jwks.keys.append(public_jwk(rsa_key("rotated"), "bf-key-2"))
    rotated = bearer(key=rsa_key("rotated"), kid="bf-key-2")
    clock.now += 120
    assert (await validator.validate(rotated))["aud"] == CLIENT_ID
    assert jwks.jwks_hits == 2


async def test_keys_are_refetched_after_the_cache_lifetime(validator, jwks, clock):
    await validator.validate(bearer())
    clock.now += 24 * 3600 + 1
    await validator.validate(bearer())
    assert jwks.jwks_hits == 2


async def test_wrong_audience_fails(validator):
    with pytest.raises(AuthError, match="audience"):
        await validator.validate(bearer(aud="some-other-bot"))
    with pytest.raises(AuthError, match="audience"):
        await validator.validate(bearer(aud=[CLIENT_ID, "some-other-bot"]))


@pytest.mark.parametrize("issuer", ["https://evil.example", "https://api.botframework.com.evil", "https://sts.windows.net/other-tenant/"])
async def test_wrong_issuer_fails(validator, issuer):
    with pytest.raises(AuthError, match="issuer"):
        await validator.validate(bearer(iss=issuer))


async def test_configured_issuers_replace_the_defaults(jwks):
    validator = TokenValidator(settings_for(jwks.metadata_url, token_issuers="https://issuer.test"))
    try:
        assert (await validator.validate(bearer(iss="https://issuer.test")))["iss"] == "https://issuer.test"
        with pytest.raises(AuthError, match="issuer"):
            await validator.validate(bearer())
    finally:
        await validator.close()


async def test_expired_beyond_leeway_fails(validator):
    with pytest.raises(AuthError, match="expired"):
        await validator.validate(bearer(exp=int(time.time()) - 600))


async def test_missing_expiry_fails(validator):
    with pytest.raises(AuthError):
        await validator.validate(bearer(exp=None))


async def test_not_yet_valid_fails(validator):
    with pytest.raises(AuthError, match="not yet valid"):
        await validator.validate(bearer(nbf=int(time.time()) + 600))


async def test_alg_none_fails(validator, jwks):
    with pytest.raises(AuthError, match="algorithm"):
        await validator.validate(bearer(key=None, alg="none"))
    assert jwks.metadata_hits == 0


async def test_hs256_signed_with_the_public_key_fails(validator):
    await validator.validate(bearer())  # keys loaded, so only the algorithm check stands in the way
    with pytest.raises(AuthError, match="algorithm"):
        await validator.validate(bearer(key=public_pem(rsa_key("signer")), alg="HS256"))


async def test_other_asymmetric_algorithms_fail(validator):
    with pytest.raises(AuthError, match="algorithm"):
        await validator.validate(bearer(alg="PS256"))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/openid"


async def test_unreachable_metadata_server_fails_and_logs_without_token(caplog):
    validator = TokenValidator(settings_for(closed_port_url()), fetch_timeout_seconds=2)
    header = bearer()
    try:
        with caplog.at_level(logging.INFO, logger="bot.auth"), pytest.raises(AuthError, match="unavailable"):
            await validator.validate(header)
    finally:
        await validator.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "Could not fetch signing keys" in warnings[0].getMessage()
    token = header.split(" ", 1)[1]
    assert all(token not in r.getMessage() and token.split(".")[2] not in r.getMessage() for r in caplog.records)


async def test_second_metadata_source_still_serves_keys_when_first_is_down(jwks):
    validator = TokenValidator(settings_for(closed_port_url(), jwks.metadata_url), fetch_timeout_seconds=2)
    try:
        assert (await validator.validate(bearer()))["aud"] == CLIENT_ID
    finally:
        await validator.close()


async def test_endorsement_mismatch_for_the_channel_fails(validator):
    with pytest.raises(AuthError, match="endorsed"):
        await validator.validate(bearer(), channel_id="slack")


async def test_key_without_endorsements_accepts_any_channel(jwks, validator):
    jwks.keys = [public_jwk(rsa_key("signer"), KID)]
    assert (await validator.validate(bearer(), channel_id="msteams"))["aud"] == CLIENT_ID


async def test_passed_in_session_is_used_and_left_open(jwks):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        validator = TokenValidator(settings_for(jwks.metadata_url), session)
        await validator.validate(bearer())
        await validator.close()
        assert not session.closed


def test_client_id_is_required():
    with pytest.raises(ValueError):
        TokenValidator(Settings(client_id=""))
