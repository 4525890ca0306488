from __future__ import annotations

from datetime import datetime, timezone

from domain.campaigns import Delivery
from domain.reports import ReportFilter
from bot.store.erasure import NO_WORKER_DATA, WORKER_DATA, worker_data
from bot.store.port import Store

from .dataset import load_report_dataset, worker


def test_the_registry_names_every_aggregate_of_the_store_once() -> None:
    aggregates = [name for name in Store.__annotations__]
    assert sorted(WORKER_DATA + NO_WORKER_DATA) == sorted(aggregates)


async def test_every_adapter_wires_every_aggregate(store: Store) -> None:
    missing = [name for name in Store.__annotations__ if not hasattr(store, name)]
    assert missing == []


async def load_campaign_deliveries(store: Store) -> None:
    due = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    await store.campaigns.add_deliveries([
        Delivery(campaign_id="c1", worker_id=w, tenant_id="t1", due_at=due) for w in ("w1", "w2")])
    await store.campaigns.set_blocked("t1", "w1", due)


async def test_after_deletion_no_aggregate_holds_the_worker(store: Store) -> None:
    await load_report_dataset(store)  # w1 and w2 in every aggregate
    await load_campaign_deliveries(store)
    for worker_id in ("w1", "w2"):
        await store.workers.register_worker(worker(worker_id))
    assert {name: await part.holds_worker("w1") for name, part in worker_data(store)} == {
        name: True for name in WORKER_DATA}

    await store.privacy.delete_worker_data("w1")

    assert {name: await part.holds_worker("w1") for name, part in worker_data(store)} == {
        name: False for name in WORKER_DATA}
    kept = {name for name, part in worker_data(store) if await part.holds_worker("w2")}
    assert kept == set(WORKER_DATA) - {"events"}  # w2 has no usage events of their own


async def test_an_interrupted_deletion_can_be_run_again(store: Store) -> None:
    await load_report_dataset(store)
    await load_campaign_deliveries(store)
    await store.workers.register_worker(worker("w1"))
    for _name, part in worker_data(store)[:2]:  # stopped after two aggregates
        await part.delete_for_worker("w1")

    await store.privacy.delete_worker_data("w1")

    assert [name for name, part in worker_data(store) if await part.holds_worker("w1")] == []
    quiz = {m.module_id: m for m in (await store.reports.quiz_report(ReportFilter())).modules}
    assert (quiz["outlook"].attempts, quiz["outlook"].workers) == (2, 2)  # not subtracted twice


async def test_delete_removes_everything_about_the_worker(store: Store) -> None:
    await load_report_dataset(store)
    await store.workers.register_worker(worker("w1"))
    await store.workers.register_worker(worker("w2"))

    await store.privacy.delete_worker_data("w1")

    assert await store.workers.get_worker("w1") is None
    assert await store.progress.list_progress("w1") == []
    assert await store.progress.get_progress("w1", "outlook") is None
    assert await store.attempts.list_attempts("w1") == []
    assert await store.attempts.get_attempt("w1", "a1") is None
    assert await store.feedback.list_feedback("w1") == []


async def test_reports_stop_counting_a_deleted_worker(store: Store) -> None:
    await load_report_dataset(store)

    await store.privacy.delete_worker_data("w1")

    usage = {m.module_id: m for m in (await store.reports.usage_report(ReportFilter())).modules}
    outlook = usage["outlook"]  # without P1 and w1's stuck event e1
    assert (outlook.started, outlook.completed, outlook.completion_rate,
            outlook.median_minutes, outlook.exercises_stuck) == (4, 3, 0.75, 30.0, 2)
    assert (usage["teams"].started, usage["onedrive"].started) == (3, 2)

    quiz = {m.module_id: m for m in (await store.reports.quiz_report(ReportFilter())).modules}
    assert (quiz["outlook"].attempts, quiz["outlook"].workers) == (2, 2)  # without a1 a2
    assert [(m.question_id, m.misses) for m in quiz["outlook"].most_missed] == [
        ("q4", 2), ("q2", 1), ("q3", 1)]

    items = (await store.reports.feedback_report(ReportFilter())).items
    assert [i.id for i in items] == ["f7", "f5", "f4", "f3", "f2"]  # anonymous f3 f5 stay


async def test_other_workers_keep_their_data(store: Store) -> None:
    await load_report_dataset(store)
    await store.workers.register_worker(worker("w2"))

    await store.privacy.delete_worker_data("w1")

    assert await store.workers.get_worker("w2") is not None
    assert [p.module_id for p in await store.progress.list_progress("w2")] == [
        "onedrive", "outlook", "teams"]
    assert [a.id for a in await store.attempts.list_attempts("w2")] == ["a3", "a6"]
    assert [f.id for f in await store.feedback.list_feedback("w2")] == ["f2"]


async def test_deleting_an_unknown_worker_is_harmless(store: Store) -> None:
    await store.privacy.delete_worker_data("nobody")

    assert await store.workers.get_worker("nobody") is None
