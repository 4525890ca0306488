"""Per-worker flood control: a burst is served, the excess gets one polite "slow down" and is
dropped, other workers are served meanwhile, and memory stays bounded whatever the sender ids."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import FLOOD_KEY
from bot.flood import FloodGuard, Verdict
from bot.settings import Settings
from conftest import activity
from edge_support import client_for, reuse_catalog  # noqa: F401 (fixture)
from test_auth import FakeClock


def test_a_burst_then_one_warning_then_drops_then_refill():
    clock = FakeClock()
    guard = FloodGuard(burst=3, per_second=2, max_tracked=100, clock=clock)
    assert [guard.admit("w1") for _ in range(6)] == [Verdict.ADMIT] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2
    assert guard.admit("w2") is Verdict.ADMIT  # another worker has its own bucket
    clock.now += 0.5  # one token back
    assert [guard.admit("w1") for _ in range(3)] == [Verdict.ADMIT, Verdict.WARN, Verdict.DROP]


def test_memory_is_bounded_whatever_the_sender_ids():
    guard = FloodGuard(burst=3, per_second=2, max_tracked=1000, clock=FakeClock())
    for n in range(50_000):
        guard.admit(f"sender-{n}")
    assert len(guard) == 1000
    assert guard.admit("sender-49999") is Verdict.ADMIT  # the most recent are the ones kept


def sender(connector_url: str, worker: str, n: int, **fields) -> dict:
    fields = {"type": "message", "text": "help", **fields}
    return activity(connector_url, id=f"{worker}-{n}",
                    **{"from": {"id": worker, "name": worker, "aadObjectId": f"aad-{worker}"}}, **fields)


def texts_to(connector, worker_text: str) -> int:
    return sum(1 for sent in connector.sent if sent.get("text") == worker_text)


@pytest.mark.parametrize("locale, language", [("en-US", "en"), ("sv-SE", "sv"), ("nl-NL", "nl")])
async def test_a_flooding_worker_is_told_once_and_others_are_still_served(connector, catalog, locale, language):
    client = await client_for(Settings(anonymous=True, store="memory", worker_burst=5, worker_per_second=1))
    client.server.app[FLOOD_KEY].clock = FakeClock()  # 100 messages "within the same instant"
    try:
        flood = [client.post("/api/messages", json=sender(connector.url, "flooder", n, locale=locale))
                 for n in range(100)]
        other = client.post("/api/messages", json=sender(connector.url, "colleague", 0))
        responses = await asyncio.gather(*flood, other)
        assert {r.status for r in responses} == {202}
        slow_down = catalog.ui(language)["error.slow_down"]
        assert texts_to(connector, slow_down) == 1
        answers = [s for s in connector.sent if s.get("attachments")]
        assert len(answers) == 5 + 1  # the flooder's burst and the colleague's answer
        assert any(s.get("recipient", {}).get("id") == "colleague" for s in answers)
    finally:
        await client.close()


async def test_a_flooding_worker_gets_the_slow_down_in_the_invoke_answer_once(connector, catalog):
    client = await client_for(Settings(anonymous=True, store="memory", worker_burst=2, worker_per_second=1))
    client.server.app[FLOOD_KEY].clock = FakeClock()
    try:
        clicks, sent_after_admitted = [], 0
        for n in range(5):
            clicks.append(await client.post("/api/messages", json=sender(
                connector.url, "clicker", n, type="invoke", name="adaptiveCard/action",
                value={"action": {"verb": "menu", "data": {"n": f"n{n}"}}})))
            if n == 1:
                sent_after_admitted = len(connector.sent)
        bodies = [await r.json() for r in clicks]
        assert [r.status for r in clicks] == [200] * 5
        assert [b["value"] for b in bodies[2:]] == [catalog.ui("en")["error.slow_down"], "", ""]
        assert sent_after_admitted > 0  # the two admitted clicks were answered
        assert len(connector.sent) == sent_after_admitted  # the dropped ones sent nothing
    finally:
        await client.close()
