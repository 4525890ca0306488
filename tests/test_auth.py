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
    claims = (await validator.verify(bearer())).claims
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == "https://api.botframework.com"
    assert claims["serviceurl"] == "https://smba.trafficmanager.net/emea/"
    await validator.verify(bearer())  # keys are cached
    assert (jwks.metadata_hits, jwks.jwks_hits) == (1, 1)


async def test_claims_identity_is_what_the_sdk_adapter_needs(validator):
    identity = claims_identity((await validator.verify(bearer())).claims)
    assert isinstance(identity, ClaimsIdentity)
    assert not identity.allow_anonymous
    assert identity.get_app_id() == CLIENT_ID
    assert not identity.is_agent_claim()
    assert identity.get_token_scope() == ["https://api.botframework.com/.default"]
    assert identity.get_claim_value("serviceurl") == "https://smba.trafficmanager.net/emea/"


@pytest.mark.parametrize("issuer", [f"https://sts.windows.net/{TENANT}/", f"https://login.microsoftonline.com/{TENANT}/v2.0"])
async def test_tenant_issuers_are_not_accepted_by_default(validator, issuer):
    # No Entra keys are loaded and no calling-app allow-list exists: Bot Framework only.
    with pytest.raises(AuthError, match="issuer"):
        await validator.verify(bearer(iss=issuer))


async def test_token_within_clock_skew_passes(validator):
    now = int(time.time())
    await validator.verify(bearer(exp=now - 120, nbf=now + 120))


async def test_bearer_scheme_is_case_insensitive(validator):
    await validator.verify("bearer " + bearer().split(" ", 1)[1])


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "token"])
async def test_missing_or_non_bearer_header_fails(validator, jwks, header):
    with pytest.raises(AuthError):
        await validator.verify(header)
    assert jwks.metadata_hits == 0


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "....."])
async def test_garbage_token_fails(validator, token):
    with pytest.raises(AuthError, match="Malformed|Token"):
        await validator.verify(f"Bearer {token}")


async def test_forged_token_signed_by_another_key_with_same_kid_fails(validator):
    with pytest.raises(AuthError, match="signature"):
        await validator.verify(bearer(key=rsa_key("attacker")))


async def test_unknown_kid_fails(validator):
    with pytest.raises(AuthError, match="unknown"):
        await validator.verify(bearer(key=rsa_key("attacker"), kid="attacker-kid"))


async def test_unknown_kids_refetch_keys_at_most_once_per_window(validator, jwks, clock):
    await validator.verify(bearer())
    assert jwks.jwks_hits == 1
    clock.now += 120  # past the 60 s window: the next unknown kid may refetch, once
    forged = [bearer(key=rsa_key("attacker"), kid=f"forged-{i}") for i in range(25)]
    results = await asyncio.gather(*(validator.verify(h) for h in forged), return_exceptions=True)
    assert all(isinstance(result, AuthError) for result in results)
    for header in forged:
        with pytest.raises(AuthError):
            await validator.verify(header)
    assert (jwks.metadata_hits, jwks.jwks_hits) == (2, 2)


async def test_rotated_key_is_picked_up_after_the_window(validator, jwks, clock):
    await validator.verify(bearer())
    jwks.keys.append(public_jwk(rsa_key("rotated"), "bf-key-2"))
    rotated = bearer(key=rsa_key("rotated"), kid="bf-key-2")
    clock.now += 120
    assert (await validator.verify(rotated)).claims["aud"] == CLIENT_ID
    assert jwks.jwks_hits == 2


async def test_keys_are_refetched_after_the_cache_lifetime(validator, jwks, clock):
    await validator.verify(bearer())
    clock.now += 24 * 3600 + 1
    await validator.verify(bearer())
    assert jwks.jwks_hits == 2


async def test_wrong_audience_fails(validator):
    with pytest.raises(AuthError, match="audience"):
        await validator.verify(bearer(aud="some-other-bot"))
    with pytest.raises(AuthError, match="audience"):
        await validator.verify(bearer(aud=[CLIENT_ID, "some-other-bot"]))


