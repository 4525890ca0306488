"""The Agents SDK side over real HTTP: install/uninstall events, invokes, redelivery, group chats."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import STORE_KEY, create_app
from domain.reports import ReportFilter
from bot.settings import Settings
from card_reading import card_texts
from conftest import activity


@pytest.fixture
async def bot(tmp_path):
    app = create_app(Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "bot.db"))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def sent_texts(connector) -> list[str]:
    texts = []
    for sent in connector.sent:
        if sent.get("text"):
            texts.append(sent["text"])
        for attachment in sent.get("attachments") or []:
            texts.extend(card_texts(attachment["content"]))
    return texts


async def test_install_events_welcome_once_and_uninstall_marks_the_worker(bot, connector, catalog):
    welcome = catalog.ui("en")["welcome.title"].format(name="Alex")
    # Like Teams, install events carry no display name: the bot asks for it (connector stub).
    sender = {"id": "user-id-0", "aadObjectId": "aad-worker-1"}
    install = activity(connector.url, type="installationUpdate", action="add", id="i1", **{"from": sender})
    members = activity(connector.url, type="conversationUpdate", id="i2", **{"from": sender},
                       membersAdded=[{"id": "user-id-0"}, {"id": "bot-id"}])
    for response in await asyncio.gather(*(bot.post("/api/messages", json=a) for a in (install, members, install))):
        assert response.status == 202
    assert sent_texts(connector).count(welcome) == 1
    store = bot.server.app[STORE_KEY]
    worker = await store.workers.get_worker("aad-worker-1")
    assert worker.name == "Alex Wilber"
    assert worker.installed and worker.tenant_id == "tenant-1" and worker.conversation["conversation"]["id"] == "conv-1"

    await bot.post("/api/messages", json=activity(connector.url, type="installationUpdate", action="remove", id="i3"))
    assert not (await store.workers.get_worker("aad-worker-1")).installed
    await bot.post("/api/messages", json=activity(connector.url, type="installationUpdate", action="add", id="i4"))
    assert sent_texts(connector).count(welcome) == 2  # a re-install is greeted again
    assert (await store.workers.get_worker("aad-worker-1")).installed


async def test_redelivered_activity_is_counted_once(bot, connector, catalog):
    step = next(i for i, s in enumerate(catalog.module("en", "mfa-sign-in").steps) if s.exercise)
    stuck = activity(connector.url, type="message", id="same-id",
                     value={"verb": "exercise.stuck", "module": "mfa-sign-in", "step": step, "n": "card1"})
    await asyncio.gather(*(bot.post("/api/messages", json=stuck) for _ in range(4)))
    report = await bot.server.app[STORE_KEY].reports.usage_report(ReportFilter(module_id="mfa-sign-in"))
    assert report.modules[0].exercises_stuck == 1


async def test_action_execute_invoke_answers_in_the_http_response(bot, connector, catalog):
    invoke = activity(connector.url, type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "verb": "menu", "data": {"verb": "menu", "n": "x"}}})
    response = await bot.post("/api/messages", json=invoke)
    assert response.status == 200
    assert (await response.json())["statusCode"] == 200
    assert catalog.ui("en")["menu.title"] in sent_texts(connector)


async def test_group_chat_mention_is_stripped_and_answered(bot, connector, catalog):
    message = activity(connector.url, type="message", text="<at>Adoption Coach</at> help",
                       conversation={"id": "group-1", "conversationType": "groupChat", "tenantId": "tenant-1"},
                       entities=[{"type": "mention", "text": "<at>Adoption Coach</at>",
                                  "mentioned": {"id": "bot-id", "name": "Adoption Coach"}}])
    assert (await bot.post("/api/messages", json=message)).status == 202
    assert catalog.ui("en")["help.title"] in sent_texts(connector)
    # A group chat never becomes the worker's 1:1 conversation.
    assert await bot.server.app[STORE_KEY].workers.get_worker("aad-worker-1") is None


async def test_swedish_teams_gets_swedish_answers(bot, connector, catalog):
    await bot.post("/api/messages", json=activity(connector.url, type="message", text="meny", locale="sv-SE"))
    assert catalog.ui("sv")["menu.title"] in sent_texts(connector)


async def test_store_outage_tells_the_worker_to_try_again(bot, connector, catalog):
    await bot.server.app[STORE_KEY].close()
    response = await bot.post("/api/messages", json=activity(connector.url, type="message", text="menu"))
    assert response.status == 202
    assert sent_texts(connector) == [catalog.ui("en")["error.try_again"]]
    health = await bot.get("/readyz")
    assert health.status == 503
