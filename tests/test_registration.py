"""Registration through the HTTP edge: the worker's UPN (Teams member lookup) and IANA time
zone (the `clientInfo` entity) are stored and follow changes, and a worker marked blocked by a
403 MessageWritesBlocked is unblocked as soon as they write to the bot again."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.store.sqlite import SqliteStore
from conftest import activity
from domain.models import utcnow

WORKER = "aad-worker-1"


def client_info(zone: str) -> list[dict]:
    return [{"type": "clientInfo", "locale": "en-US", "country": "SE", "timezone": zone}]


@pytest.fixture
async def edge(tmp_path, connector):
    store = SqliteStore(tmp_path / "coach.db")
    app = create_app(Settings(anonymous=True), store=store, jobs=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        async def say(text: str, **fields) -> None:
            response = await client.post("/api/messages", json=activity(
                connector.url, type="message", text=text, id=f"m-{text}", **fields))
            assert response.status == 202
        yield say, store


async def test_upn_and_time_zone_are_stored_and_follow_changes(edge, connector) -> None:
    say, store = edge
    connector.member_upns["user-id-0"] = "alex@contoso.example"
    await say("menu", entities=client_info("Europe/Stockholm"))
    worker = await store.workers.get_worker(WORKER)
    assert (worker.upn, worker.time_zone) == ("alex@contoso.example", "Europe/Stockholm")

    connector.member_upns["user-id-0"] = "alex.wilber@contoso.example"  # renamed meanwhile
    await say("help", entities=client_info("America/New_York"))  # and travelling
    worker = await store.workers.get_worker(WORKER)
    assert (worker.upn, worker.time_zone) == ("alex.wilber@contoso.example", "America/New_York")

    await say("progress", entities=client_info("Mars/Olympus_Mons"))  # not a zone: ignored
    await say("quiz")  # no clientInfo at all: the known zone stays
    assert (await store.workers.get_worker(WORKER)).time_zone == "America/New_York"


async def test_a_lookup_without_a_upn_keeps_the_known_one(edge, connector) -> None:
    say, store = edge
    connector.member_upns["user-id-0"] = "alex@contoso.example"
    await say("menu", entities=client_info("Europe/Stockholm"))
    del connector.member_upns["user-id-0"]
    await say("help", entities=client_info("Europe/Amsterdam"))
    worker = await store.workers.get_worker(WORKER)
    assert (worker.upn, worker.time_zone) == ("alex@contoso.example", "Europe/Amsterdam")


async def test_a_blocked_worker_is_unblocked_when_they_write_again(edge, connector) -> None:
    say, store = edge
    await say("menu")
    await store.campaigns.set_blocked("tenant-1", WORKER, utcnow())
    assert (await store.campaigns.find_workers("tenant-1", [WORKER])).blocked == {WORKER}

    await say("hello again")

    assert (await store.workers.get_worker(WORKER)).blocked_at is None
    assert (await store.campaigns.find_workers("tenant-1", [WORKER])).blocked == set()
