"""Job leases (one holder at a time, compare-and-set, take-over after expiry) and job runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.jobs import JobRun, RunOutcome
from bot.store.port import Store

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


async def test_a_free_lease_goes_to_the_first_and_only_the_first(store: Store) -> None:
    held = await store.leases.acquire("retention", "a", T0 + 2 * MINUTE, T0)

    assert (held.name, held.owner, held.expires_at) == ("retention", "a", T0 + 2 * MINUTE)
    assert await store.leases.acquire("retention", "b", T0 + 2 * MINUTE, T0 + MINUTE) is None
    assert await store.leases.get_lease("retention") == held
    assert (await store.leases.acquire("digest", "b", T0 + MINUTE, T0)).owner == "b"


async def test_the_holder_renews_and_reacquires(store: Store) -> None:
    held = await store.leases.acquire("retention", "a", T0 + MINUTE, T0)

    renewed = await store.leases.renew(held, T0 + 3 * MINUTE)
    assert (renewed.owner, renewed.expires_at) == ("a", T0 + 3 * MINUTE)
    assert renewed.version != held.version
    assert await store.leases.renew(held, T0 + 9 * MINUTE) is None  # a stale copy changes nothing
    again = await store.leases.acquire("retention", "a", T0 + 4 * MINUTE, T0 + 2 * MINUTE)
    assert (again.owner, again.expires_at) == ("a", T0 + 4 * MINUTE)
    assert await store.leases.get_lease("retention") == again


async def test_an_expired_lease_is_taken_over_and_the_old_holder_is_locked_out(
        store: Store) -> None:
    old = await store.leases.acquire("retention", "a", T0 + MINUTE, T0)

    assert await store.leases.acquire("retention", "b", T0 + 5 * MINUTE, T0 + MINUTE / 2) is None
    taken = await store.leases.acquire("retention", "b", T0 + 5 * MINUTE, T0 + MINUTE)

    assert taken.owner == "b"
    assert await store.leases.renew(old, T0 + 9 * MINUTE) is None
    assert await store.leases.release(old) is False
    assert await store.leases.get_lease("retention") == taken


async def test_a_released_lease_is_free_at_once(store: Store) -> None:
    held = await store.leases.acquire("retention", "a", T0 + 10 * MINUTE, T0)

    assert await store.leases.release(held) is True
    assert await store.leases.get_lease("retention") is None
    assert await store.leases.release(held) is False
    assert (await store.leases.acquire("retention", "b", T0 + MINUTE, T0)).owner == "b"


async def test_racing_instances_get_one_lease(store_pair: tuple[Store, Store]) -> None:
    first, second = store_pair
    await first.leases.acquire("retention", "old", T0, T0 - MINUTE)  # expired: up for grabs

    results = await asyncio.gather(*(
        (first if n % 2 else second).leases.acquire("retention", f"r{n}", T0 + MINUTE, T0)
        for n in range(6)))

    winners = [lease for lease in results if lease is not None]
    assert len(winners) == 1
    assert await second.leases.get_lease("retention") == winners[0]


async def test_a_jobs_latest_run_replaces_the_one_before(store: Store) -> None:
    started = JobRun(job="retention", owner="a", started_at=T0)
    await store.job_runs.record_run(started)
    assert await store.job_runs.last_run("retention") == started

    ended = JobRun(job="retention", owner="a", started_at=T0, outcome=RunOutcome.OK,
                   ended_at=T0 + MINUTE, detail="purged 3 usage events")
    await store.job_runs.record_run(ended)
    await store.job_runs.record_run(JobRun(job="digest", owner="b", started_at=T0,
                                           outcome=RunOutcome.FAILED, ended_at=T0, detail="x"))

    assert await store.job_runs.last_run("retention") == ended
    assert await store.job_runs.last_run("import") is None
    assert [(r.job, r.outcome) for r in await store.job_runs.list_runs()] == [
        ("digest", RunOutcome.FAILED), ("retention", RunOutcome.OK)]