@pytest.mark.parametrize("issuer", ["https://evil.example", "https://api.botframework.com.evil", "https://sts.windows.net/other-tenant/"])
async def test_wrong_issuer_fails(validator, issuer):
    with pytest.raises(AuthError, match="issuer"):
        await validator.verify(bearer(iss=issuer))


async def test_configured_issuers_replace_the_defaults(jwks):
    jwks.issuer = "https://issuer.test"
    validator = TokenValidator(settings_for(jwks.metadata_url, token_issuers="https://issuer.test",
                                            token_allowed_callers="caller-app"))
    try:
        token = bearer(iss="https://issuer.test", azp="caller-app")
        assert (await validator.verify(token)).claims["iss"] == "https://issuer.test"
        with pytest.raises(AuthError, match="issuer"):
            await validator.verify(bearer())
    finally:
        await validator.close()


def test_another_issuer_without_a_calling_app_allow_list_is_refused(jwks):
    with pytest.raises(ValueError, match="TOKEN_ALLOWED_CALLERS"):
        TokenValidator(settings_for(jwks.metadata_url, token_issuers=f"https://sts.windows.net/{TENANT}/"))


async def test_entra_token_from_an_app_not_on_the_allow_list_fails(jwks):
    entra = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    jwks.issuer = entra
    validator = TokenValidator(settings_for(jwks.metadata_url, token_issuers=entra, token_allowed_callers="app-a"))
    try:
        assert (await validator.verify(bearer(iss=entra, appid="app-a"))).claims["appid"] == "app-a"
        for other in ({"azp": "app-b"}, {"appid": "app-b"}, {}):
            with pytest.raises(AuthError, match="caller"):
                await validator.verify(bearer(iss=entra, **other))
    finally:
        await validator.close()


async def test_expired_beyond_leeway_fails(validator):
    with pytest.raises(AuthError, match="expired"):
        await validator.verify(bearer(exp=int(time.time()) - 600))


async def test_missing_expiry_fails(validator):
    with pytest.raises(AuthError):
        await validator.verify(bearer(exp=None))


async def test_not_yet_valid_fails(validator):
    with pytest.raises(AuthError, match="not yet valid"):
        await validator.verify(bearer(nbf=int(time.time()) + 600))


async def test_alg_none_fails(validator, jwks):
    with pytest.raises(AuthError, match="algorithm"):
        await validator.verify(bearer(key=None, alg="none"))
    assert jwks.metadata_hits == 0


async def test_hs256_signed_with_the_public_key_fails(validator):
    await validator.verify(bearer())  # keys loaded, so only the algorithm check stands in the way
    with pytest.raises(AuthError, match="algorithm"):
        await validator.verify(bearer(key=public_pem(rsa_key("signer")), alg="HS256"))


async def test_other_asymmetric_algorithms_fail(validator):
    with pytest.raises(AuthError, match="algorithm"):
        await validator.verify(bearer(alg="PS256"))


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
            await validator.verify(header)
    finally:
        await validator.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "Could not fetch signing keys" in warnings[0].getMessage()
    token = header.split(" ", 1)[1]
    assert all(token not in r.getMessage() and token.split(".")[2] not in r.getMessage() for r in caplog.records)


async def test_second_metadata_source_still_serves_keys_when_first_is_down(jwks):
    validator = TokenValidator(settings_for(closed_port_url(), jwks.metadata_url), fetch_timeout_seconds=2)
    try:
        assert (await validator.verify(bearer())).claims["aud"] == CLIENT_ID
    finally:
        await validator.close()


TEAMS_URL = "https://smba.trafficmanager.net/emea/"


async def test_endorsed_channel_and_same_service_url_pass(validator):
    validator.check_activity(await validator.verify(bearer()), "msteams", TEAMS_URL)


@pytest.mark.parametrize("channel", ["slack", "", None])
async def test_endorsement_mismatch_for_the_channel_fails(validator, channel):
    token = await validator.verify(bearer())
    with pytest.raises(AuthError, match="endorsed"):
        validator.check_activity(token, channel, TEAMS_URL)


async def test_key_without_endorsements_accepts_any_channel(jwks, validator):
    jwks.keys = [public_jwk(rsa_key("signer"), KID)]
    validator.check_activity(await validator.verify(bearer()), "msteams", TEAMS_URL)


