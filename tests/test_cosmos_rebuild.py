"""`rebuild_counters` on Cosmos DB at scale: it streams the sources page by page, keeps a
checkpoint in Cosmos, carries on after an interruption and ends where a clean rebuild ends;
the distinct-worker counts of an open-ended quiz report cost one document per module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cosmos_fault_proxy import Fault, FaultProxy
from cosmos_report_dataset import FILTERS, load_generated_dataset
from cosmos_support import cosmos_config, cosmos_endpoint, unique_database

from domain.reports import ReportFilter
from bot.store.cosmos import CosmosStore
from bot.store.cosmos_calls import RetryPolicy
from bot.store.cosmos_rebuild import CHECKPOINT_PARTITION
from bot.store.port import RebuildProgress, StoreUnavailable

pytestmark = pytest.mark.cosmos
__all__ = ["cosmos_endpoint"]  # the session fixture, imported for pytest

FAST = RetryPolicy(budget=1.0, attempt_timeout=1.0, long_budget=1.5, first_backoff=0.02)


@pytest.fixture
async def proxied(cosmos_endpoint: str) -> AsyncIterator[tuple[CosmosStore, FaultProxy]]:
    proxy = FaultProxy(cosmos_endpoint)
    await proxy.start()
    store = CosmosStore(cosmos_config(proxy.endpoint, database=unique_database(), retry=FAST))
    await store.open()
    yield store, proxy
    await store.close()
    await proxy.stop()


async def _counter_docs(store: CosmosStore) -> dict[tuple[str, str], dict]:
    docs = await store.maintenance._stats.query("SELECT * FROM c", {}, "test")
    return {(d["pk"], d["id"]): {k: v for k, v in d.items() if not k.startswith("_")}
            for d in docs}


async def _reports(store: CosmosStore) -> list:
    return [(await store.reports.usage_report(f), await store.reports.quiz_report(f))
            for f in FILTERS]


async def _loaded_and_damaged(store: CosmosStore, seed: int) -> list:
    """Loads the generated dataset, loses every third counter; returns the right reports."""
    await load_generated_dataset(store, seed=seed)
    before = await _reports(store)
    stats = store.maintenance._stats
    docs = await stats.query("SELECT c.id, c.pk FROM c WHERE c.kind IN "
                             "('usage', 'quiz', 'quizWorker', 'quizDistinct')", {}, "test")
    for doc in docs[::3]:
        await stats.delete(doc["id"], doc["pk"], "test")
    return before


async def test_an_interrupted_rebuild_resumes_and_ends_like_a_clean_one(
        proxied: tuple[CosmosStore, FaultProxy]) -> None:
    store, proxy = proxied
    before = await _loaded_and_damaged(store, seed=11)
    rebuild = store.maintenance
    rebuild.page_size, rebuild.checkpoint_every = 15, 1
    seen: list[RebuildProgress] = []

    def outage_after_four_pages(step: RebuildProgress) -> None:
        seen.append(step)
        if step.pages == 4:  # the service goes away: every later request fails
            proxy.add(Fault(times=10_000, status=503, path_contains="/"))

    with pytest.raises(StoreUnavailable):
        await rebuild.rebuild_counters(outage_after_four_pages)
    proxy.clear()
    checkpoint = await rebuild._stats.read("checkpoint", CHECKPOINT_PARTITION, "test")
    assert (checkpoint["phase"], checkpoint["pages"]) == ("progress and attempts", 4)

    resumed: list[RebuildProgress] = []
    result = await rebuild.rebuild_counters(resumed.append)

    assert result.rebuilt and result.resumed
    assert resumed[0].pages == 5  # carried on after the checkpoint, not from the start
    assert [s.pages for s in seen[:4]] == [1, 2, 3, 4]
    assert {s.phase for s in resumed} == {"progress and attempts", "stuck events",
                                          "write counters"}
    after_resume = await _counter_docs(store)
    assert not any(pk == CHECKPOINT_PARTITION for pk, _ in after_resume)  # cleaned up
    assert await _reports(store) == before

    clean = await rebuild.rebuild_counters()

    assert not clean.resumed and clean.counter_documents == result.counter_documents
    assert await _counter_docs(store) == after_resume


async def test_a_rebuild_interrupted_while_writing_finishes_on_the_next_run(
        proxied: tuple[CosmosStore, FaultProxy]) -> None:
    store, _ = proxied
    before = await _loaded_and_damaged(store, seed=12)
    rebuild = store.maintenance
    stats = rebuild._stats
    real_upsert = stats.upsert
    written: list[str] = []

    async def crash_after_ten_counters(doc, action):
        if doc["pk"] != CHECKPOINT_PARTITION:
            if len(written) == 10:
                raise StoreUnavailable("injected: the rebuild process died")
            written.append(doc["id"])
        return await real_upsert(doc, action)
    stats.upsert = crash_after_ten_counters  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable, match="injected"):
        await rebuild.rebuild_counters()
    stats.upsert = real_upsert  # type: ignore[method-assign]
    checkpoint = await stats.read("checkpoint", CHECKPOINT_PARTITION, "test")
    assert checkpoint["phase"] == "write counters"

    result = await rebuild.rebuild_counters()

    assert result.resumed
    assert await _reports(store) == before


async def test_open_ended_quiz_reports_count_workers_from_one_document_per_module(
        proxied: tuple[CosmosStore, FaultProxy]) -> None:
    store, _ = proxied
    await load_generated_dataset(store, seed=13)
    facts = store.reports.facts
    queries: list[tuple[str, int]] = []
    real = facts._stats.query

    async def recorded(sql, *args, **kwargs):
        rows = await real(sql, *args, **kwargs)
        queries.append((sql, len(rows)))
        return rows
    facts._stats.query = recorded  # type: ignore[method-assign]

    report = await store.reports.quiz_report(ReportFilter(locale="sv"))

    assert report.modules and all(m.workers > 0 for m in report.modules)
    assert not any("COUNT(1)" in sql for sql, _ in queries)  # no per-worker documents counted
    assert len(queries) == 2  # the day counters, then the distinct-worker counters
    assert queries[1][1] <= 5  # one document per module of the dataset
