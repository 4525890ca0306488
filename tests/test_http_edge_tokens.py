"""The HTTP edge with a client id: Bot Framework tokens, checked against a locally served key
set (keys generated here), before the body is read and then against the validated activity."""

from __future__ import annotations

import logging

import pytest

from bot.settings import Settings
from conftest import activity
from edge_support import JSON, LocalTokenConnections, client_for, reuse_catalog  # noqa: F401 (fixture)
from jwks_fixture import CLIENT_ID, JwksServer, make_token, public_jwk, rsa_key

KID = "edge-key"


async def secured_client(tmp_path, endorsements=("msteams",), connections=None):
    jwks = await JwksServer(keys=[public_jwk(rsa_key("teams"), KID, endorsements=list(endorsements))]).start()
    settings = Settings(client_id=CLIENT_ID, client_secret="not-used", openid_metadata=[jwks.metadata_url],
                        store="sqlite", sqlite_path=tmp_path / "s.db")
    client = await client_for(settings, connections=connections or LocalTokenConnections())
    return client, jwks


@pytest.fixture
async def secured(tmp_path):
    client, jwks = await secured_client(tmp_path)
    yield client
    await client.close()
    await jwks.close()


def bearer(**claims) -> dict:
    return {"Authorization": f"Bearer {make_token(key=rsa_key('teams'), kid=KID, **claims)}"}

def typing_activity(url: str) -> dict:
    # A typing activity needs no reply, so the test needs no outbound token from Entra.
    return activity(url, type="typing", serviceUrl="https://smba.trafficmanager.net/emea/")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer not.a.jwt", "Bearer a b"])
async def test_missing_or_malformed_token_gets_401(secured, connector, header):
    headers = {"Authorization": header} if header is not None else {}
    response = await secured.post("/api/messages", json=typing_activity(connector.url), headers=headers)
    assert response.status == 401


async def test_forged_token_gets_401(secured, connector):
    forged = make_token(key=rsa_key("attacker"), kid=KID)
    response = await secured.post("/api/messages", json=typing_activity(connector.url),
                                  headers={"Authorization": f"Bearer {forged}"})
    assert response.status == 401


async def test_token_for_another_bot_gets_401(secured, connector):
    other = make_token(key=rsa_key("teams"), kid=KID, aud="99999999-0000-0000-0000-000000000000")
    response = await secured.post("/api/messages", json=typing_activity(connector.url),
                                  headers={"Authorization": f"Bearer {other}"})
    assert response.status == 401


async def test_token_for_another_service_url_gets_401(secured, connector):
    token = make_token(key=rsa_key("teams"), kid=KID, serviceurl="https://evil.example.com/")
    response = await secured.post("/api/messages", json=typing_activity(connector.url),
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_correctly_signed_token_is_accepted_and_the_reply_is_authenticated(secured, connector):
    token = make_token(key=rsa_key("teams"), kid=KID, serviceurl=connector.url + "/")
    response = await secured.post("/api/messages", json=activity(connector.url, type="message", text="help"),
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status == 202
    assert connector.sent, "the bot did not answer"
    assert connector.authorizations[-1] == "Bearer outbound-test-token"


async def test_unauthenticated_huge_body_is_refused_before_reading(secured, connector):
    big = typing_activity(connector.url) | {"text": "z" * 2_000_000}
    response = await secured.post("/api/messages", json=big)
    assert response.status == 401


async def test_token_without_a_serviceurl_claim_gets_401_and_nothing_is_sent(secured, connector):
    response = await secured.post("/api/messages", json=activity(connector.url, type="message", text="help"),
                                  headers=bearer(serviceurl=None))
    assert response.status == 401
    assert connector.sent == []


@pytest.mark.parametrize("change", ["port", "path"])
async def test_service_url_is_compared_whole_not_by_host(secured, connector, change):
    # Same host as the claim, another port or path: the bot's own token would go there.
    url = connector.url.rsplit(":", 1)[0] + ":9" if change == "port" else connector.url + "/elsewhere"
    response = await secured.post("/api/messages", json=activity(url, type="message", text="help"),
                                  headers=bearer(serviceurl=connector.url))
    assert response.status == 401
    assert connector.sent == []


async def test_snake_case_channel_cannot_borrow_another_channels_endorsement(tmp_path, connector):
    client, jwks = await secured_client(tmp_path, endorsements=["webchat"])
    try:
        borrowed = activity(connector.url, type="message", text="help")
        del borrowed["channelId"]
        borrowed["channel_id"] = "msteams"  # the SDK's Activity accepts this spelling too
        response = await client.post("/api/messages", json=borrowed, headers=bearer(serviceurl=connector.url))
        assert response.status == 400
        teams = activity(connector.url, type="message", text="help")  # channelId msteams, key only for webchat
        assert (await client.post("/api/messages", json=teams, headers=bearer(serviceurl=connector.url))).status == 401
        assert connector.sent == []
    finally:
        await client.close()
        await jwks.close()


@pytest.mark.parametrize("body", [b"{not json", b"[" * 200_000, b'{"type": "message"}'])
async def test_a_junk_token_is_refused_before_the_body_is_parsed(secured, body, caplog):
    with caplog.at_level(logging.INFO):
        response = await secured.post("/api/messages", data=body, headers=JSON | {"Authorization": "Bearer junk"})
    assert response.status == 401
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_junk_token_with_a_large_activity_logs_none_of_its_text(secured, connector, caplog):
    big = activity(connector.url, type="message", text="ATTACKER-TEXT " * 60_000, timestamp="not a date")
    with caplog.at_level(logging.DEBUG):
        response = await secured.post("/api/messages", json=big, headers={"Authorization": "Bearer junk"})
    assert response.status == 401
    assert not any("ATTACKER-TEXT" in r.getMessage() for r in caplog.records)


async def test_deep_nesting_with_a_valid_token_is_400(secured, connector):
    response = await secured.post("/api/messages", data=b"[" * 200_000,
                                  headers=JSON | bearer(serviceurl=connector.url))
    assert response.status == 400


async def test_no_outbound_token_is_503_with_one_log_line(tmp_path, connector, caplog):
    client, jwks = await secured_client(tmp_path, connections=LocalTokenConnections(
        failure=ConnectionError("login.microsoftonline.com unreachable")))
    try:
        with caplog.at_level(logging.WARNING):
            responses = [await client.post("/api/messages", headers=bearer(serviceurl=connector.url),
                                           json=activity(connector.url, type="message", text="help", id=f"a-{i}"))
                         for i in range(2)]
        assert [r.status for r in responses] == [503, 503]
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 2  # one line per request
        assert all(r.exc_info is None and "outbound token" in r.getMessage() for r in warnings)
    finally:
        await client.close()
        await jwks.close()
