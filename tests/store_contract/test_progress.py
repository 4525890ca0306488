from __future__ import annotations

import asyncio

import pytest

from domain.models import ProgressStatus
from bot.store.port import ConcurrencyConflict, Store

from .dataset import nov, progress


async def test_new_progress_gets_version_one(store: Store) -> None:
    new = progress("w1", "outlook", step_index=2, locale="sv", started_at=nov(3), updated_at=nov(3))

    saved = await store.progress.save_progress(new, None)

    assert saved == new.model_copy(update={"version": 1})
    assert await store.progress.get_progress("w1", "outlook") == saved


async def test_missing_progress_is_none(store: Store) -> None:
    assert await store.progress.get_progress("w1", "outlook") is None
    assert await store.progress.list_progress("w1") == []


async def test_update_with_the_read_version_bumps_it(store: Store) -> None:
    first = await store.progress.save_progress(progress("w1", "outlook"), None)
    done = first.model_copy(update={"status": ProgressStatus.DONE, "step_index": 5,
                                    "completed_at": nov(4), "minutes_to_complete": 12})

    second = await store.progress.save_progress(done, expected_version=first.version)

    assert second.version == first.version + 1 == 2
    assert await store.progress.get_progress("w1", "outlook") == second
    assert second.status == ProgressStatus.DONE and second.minutes_to_complete == 12


async def test_stale_version_is_a_conflict_and_changes_nothing(store: Store) -> None:
    first = await store.progress.save_progress(progress("w1", "outlook"), None)
    second = await store.progress.save_progress(first.model_copy(update={"step_index": 1}), 1)

    with pytest.raises(ConcurrencyConflict):
        await store.progress.save_progress(first.model_copy(update={"step_index": 9}), 1)

    assert await store.progress.get_progress("w1", "outlook") == second


async def test_creating_existing_progress_is_a_conflict(store: Store) -> None:
    first = await store.progress.save_progress(progress("w1", "outlook"), None)

    with pytest.raises(ConcurrencyConflict):
        await store.progress.save_progress(progress("w1", "outlook", step_index=3), None)

    assert await store.progress.get_progress("w1", "outlook") == first


async def test_updating_missing_progress_is_a_conflict(store: Store) -> None:
    with pytest.raises(ConcurrencyConflict):
        await store.progress.save_progress(progress("w1", "outlook"), 1)

    assert await store.progress.get_progress("w1", "outlook") is None


async def test_two_racing_writers_one_wins(store: Store) -> None:
    first = await store.progress.save_progress(progress("w1", "outlook"), None)
    writes = [store.progress.save_progress(first.model_copy(update={"step_index": step}), 1)
              for step in (3, 4)]

    results = await asyncio.gather(*writes, return_exceptions=True)

    saved = [r for r in results if not isinstance(r, BaseException)]
    assert len(saved) == 1
    assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 1
    assert await store.progress.get_progress("w1", "outlook") == saved[0]


async def test_list_is_the_workers_own_by_module(store: Store) -> None:
    for worker_id, module_id in [("w1", "teams"), ("w2", "outlook"), ("w1", "outlook")]:
        await store.progress.save_progress(progress(worker_id, module_id), None)

    listed = await store.progress.list_progress("w1")

    assert [(p.worker_id, p.module_id) for p in listed] == [("w1", "outlook"), ("w1", "teams")]
    assert await store.progress.get_progress("w3", "outlook") is None
