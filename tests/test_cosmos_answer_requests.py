"""What one quiz answer costs on Cosmos DB, counted at the HTTP level: every request the
Cosmos client sends while the app handles one answer (an Action.Execute invoke) goes through a
counting proxy. The jobs are off, so only the turn's own requests are counted."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cosmos_fault_proxy import FaultProxy
from cosmos_support import cosmos_config, cosmos_endpoint  # noqa: F401 (fixture)
from test_cosmos_specific import proxy  # noqa: F401 (fixture: a proxy that counts requests)
from card_reading import action, has_action, texts_of
from chat import quiz_module, real_catalog, right_choice, ui
from test_quiz_http import Connector, activity, connector, execute  # noqa: F401 (fixture)
from bot.app import create_app
from bot.settings import Settings
from bot.store.cosmos import CosmosStore

pytestmark = pytest.mark.cosmos

ANSWER_BUDGET = 3  # worker read, attempt read, one filtered patch


async def test_a_quiz_answer_costs_at_most_three_requests(proxy: FaultProxy,
                                                          connector: Connector) -> None:
    store = CosmosStore(cosmos_config(proxy.endpoint))
    client = TestClient(TestServer(create_app(Settings(anonymous=True), store=store, jobs=False),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        module = quiz_module(real_catalog())
        await client.post("/api/messages", json=activity(connector, "start-1",
                                                          text=f"quiz {module.id}"))
        card = next(c for c in connector.cards() if has_action(c, "quiz.answer"))
        data = action(card, "quiz.answer")
        data["choice"] = right_choice(module, data["question"])
        proxy.clear()

        response = await client.post("/api/messages", json=execute(connector, "answer-1", data))

        assert response.status == 200
        assert ui("quiz.correct") in texts_of((await response.json())["value"])
        requests = [(method, path.rsplit("/", 1)[-1]) for method, path, _ in proxy.seen]
        assert len(requests) <= ANSWER_BUDGET, requests
    finally:
        await client.close()
