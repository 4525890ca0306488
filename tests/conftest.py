"""Shared fixtures: the real content catalog, stores on memory and a real SQLite file, a chat
for in-process flow transcripts (tests/chat.py), and a stub Teams connector for HTTP tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.content import CONTENT_DIR, Catalog
from bot.store.memory import MemoryStore
from bot.store.sqlite import SqliteStore
from chat import Chat, real_catalog
from dialogs.router import Router


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return real_catalog()


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


@pytest.fixture
def router(catalog: Catalog) -> Router:
    return Router(catalog)


@pytest.fixture
async def chat(store, router: Router) -> Chat:
    """A registered worker's 1:1 chat, on each store."""
    chat = Chat(store, router)
    chat.worker = await store.workers.register_worker(chat.worker)
    return chat


@dataclass
class ConnectorStub:
    """Stands in for the Teams connector (serviceUrl): records what the bot sends."""

    sent: list[dict] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    member_names: dict[str, str] = field(default_factory=lambda: {"user-id-0": "Alex Wilber"})
    member_upns: dict[str, str] = field(default_factory=dict)  # userPrincipalName by member id
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
            member = {"id": member_id, "name": self.member_names.get(member_id, "")}
            if member_id in self.member_upns:
                member["userPrincipalName"] = self.member_upns[member_id]
            return web.json_response(member)
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
