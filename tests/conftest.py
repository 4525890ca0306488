"""Shared fixtures: the real content catalog, stores on memory and a real SQLite file, a Turn
factory for in-process flow transcripts, and a stub Teams connector for HTTP tests."""

from __future__ import annotations

import itertools
import shutil
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.content import CONTENT_DIR, Catalog, load_catalog
from domain.models import Worker
from bot.i18n import Texts, language_for
from bot.store.memory import MemoryStore
from bot.store.sqlite import SqliteStore
from dialogs.router import Router
from dialogs.turn import Turn


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    loaded, _ = load_catalog()  # strict: the suite runs on valid content only
    return loaded


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A copy of content/ to break on purpose."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


@pytest.fixture(params=["memory", "sqlite"])
async def store(request, tmp_path):
    backend = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "coach.db")
    await backend.open()
    yield backend
    await backend.close()


@dataclass
class Conversation:
    """Drives the Router like Teams would, one turn at a time, for one worker."""

    router: Router
    catalog: Catalog
    store: Any
    worker: Worker
    personal: bool = True
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def _turn(self, dedupe_key: str | None = None) -> Turn:
        texts = Texts(self.catalog, language_for(self.worker.teams_locale, self.worker.language))
        return Turn(worker=self.worker, catalog=self.catalog, store=self.store, texts=texts,
                    dedupe_key=dedupe_key or f"activity:{next(self.counter)}", personal=self.personal)

    async def install(self) -> Turn:
        turn = self._turn()
        await self.router.on_install(turn)
        return turn

    async def say(self, text: str) -> Turn:
        turn = self._turn()
        await self.router.on_text(turn, text)
        self.worker = turn.worker
        return turn

    async def click(self, data: dict, dedupe_key: str | None = None) -> Turn:
        turn = self._turn(dedupe_key or f"card:{data.get('n')}|{data.get('verb')}|{data.get('module')}|{data.get('step')}")
        await self.router.on_action(turn, data)
        self.worker = turn.worker
        return turn


@pytest.fixture
async def conversation(catalog, store) -> Conversation:
    worker = await store.workers.register_worker(Worker(id="worker-1", name="Alex Wilber", teams_locale="en-US"))
    return Conversation(Router(catalog), catalog, store, worker)


def nodes(card: Any, *, into_fallbacks: bool = False):
    """Every dict in a card, depth first (fallback actions only when asked)."""
    if isinstance(card, dict):
        yield card
        for key, value in card.items():
            if key != "fallback" or into_fallbacks:
                yield from nodes(value, into_fallbacks=into_fallbacks)
    elif isinstance(card, list):
        for item in card:
            yield from nodes(item, into_fallbacks=into_fallbacks)


def card_texts(card: dict) -> list[str]:
    """Every TextBlock text and action title in a card."""
    return [node["text"] if node.get("type") == "TextBlock" else node["title"]
            for node in nodes(card)
            if node.get("type") == "TextBlock" or (str(node.get("type", "")).startswith("Action.") and "title" in node)]


def card_actions(card: dict) -> list[dict]:
    """Every Action.Submit/Execute (title + data) in a card."""
    return [node for node in nodes(card) if node.get("type") in ("Action.Submit", "Action.Execute")]


THEME_COLOURS = {"Default", "Good", "Attention", "Warning", "Accent"}  # readable in every theme


def assert_theme_aware(card: dict) -> None:
    """Adaptive Card 1.5, no hex colours, only colours Teams adapts to light, dark and
    high-contrast themes ("Light"/"Dark" text would vanish on one of them), well under the
    Teams message size limit."""
    raw = json.dumps(card)
    assert card["version"] == "1.5"
    assert not re.search(r'"#[0-9a-fA-F]{3,8}"', raw), "hex colours break dark/high-contrast themes"
    for match in re.finditer(r'"color": "(\w+)"', raw):
        assert match.group(1) in THEME_COLOURS, match.group(1)
    assert len(raw.encode()) < 40_000


def action_data(card: dict, title: str) -> dict:
    for action in card_actions(card):
        if action["title"] == title:
            return action["data"]
    raise AssertionError(f"no button {title!r} in card: {card_texts(card)}")


@dataclass
class ConnectorStub:
    """Stands in for the Teams connector (serviceUrl): records what the bot sends."""

    sent: list[dict] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    member_names: dict[str, str] = field(default_factory=lambda: {"user-id-0": "Alex Wilber"})
    server: TestServer | None = None

    async def start(self) -> "ConnectorStub":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._receive)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def _receive(self, request: web.Request) -> web.Response:
        if request.method == "GET" and "/members/" in request.path:
            member_id = request.path.rsplit("/", 1)[-1]
            return web.json_response({"id": member_id, "name": self.member_names.get(member_id, "")})
        if request.can_read_body:
            self.sent.append(await request.json())
            self.authorizations.append(request.headers.get("Authorization"))
        return web.json_response({"id": f"sent-{len(self.sent)}"})

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")


@pytest.fixture
async def connector():
    stub = await ConnectorStub().start()
    yield stub
    await stub.server.close()


def activity(connector_url: str, **fields: Any) -> dict:
    base = {
        "channelId": "msteams",
        "serviceUrl": connector_url,
        "from": {"id": "user-id-0", "name": "Alex Wilber", "aadObjectId": "aad-worker-1"},
        "recipient": {"id": "bot-id", "name": "Adoption Coach"},
        "conversation": {"id": "conv-1", "conversationType": "personal", "tenantId": "tenant-1"},
        "locale": "en-US",
        "id": "activity-1",
    }
    base.update(fields)
    return base
