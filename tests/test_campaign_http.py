"""The trainer's campaign cards over real HTTP (anonymous app, SQLite file): TRAINER_IDS from
the settings make the role, Confirm posted five times at once makes one campaign, Refresh as
an Action.Execute answers with the progress card in place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.app
from bot.app import create_app
from bot.settings import Settings
from bot.store.sqlite import SqliteStore
from card_reading import action, has_action
from test_card_contract import filled
from test_quiz_http import WORKER, Connector, activity, connector, execute, post_at_once  # noqa: F401


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    app = create_app(Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "coach.db",
                              trainer_ids=[WORKER]))
    test_client = TestClient(TestServer(app, host="127.0.0.1"))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def campaigns(client: TestClient) -> list:
    store = SqliteStore(client.app[bot.app.SETTINGS_KEY].sqlite_path)
    await store.open()
    try:
        return await store.campaigns.list_campaigns()
    finally:
        await store.close()


def last_card(connector: Connector, verb: str) -> dict:
    return next(c for c in reversed(connector.cards()) if has_action(c, verb))


async def test_a_trainer_confirms_once_over_http_and_refreshes_in_place(client, connector) -> None:
    async def send(activity_id: str, **fields) -> None:
        response = await client.post("/api/messages", json=activity(connector, activity_id, **fields))
        assert response.status in (200, 202)

    await send("t-1", text="campaigns")
    await send("t-2", value=action(last_card(connector, "campaign.new"), "campaign.new"))
    form = last_card(connector, "campaign.preview")
    await send("t-3", value={**action(form, "campaign.preview"), **filled(form)})
    confirm = action(last_card(connector, "campaign.confirm"), "campaign.confirm")

    answers = await post_at_once(client, activity(connector, "t-4", value=confirm))
    assert {status for status, _ in answers} <= {200, 202}
    [campaign] = await campaigns(client)
    assert campaign.state.value == "scheduled" and campaign.created_by == WORKER

    refresh = action(last_card(connector, "campaign.progress"), "campaign.progress")
    assert refresh["refresh"] is True
    response = await client.post("/api/messages", json=execute(connector, "t-5", refresh))
    body = await response.json()
    assert response.status == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert has_action(body["value"], "campaign.results")


async def test_without_the_role_campaigns_is_just_text(client, connector, tmp_path) -> None:
    body = activity(connector, "w-1", text="campaigns")
    body["from"] = {"id": "29:other", "name": "Other", "aadObjectId": "aad-someone-else"}
    assert (await client.post("/api/messages", json=body)).status in (200, 202)
    assert not any(has_action(c, "campaign.new") for c in connector.cards())
    assert connector.cards()  # answered, as any unknown text is
