"""Exactly once over real HTTP: the same activity posted 5 times at once to the app
(anonymous, SQLite file) records one answer; replies go to a connector stub on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import bot.app
from bot.app import create_app
from domain.models import AttemptStatus
from bot.settings import Settings
from bot.store.sqlite import SqliteStore
from card_reading import action, has_action, texts_of
from chat import ui, quiz_module, real_catalog, right_choice

WORKER = "aad-quiz-worker"


class Connector:
    """The Teams connector the bot replies to (the activity's serviceUrl)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict]] = []  # method, path, activity
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity_id}", self._activity)
        self.server = TestServer(app, host="127.0.0.1")

    async def _activity(self, request: web.Request) -> web.Response:
        self.received.append((request.method, request.path, await request.json()))
        return web.json_response({"id": f"sent-{len(self.received)}"})

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def cards(self) -> list[dict]:
        return [a["content"] for _, _, body in self.received for a in body.get("attachments") or []]


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    stub = Connector()
    await stub.server.start_server()
    yield stub
    await stub.server.close()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    app = create_app(Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "coach.db"))
    test_client = TestClient(TestServer(app, host="127.0.0.1"))
    await test_client.start_server()
    yield test_client
    await test_client.close()


def activity(connector: Connector, activity_id: str, **fields: Any) -> dict:
    return {
        "type": "message", "id": activity_id, "channelId": "msteams", "serviceUrl": connector.url,
        "from": {"id": "29:quiz-user", "name": "Alex Wilber", "aadObjectId": WORKER},
        "recipient": {"id": "28:coach", "name": "Adoption Coach"},
        "conversation": {"id": "a:quiz-chat", "conversationType": "personal", "tenantId": "tenant-1"},
        "locale": "en-US", **fields,
    }


def execute(connector: Connector, activity_id: str, data: dict) -> dict:
    return activity(connector, activity_id, type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": data["verb"], "data": data},
                           "trigger": "manual"})


async def post_at_once(client: TestClient, body: dict, times: int = 5) -> list[tuple[int, Any]]:
    async def post() -> tuple[int, Any]:
        response = await client.post("/api/messages", json=body)
        return response.status, (await response.json() if response.content_length else None)
    return await asyncio.gather(*(post() for _ in range(times)))


async def attempts(client: TestClient) -> list:
    store = SqliteStore(client.app[bot.app.SETTINGS_KEY].sqlite_path)
    await store.open()
    try:
        return await store.attempts.list_attempts(WORKER)
    finally:
        await store.close()


async def start_quiz(client: TestClient, connector: Connector) -> dict:
    module = quiz_module(real_catalog())
    response = await client.post("/api/messages", json=activity(connector, "start-1", text=f"quiz {module.id}"))
    assert response.status in (200, 202)
    return next(c for c in connector.cards() if has_action(c, "quiz.answer"))


async def test_the_same_invoke_five_times_at_once_records_one_answer(client, connector) -> None:
    module = quiz_module(real_catalog())
    data = action(await start_quiz(client, connector), "quiz.answer")
    data["choice"] = right_choice(module, data["question"])
    before = len(connector.cards())

    results = await post_at_once(client, execute(connector, "answer-1", data))

    assert all(status == 200 for status, _ in results)
    replaced = [body["value"] for _, body in results]
    assert all(ui("quiz.correct") in texts_of(card) for card in replaced)
    [attempt] = await attempts(client)
    assert list(attempt.answers) == [data["question"]]
    next_cards = [c for c in connector.cards()[before:] if has_action(c, "quiz.answer")]
    assert len(next_cards) == 1


async def test_the_same_submit_five_times_at_once_records_one_answer(client, connector) -> None:
    module = quiz_module(real_catalog())
    data = action(await start_quiz(client, connector), "quiz.answer")
    body = activity(connector, "submit-1", replyToId="card-activity-7",
                    value={**data, "choice": right_choice(module, data["question"])})
    before = len(connector.received)

    results = await post_at_once(client, body)

    assert all(status in (200, 202) for status, _ in results)
    [attempt] = await attempts(client)
    assert list(attempt.answers) == [data["question"]]
    later = connector.received[before:]
    updates = [b for method, _, b in later if method == "PUT"]
    assert len(updates) == 5  # each delivery puts the answered card in place of the question
    assert all(ui("quiz.correct") in texts_of(u["attachments"][0]["content"]) for u in updates)
    new_questions = [b for method, _, b in later if method == "POST"
                     for a in b.get("attachments") or [] if has_action(a["content"], "quiz.answer")]
    assert len(new_questions) == 1


async def test_a_whole_quiz_over_http_is_submitted_once(client, connector) -> None:
    module = quiz_module(real_catalog())
    card = await start_quiz(client, connector)
    for index in range(len(module.quiz.questions)):
        data = action(card, "quiz.answer")
        data["choice"] = right_choice(module, data["question"])
        before = len(connector.cards())
        await post_at_once(client, execute(connector, f"answer-{index}", data), times=3)
        fresh = connector.cards()[before:]
        card = next((c for c in fresh if has_action(c, "quiz.answer")), None) or fresh[-1]

    [attempt] = await attempts(client)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100.0
    assert sum(ui("quiz.result.title", module=module.title) in texts_of(c) for c in connector.cards()) == 1
