"""Cosmos DB adapter behaviour the contract suite cannot show: faults and bounded retries,
health, missing containers, etag races, the container layout, and reports equal to the other
backends on a larger generated dataset. Runs against tests/cosmos_server.js; never skips."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from azure.cosmos import PartitionKey
from azure.cosmos.aio import CosmosClient
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosResourceNotFoundError
from cosmos_fault_proxy import Fault, FaultProxy
from cosmos_report_dataset import FILTERS, apply_changes, load_generated_dataset
from cosmos_support import (
    EMULATOR_KEY,
    cosmos_config,
    cosmos_endpoint,
    local_cosmos_store,
    unique_database,
)
from store_contract.dataset import nov, progress, stuck

from domain.reports import ReportFilter
from bot.settings import Settings
from bot.store.cosmos import CosmosStore
from bot.store.cosmos_calls import RetryPolicy
from bot.store.memory import MemoryStore
from bot.store.port import ConcurrencyConflict, StoreUnavailable
from bot.store.sqlite import SqliteStore

pytestmark = pytest.mark.cosmos
__all__ = ["cosmos_endpoint"]  # the session fixture, imported for pytest

FAST = RetryPolicy(budget=2.0, attempt_timeout=0.5, long_budget=3.0, first_backoff=0.02)


@pytest.fixture
async def proxy(cosmos_endpoint: str) -> AsyncIterator[FaultProxy]:
    fault_proxy = FaultProxy(cosmos_endpoint)
    await fault_proxy.start()
    yield fault_proxy
    await fault_proxy.stop()


@pytest.fixture
async def faulty(proxy: FaultProxy) -> AsyncIterator[CosmosStore]:
    """A store whose every request passes through the fault proxy."""
    store = CosmosStore(cosmos_config(proxy.endpoint, retry=FAST))
    await store.open()
    proxy.clear()
    yield store
    await store.close()


async def _stuck_count(store: CosmosStore) -> int:
    report = await store.reports.usage_report(ReportFilter())
    return sum(m.exercises_stuck for m in report.modules)


# --- faults and bounded retries -------------------------------------------------------------

async def test_429_waits_the_time_the_service_asks(faulty: CosmosStore, proxy: FaultProxy) -> None:
    proxy.add(Fault(times=2, status=429, headers={"x-ms-retry-after-ms": "300"}, method="POST"))

    started = time.monotonic()
    assert await faulty.events.record_event(stuck("e1", "outlook", "en", nov(9))) is True
    elapsed = time.monotonic() - started

    assert elapsed >= 0.6  # two waits of 300 ms, as asked
    assert [s for m, _, s in proxy.seen if m == "POST"][:3] == [429, 429, 201]
    assert await _stuck_count(faulty) == 1
    assert (await faulty.health()).status == "degraded"


async def test_transient_503s_are_retried(faulty: CosmosStore, proxy: FaultProxy) -> None:
    proxy.add(Fault(times=3, status=503, method="GET"))

    assert await faulty.progress.get_progress("w1", "outlook") is None
    assert proxy.count("GET") == 4


async def test_an_outage_ends_in_store_unavailable_within_the_budget(
        faulty: CosmosStore, proxy: FaultProxy) -> None:
    proxy.add(Fault(times=10_000, status=503, path_contains="/"))

    started = time.monotonic()
    # On a busy machine the last attempt can hit its own timeout before the 503 arrives:
    # either way it is the outage, reported within the budget.
    with pytest.raises(StoreUnavailable, match="HTTP 503|timed out"):
        await faulty.workers.get_worker("w1")
    elapsed = time.monotonic() - started

    assert elapsed <= FAST.budget + 3.0  # bounded (not a speed check: the outage never ends)
    assert proxy.count("GET") >= 3  # it did retry before giving up
    assert (await faulty.health()).status == "down"  # the probe meets the outage too


async def test_a_hanging_server_is_bounded_too(faulty: CosmosStore, proxy: FaultProxy) -> None:
    proxy.add(Fault(times=10_000, lose_reply_seconds=5.0, method="GET"))

    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="timed out"):
        await faulty.workers.get_worker("w1")

    assert time.monotonic() - started <= FAST.budget + 3.0  # bounded, with room for a busy CI


async def test_a_create_whose_reply_was_lost_counts_once(
        faulty: CosmosStore, proxy: FaultProxy) -> None:
    proxy.add(Fault(times=1, lose_reply_seconds=1.0, method="POST"))

    assert await faulty.events.record_event(stuck("e1", "outlook", "en", nov(9))) is True

    assert await faulty.events.record_event(stuck("e1", "outlook", "en", nov(9))) is False
    assert await _stuck_count(faulty) == 1


async def test_a_replace_whose_reply_was_lost_is_not_a_conflict(
        faulty: CosmosStore, proxy: FaultProxy) -> None:
    first = await faulty.progress.save_progress(progress("w1", "outlook"), None)
    proxy.add(Fault(times=1, lose_reply_seconds=1.0, method="PUT"))

    second = await faulty.progress.save_progress(first.model_copy(update={"step_index": 4}), 1)

    assert second.version == 2
    assert await faulty.progress.get_progress("w1", "outlook") == second


async def test_a_counter_increment_is_not_retried_when_it_may_have_landed(
        faulty: CosmosStore, proxy: FaultProxy) -> None:
    proxy.add(Fault(times=1, status=500, method="PATCH"))

    assert await faulty.events.record_event(stuck("e1", "outlook", "en", nov(9))) is True

    assert proxy.count("PATCH") == 1  # not sent twice: it might have counted already
    health = await faulty.health()
    assert health.status == "degraded" and "counter" in health.detail


async def test_open_fails_fast_when_nothing_listens() -> None:
    store = CosmosStore(cosmos_config("http://127.0.0.1:9/", retry=FAST))

    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="Cosmos DB"):
        await store.open()

    assert time.monotonic() - started <= FAST.budget + 3.0  # bounded, with room for a busy CI
    assert (await store.health()).status == "down"


async def test_health_is_down_when_the_server_goes_away(cosmos_endpoint: str) -> None:
    fault_proxy = FaultProxy(cosmos_endpoint)
    store = CosmosStore(cosmos_config(await fault_proxy.start(), retry=FAST))
    await store.open()
    assert (await store.health()).status == "ok"

    await fault_proxy.stop()

    assert (await store.health()).status == "down"
    with pytest.raises(StoreUnavailable):
        await store.workers.get_worker("w1")
    await store.close()


async def test_degraded_clears_after_a_quiet_minute(faulty: CosmosStore, proxy: FaultProxy) -> None:
    now = [1000.0]
    faulty.health_log._clock = lambda: now[0]
    proxy.add(Fault(times=1, status=503, method="GET"))
    await faulty.workers.get_worker("w1")
    assert (await faulty.health()).status == "degraded"

    now[0] += 61

    assert (await faulty.health()).status == "ok"


async def test_the_key_is_never_logged(faulty: CosmosStore, proxy: FaultProxy,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    proxy.add(Fault(times=10_000, status=503, path_contains="/"))

    with pytest.raises(StoreUnavailable) as failure:
        await faulty.workers.get_worker("w1")

    assert EMULATOR_KEY not in caplog.text and EMULATOR_KEY[:20] not in str(failure.value)
    assert EMULATOR_KEY not in repr(faulty.config)


# --- open: containers -----------------------------------------------------------------------

async def test_open_creates_the_designed_containers(cosmos_endpoint: str) -> None:
    store = local_cosmos_store(retention_days=30)
    await store.open()
    async with CosmosClient(cosmos_endpoint, EMULATOR_KEY) as client:
        database = client.get_database_client(store.config.database)
        found = {c["id"]: c async for c in database.list_containers()}
    await store.close()

    assert {name: c["partitionKey"]["paths"] for name, c in found.items()} == {
        "workers": ["/workerId"], "events": ["/id"], "stats": ["/pk"], "jobs": ["/id"],
        "campaigns": ["/campaignId"]}
    assert found["events"]["defaultTtl"] == 30 * 86_400
    assert found["stats"]["defaultTtl"] == -1
    assert found["workers"]["indexingPolicy"]["excludedPaths"] == [{"path": "/*"}]


async def test_missing_database_or_container_is_named_when_creation_is_off(
        cosmos_endpoint: str) -> None:
    absent = local_cosmos_store(create_containers=False)
    with pytest.raises(StoreUnavailable, match=f"database '{absent.config.database}' does not"):
        await absent.open()

    created = local_cosmos_store(container_prefix="app-")
    await created.open()
    await created.close()
    async with CosmosClient(cosmos_endpoint, EMULATOR_KEY) as client:
        await client.get_database_client(created.config.database).delete_container("app-stats")

    reopened = CosmosStore(cosmos_config(database=created.config.database,
                                         container_prefix="app-", create_containers=False))
    with pytest.raises(StoreUnavailable,
                       match=f"container 'app-stats' is missing in database "
                             f"'{created.config.database}'"):
        await reopened.open()


def test_from_settings_uses_entra_id_without_a_key() -> None:
    settings = Settings(store="cosmos", cosmos_endpoint="https://acct.documents.azure.com:443/",
                        cosmos_key="", cosmos_container_prefix="coach-", cosmos_retry_seconds=7)
    store = CosmosStore.from_settings(settings)

    client = store._make_client()

    assert type(store._credential).__name__ == "DefaultAzureCredential"
    assert store.specs["workers"].name == "coach-workers" and store.config.retry.budget == 7
    asyncio.run(_close(client, store))


async def _close(client: CosmosClient, store: CosmosStore) -> None:
    await client.close()
    await store._credential.close()


# --- etags ----------------------------------------------------------------------------------

async def test_a_write_between_read_and_replace_is_a_conflict(cosmos_endpoint: str) -> None:
    store = local_cosmos_store()
    await store.open()
    first = await store.progress.save_progress(progress("w1", "outlook"), None)
    docs = store.progress._docs
    real_read = docs.read

    async def read_then_someone_writes(doc_id: str, partition: str, action: str):
        doc = await real_read(doc_id, partition, action)
        await docs.container.patch_item(doc_id, partition_key=partition, patch_operations=[
            {"op": "set", "path": "/step_index", "value": 7}])
        return doc

    docs.read = read_then_someone_writes  # type: ignore[method-assign]
    with pytest.raises(ConcurrencyConflict):
        await store.progress.save_progress(first.model_copy(update={"step_index": 2}), 1)
    docs.read = real_read  # type: ignore[method-assign]

    assert (await store.progress.get_progress("w1", "outlook")).step_index == 7
    await store.close()


# --- reports: the same numbers as the other backends ----------------------------------------

async def test_reports_equal_memory_and_sqlite_on_a_generated_dataset(
        cosmos_endpoint: str, tmp_path: Path) -> None:
    stores = {"memory": MemoryStore(), "sqlite": SqliteStore(tmp_path / "coach.db"),
              "cosmos": local_cosmos_store()}
    for store in stores.values():
        await store.open()
        await load_generated_dataset(store, seed=47)

    await _assert_same_reports(stores)
    for store in stores.values():
        await apply_changes(store, seed=47)
    await _assert_same_reports(stores)

    for store in stores.values():
        await store.close()


async def _assert_same_reports(stores: dict) -> None:
    for flt in FILTERS:
        reports = {name: (await s.reports.usage_report(flt), await s.reports.quiz_report(flt),
                          await s.reports.feedback_report(flt))
                   for name, s in stores.items()}
        assert reports["cosmos"] == reports["sqlite"] == reports["memory"], flt


async def test_rebuild_restores_lost_counters(cosmos_endpoint: str) -> None:
    store = local_cosmos_store()
    await store.open()
    await load_generated_dataset(store, seed=5)
    before = [(await store.reports.usage_report(f), await store.reports.quiz_report(f))
              for f in FILTERS]
    stats = store._probe
    lost = await stats.query("SELECT c.id, c.pk FROM c WHERE c.kind IN ('usage', 'quizWorker')",
                             {}, "test")
    for doc in lost[::2]:
        await stats.delete(doc["id"], doc["pk"], "test")
    await stats.upsert({"id": "quiz:en:2020-01-01", "pk": "quiz:gone", "kind": "quiz",
                        "moduleId": "gone", "locale": "en", "day": "2020-01-01", "attempts": 3},
                       "test")
    store.health_log.counter_failures = 1
    assert (await store.health()).status == "degraded"

    assert (await store.maintenance.rebuild_counters()).counter_documents > 0

    after = [(await store.reports.usage_report(f), await store.reports.quiz_report(f))
             for f in FILTERS]
    assert after == before
    assert (await store.health()).status == "ok"
    await store.close()


async def test_usage_and_quiz_reports_read_counters_not_records(cosmos_endpoint: str) -> None:
    store = local_cosmos_store()
    await store.open()
    await load_generated_dataset(store, seed=9)
    read: dict[str, int] = {"workers": 0, "stats": 0}
    for name, docs in (("workers", store.reports.facts._workers),
                       ("stats", store.reports.facts._stats)):
        real = docs.query

        async def counted(*args, _real=real, _name=name, **kwargs):
            rows = await _real(*args, **kwargs)
            read[_name] += len(rows)
            return rows
        docs.query = counted  # type: ignore[method-assign]

    await store.reports.usage_report(ReportFilter(since=date(2026, 12, 20), until=date(2027, 1, 2)))
    await store.reports.quiz_report(ReportFilter(module_id="outlook"))

    assert read["workers"] == 0  # no progress, attempt or event document was read
    # At most one counter document per module, locale, kind and day (+ COUNT results).
    assert 0 < read["stats"] <= 5 * 3 * 2 * 14 + 35 * 3 + 1
    await store.close()


async def test_the_launcher_fixes_the_servers_bugs(cosmos_endpoint: str) -> None:
    async with CosmosClient(cosmos_endpoint, EMULATOR_KEY) as client:
        database = await client.create_database_if_not_exists(unique_database())
        container = await database.create_container_if_not_exists(
            "c", PartitionKey("/pk"))
        await container.create_item({"id": "a", "pk": "p1"})

        for doc_id, partition in (("missing", "p1"), ("a", "p2")):
            with pytest.raises(CosmosResourceNotFoundError):  # was a 500
                await container.read_item(doc_id, partition_key=partition)

        results = await container.execute_item_batch([  # partition key only in the header
            ("upsert", ({"id": "b", "pk": "p1"},)),
            ("patch", ("a", [{"op": "set", "path": "/x", "value": 1}]))], partition_key="p1")
        assert [r["statusCode"] for r in results] == [201, 200]

        with pytest.raises(CosmosBatchOperationError):  # atomic: the upsert is rolled back
            await container.execute_item_batch([
                ("upsert", ({"id": "c", "pk": "p1"},)),
                ("create", ({"id": "a", "pk": "p1"},))], partition_key="p1")
        with pytest.raises(CosmosResourceNotFoundError):
            await container.read_item("c", partition_key="p1")
        await client.delete_database(database.id)


async def test_a_purge_whose_delete_reply_was_lost_still_takes_its_count_back(
        faulty: CosmosStore, proxy: FaultProxy) -> None:
    await faulty.events.record_event(stuck("old", "outlook", "en", nov(1)))
    await faulty.events.record_event(stuck("new", "outlook", "en", nov(20)))
    proxy.add(Fault(times=1, lose_reply_seconds=1.0, method="DELETE"))

    assert await faulty.events.purge_events_before(nov(10)) == 1

    assert await _stuck_count(faulty) == 1
