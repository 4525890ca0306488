"""The HTTP edge: malformed requests get a 4xx (never a 5xx), tokens are checked when a client
id is set, and /healthz reports the store."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration

from bot.app import ConfigurationError, create_app
from bot.settings import Settings
from bot.store.memory import MemoryStore
from bot.store.port import Health
from conftest import activity
from jwks_fixture import CLIENT_ID, JwksServer, make_token, public_jwk, rsa_key

KID = "edge-key"


class FixedToken:
    """Stands in for Entra: the outbound token the bot puts on its replies."""

    def __init__(self, configuration):
        self._configuration = configuration

    @property
    def configuration(self):
        return self._configuration

    async def get_access_token(self, resource_url, scopes, force_refresh=False) -> str:
        return "outbound-test-token"


class LocalTokenConnections(MsalConnectionManager):
    def __init__(self):
        super().__init__(connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(
            client_id=CLIENT_ID, tenant_id="tenant-1", client_secret="unused")})

    def get_token_provider(self, claims_identity, service_url):
        return FixedToken(self.get_default_connection_configuration())


async def client_for(settings: Settings, store=None, connections=None) -> TestClient:
    client = TestClient(TestServer(create_app(settings, store=store, connections=connections), host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def anonymous(tmp_path):
    client = await client_for(Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "c.db"))
    yield client
    await client.close()


@pytest.mark.parametrize("body", [
    "[]", "null", "42", '"text"', "{}", '{"type": 7, "conversation": {"id": "c"}}',
    '{"conversation": {"id": "c"}}', '{"type": "message", "conversation": "c"}',
    '{"type": "message", "conversation": {"id": 5}}', '{"type": "message"}',
    '{"type": "message", "conversation": {"id": "c"}, "from": "me"}',
    '{"type": "message", "conversation": {"id": "c"}, "timestamp": "not a date"}',
    "{bad json", "", "\xff\xfe",
])
async def test_malformed_bodies_get_400(anonymous, body):
    response = await anonymous.post("/api/messages", data=body.encode("latin-1"),
                                    headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "error" in await response.json()


async def test_wrong_content_type_gets_415(anonymous, connector):
    response = await anonymous.post("/api/messages", data=json.dumps(activity(connector.url, type="message")),
                                    headers={"Content-Type": "text/plain"})
    assert response.status == 415


async def test_body_over_one_megabyte_gets_413(anonymous, connector):
    big = activity(connector.url, type="message", text="x" * 1_100_000)
    response = await anonymous.post("/api/messages", json=big)
    assert response.status == 413


async def test_chunked_body_over_the_limit_gets_413(anonymous, connector):
    async def chunks():
        payload = json.dumps(activity(connector.url, type="message", text="y" * 1_200_000)).encode()
        for start in range(0, len(payload), 65536):
            yield payload[start:start + 65536]

    response = await anonymous.post("/api/messages", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status == 413


async def test_get_is_not_allowed(anonymous):
    assert (await anonymous.get("/api/messages")).status == 405


async def test_a_valid_message_is_accepted_and_answered(anonymous, connector):
    response = await anonymous.post("/api/messages", json=activity(connector.url, type="message", text="help"))
    assert response.status == 202
    assert connector.sent and connector.sent[-1]["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


async def test_unknown_invoke_is_not_a_server_error(anonymous, connector):
    response = await anonymous.post("/api/messages", json=activity(connector.url, type="invoke", name="task/fetch", value={}))
    assert 400 <= response.status < 500 or response.status == 501


async def test_card_invoke_with_garbage_value_is_answered(anonymous, connector):
    response = await anonymous.post("/api/messages", json=activity(
        connector.url, type="invoke", name="adaptiveCard/action", value={"action": "nonsense"}))
    assert response.status == 200


async def test_healthz_reports_store_status(anonymous):
    response = await anonymous.get("/healthz")
    assert response.status == 200
    assert (await response.json())["store"]["backend"] == "sqlite"


class DownStore(MemoryStore):
    async def health(self) -> Health:
        return Health("memory", "down", "unreachable")


async def test_healthz_is_503_when_the_store_is_down():
    client = await client_for(Settings(anonymous=True, store="memory"), store=DownStore())
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["status"] == "down"
    finally:
        await client.close()


def test_anonymous_mode_refuses_a_public_host():
    with pytest.raises(ConfigurationError, match="loopback"):
        create_app(Settings(anonymous=True, host="0.0.0.0"))


def test_no_client_id_and_not_anonymous_refuses_to_start():
    with pytest.raises(ConfigurationError, match="CLIENTID"):
        create_app(Settings())


def test_anonymous_with_a_client_id_is_refused():
    with pytest.raises(ConfigurationError):
        create_app(Settings(anonymous=True, client_id=CLIENT_ID))


# --- with a client id: Bot Framework tokens, checked against a locally served key set ---------

@pytest.fixture
async def secured(tmp_path):
    jwks = await JwksServer(keys=[public_jwk(rsa_key("teams"), KID, endorsements=["msteams"])]).start()
    settings = Settings(client_id=CLIENT_ID, client_secret="not-used", openid_metadata=[jwks.metadata_url],
                        store="sqlite", sqlite_path=tmp_path / "s.db")
    client = await client_for(settings, connections=LocalTokenConnections())
    yield client
    await client.close()
    await jwks.close()


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