async def test_token_without_a_serviceurl_claim_fails(validator):
    token = await validator.verify(bearer(serviceurl=None))
    with pytest.raises(AuthError, match="service URL"):
        validator.check_activity(token, "msteams", "https://attacker.example/")


@pytest.mark.parametrize("claimed, actual", [
    (TEAMS_URL, "https://SMBA.trafficmanager.net/emea"),  # host case, trailing slash
    (TEAMS_URL, "https://smba.trafficmanager.net:443/emea/"),  # default port spelled out
    ("http://127.0.0.1:3979/_connector", "http://127.0.0.1:3979/_connector/"),  # loopback may be http
])
async def test_the_same_service_url_in_another_spelling_passes(validator, claimed, actual):
    validator.check_activity(await validator.verify(bearer(serviceurl=claimed)), "msteams", actual)


@pytest.mark.parametrize("actual", [
    "http://smba.trafficmanager.net/emea/",  # plain http
    "https://smba.trafficmanager.net:8443/emea/",  # another port
    "https://smba.trafficmanager.net/amer/",  # another path
    "https://smba.trafficmanager.net/emea/?x=1",  # a query
    "https://user@smba.trafficmanager.net/emea/",  # credentials
    "https://evil.example/emea/",
    "smba.trafficmanager.net/emea/",
    None,
])
async def test_another_service_url_fails(validator, actual):
    token = await validator.verify(bearer())
    with pytest.raises(AuthError, match="service URL"):
        validator.check_activity(token, "msteams", actual)


async def test_plain_http_service_url_outside_loopback_fails_even_when_the_claim_says_so(validator):
    token = await validator.verify(bearer(serviceurl="http://bots.example/api/"))
    with pytest.raises(AuthError, match="service URL"):
        validator.check_activity(token, "msteams", "http://bots.example/api/")


# --- key sources -----------------------------------------------------------------------------

def test_plain_http_metadata_url_outside_loopback_is_refused():
    with pytest.raises(ValueError, match="https"):
        TokenValidator(settings_for("http://login.botframework.com/v1/.well-known/openidconfiguration"))


async def test_plain_http_jwks_uri_outside_loopback_is_not_loaded(jwks, validator):
    jwks.jwks_uri = "http://login.botframework.com/keys"
    with pytest.raises(AuthError, match="unavailable"):
        await validator.verify(bearer())
    assert jwks.jwks_hits == 0


async def test_keys_are_dropped_when_refreshes_keep_failing_past_the_maximum_age(jwks, clock):
    validator = TokenValidator(settings_for(jwks.metadata_url, max_key_age_days=5), clock=clock)
    try:
        await validator.verify(bearer())
        await jwks.close()  # every refresh from now on fails
        clock.now += 4 * 86400  # keys are stale (a day) but younger than 5 days: still trusted
        await validator.verify(bearer())
        clock.now += 86400 + 1
        with pytest.raises(AuthError, match="unavailable"):
            await validator.verify(bearer())
    finally:
        await validator.close()


async def test_a_key_verifies_only_the_issuer_of_its_own_metadata_document(jwks, clock):
    entra = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    other = await JwksServer(keys=[public_jwk(rsa_key("entra"), "entra-key")], issuer=entra).start()
    validator = TokenValidator(settings_for(jwks.metadata_url, other.metadata_url,
                                            token_issuers=f"https://api.botframework.com,{entra}",
                                            token_allowed_callers="app-a"), clock=clock)
    try:
        assert (await validator.verify(bearer(key=rsa_key("entra"), kid="entra-key", iss=entra, azp="app-a"))).claims
        # The Entra key signs a token that claims to come from Bot Framework: refused.
        with pytest.raises(AuthError, match="unknown"):
            await validator.verify(bearer(key=rsa_key("entra"), kid="entra-key"))
    finally:
        await validator.close()
        await other.close()


async def test_passed_in_session_is_used_and_left_open(jwks):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        validator = TokenValidator(settings_for(jwks.metadata_url), session)
        await validator.verify(bearer())
        await validator.close()
        assert not session.closed


def test_client_id_is_required():
    with pytest.raises(ValueError):
        TokenValidator(Settings(client_id=""))
