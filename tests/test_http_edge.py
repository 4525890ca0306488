"""The HTTP edge without tokens (anonymous, local mode): malformed requests get a 4xx (never a
5xx), bodies are bounded in size, time and depth, every response carries the security headers,
and /healthz (liveness) and /readyz (readiness) answer with the status only."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import ConfigurationError, create_app
from bot.security_headers import teams_frameable
from bot.settings import Settings
from bot.store.memory import MemoryStore
from bot.store.port import Health
from conftest import activity
from edge_support import JSON, client_for, reuse_catalog  # noqa: F401 (fixture)
from jwks_fixture import CLIENT_ID


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
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": ""}}',
    '{"type": "message", "conversation": {"id": "c"}, "from": {"name": "no id"}}',
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "timestamp": "not a date"}',
    "{bad json", "", "\xff\xfe",
    # the SDK raises TypeError (not a ValidationError) on an empty channelId: was a 500
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "channelId": ""}',
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "channelId": 5}',
    # a second spelling the SDK would also accept: only the wire spelling is taken
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "channel_id": "msteams"}',
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "channelId": "webchat", "channel_id": "msteams"}',
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "service_url": "https://evil.example/"}',
    '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "from_property": {"id": "x"}}',
    # the body nests deeper than any activity: json.loads raised RecursionError, a 500
    "[" * 200_000, '{"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "value": ' + "[" * 100 + "]" * 100 + "}",
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


@pytest.mark.parametrize("service_url", [
    "a" * 5000, "not a url", "/relative/path", "ftp://127.0.0.1/x", "http://bots.example/api/",
    "https://user:pw@bots.example/", "https://", "http://[::1", 42,
])
async def test_service_url_that_the_bot_must_not_send_to_gets_400(anonymous, connector, service_url):
    response = await anonymous.post("/api/messages", json=activity(connector.url, type="message", text="help",
                                                                   serviceUrl=service_url))
    assert response.status == 400
    assert "serviceUrl" in (await response.json())["error"]
    assert connector.sent == []


async def test_unknown_invoke_is_answered_400_not_a_server_error(anonymous, connector):
    response = await anonymous.post("/api/messages", json=activity(connector.url, type="invoke", name="task/fetch", value={}))
    assert response.status == 400
    assert "does not handle" in (await response.json())["error"]


async def test_slow_body_is_cut_off_with_408(tmp_path, connector):
    client = await client_for(Settings(anonymous=True, store="memory", body_read_seconds=0.5))

    async def one_byte_now_and_then():
        yield b'{"type": "message", '
        await asyncio.sleep(1.5)
        yield b'"conversation": {"id": "c"}}'

    try:
        response = await client.post("/api/messages", data=one_byte_now_and_then(), headers=JSON)
        assert response.status == 408
    finally:
        await client.close()


async def test_every_response_carries_the_security_headers(anonymous, connector):
    responses = [
        await anonymous.post("/api/messages", json=activity(connector.url, type="invoke", name="adaptiveCard/action",
                                                            value={"action": {"verb": "menu", "data": {}}})),
        await anonymous.post("/api/messages", data=b"{bad", headers=JSON),
        await anonymous.get("/api/messages"),
        await anonymous.get("/no-such-page"),
        await anonymous.get("/healthz"),
    ]
    assert [r.status for r in responses] == [200, 400, 405, 404, 200]
    for response in responses:
        assert "Server" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # plain http, no proxy said https


async def test_hsts_when_the_front_proxy_says_https_or_the_setting_is_on(anonymous):
    proxied = await anonymous.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    client = await client_for(Settings(anonymous=True, store="memory", behind_https=True))
    try:
        assert (await client.get("/healthz")).headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        await client.close()


async def test_a_route_can_opt_into_being_framed_by_teams(anonymous):
    async def tab(_request):
        return web.Response(text="<p>dashboard</p>", content_type="text/html")

    app = create_app(Settings(anonymous=True, store="memory"))
    app.router.add_get("/tab", teams_frameable(tab))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        policy = (await client.get("/tab")).headers["Content-Security-Policy"]
        ancestors = policy.split("frame-ancestors ", 1)[1].split(";")[0].split()
        assert ancestors == ["teams.microsoft.com", "*.teams.microsoft.com", "*.cloud.microsoft",
                             "*.office.com", "*.microsoft365.com"]
        assert "frame-ancestors 'none'" in (await client.get("/healthz")).headers["Content-Security-Policy"]
    finally:
        await client.close()


async def test_card_invoke_with_garbage_value_is_answered(anonymous, connector):
    response = await anonymous.post("/api/messages", json=activity(
        connector.url, type="invoke", name="adaptiveCard/action", value={"action": "nonsense"}))
    assert response.status == 200


class CountingStore(MemoryStore):
    def __init__(self, status: str = "ok"):
        super().__init__()
        self.status = status
        self.health_reads = 0

    async def health(self) -> Health:
        self.health_reads += 1
        return Health("memory", self.status, "counter updates lost: 3 (run coach store rebuild-counters)")


async def test_healthz_answers_status_only_without_reading_the_store():
    store = CountingStore("down")
    client = await client_for(Settings(anonymous=True, store="memory"), store=store)
    try:
        for _ in range(3):
            response = await client.get("/healthz")
            assert response.status == 200
            assert await response.json() == {"status": "ok"}
        assert store.health_reads == 0
    finally:
        await client.close()


async def test_readyz_is_ok_when_the_store_is_reachable_and_says_status_only(anonymous):
    response = await anonymous.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_is_503_when_the_store_is_down_and_logs_the_details_once(caplog):
    store = CountingStore("down")
    client = await client_for(Settings(anonymous=True, store="memory"), store=store)
    try:
        with caplog.at_level(logging.INFO, logger="bot.health"):
            answers = [await client.get("/readyz") for _ in range(5)]
        assert [r.status for r in answers] == [503] * 5
        assert await answers[0].json() == {"status": "down"}  # no store details, no counter notes
        assert store.health_reads == 1  # cached: one store read for five probes
        details = [r.getMessage() for r in caplog.records if r.name == "bot.health"]
        assert len(details) == 1 and "counter updates lost" in details[0]
    finally:
        await client.close()


async def test_readyz_probes_the_store_again_after_the_cache_time():
    store = CountingStore("ok")
    client = await client_for(Settings(anonymous=True, store="memory", health_cache_seconds=0), store=store)
    try:
        assert [(await client.get("/readyz")).status for _ in range(2)] == [200, 200]
        store.status = "down"
        assert (await client.get("/readyz")).status == 503
        assert store.health_reads == 3
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
