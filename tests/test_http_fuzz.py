"""Property-based fuzzing of POST /api/messages (Hypothesis, derandomized: the same 5,000+
requests on every run). Every activity type, every card action verb with good and bad field
shapes, every top-level field with good and hostile values, raw non-JSON bodies: none may be
answered 5xx, and the bot still answers a normal message afterwards."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings as hypothesis_settings

import bot.app
from bot.app import create_app
from bot.settings import Settings
from conftest import ConnectorStub, activity
from fuzz_requests import requests

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 5_200))


class ErrorLog(logging.Handler):
    """Counts what was logged at ERROR or above, by logger and message."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: Counter[tuple[str, str]] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen[(record.name, record.getMessage()[:120])] += 1
        if os.environ.get("FUZZ_SHOW_ERRORS") and record.exc_info:
            import traceback
            print("".join(traceback.format_exception(*record.exc_info))[-1500:])


def test_no_request_is_answered_5xx_and_the_bot_still_answers(tmp_path, catalog, monkeypatch):
    monkeypatch.setattr(bot.app, "load_catalog", lambda **_: (catalog, []))
    module_ids = catalog.module_ids()
    question_ids = [q.id for m in module_ids for q in catalog.module("en", m).quiz.questions]
    loop = asyncio.new_event_loop()
    connector = loop.run_until_complete(ConnectorStub().start())
    settings = Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "fuzz.db", worker_burst=10**9)

    async def start() -> TestClient:
        started = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
        await started.start_server()
        return started

    client = loop.run_until_complete(start())
    statuses: Counter[int] = Counter()
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)

    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         suppress_health_check=list(HealthCheck))
    @given(body=requests(connector.url, module_ids, question_ids))
    def post(body: bytes) -> None:
        async def send() -> int:
            async with client.post("/api/messages", data=body, headers={"Content-Type": "application/json"}) as r:
                await r.read()
                return r.status
        status = loop.run_until_complete(send())
        statuses[status] += 1
        assert status < 500, (status, body[:300])

    try:
        post()
        assert sum(statuses.values()) >= EXAMPLES, statuses
        connector.sent.clear()
        normal = activity(connector.url, type="message", text="help", id="after-the-fuzz")
        response = loop.run_until_complete(client.post("/api/messages", json=normal))
        assert response.status == 202
        assert connector.sent and connector.sent[-1]["attachments"]
        print(f"\nfuzz: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
        assert not errors.seen, errors.seen.most_common(5)  # no ERROR logs, no tracebacks
    finally:
        logging.getLogger().removeHandler(errors)
        loop.run_until_complete(client.close())
        loop.run_until_complete(connector.server.close())
        loop.close()
