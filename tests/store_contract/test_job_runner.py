"""The job runner on two instances sharing one store: each job runs once per period, never
twice at a time, and a dead holder's job is taken over after its lease expires."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from job_support import CountingJob, FixedClock, eventually
from domain.jobs import JobRun, RunOutcome
from bot.store.port import Store
from jobs.runner import JobRunner, RunnerTimings

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TIMINGS = RunnerTimings(lease=timedelta(minutes=2), poll_seconds=60)


def runner(store: Store, owner: str, clock: FixedClock, job: CountingJob) -> JobRunner:
    return JobRunner(store, [job], owner=owner, clock=clock, timings=TIMINGS)


async def test_each_job_runs_once_per_period_across_instances(
        store_pair: tuple[Store, Store]) -> None:
    clock = FixedClock(T0)
    job_a, job_b = CountingJob(), CountingJob()
    a, b = runner(store_pair[0], "a", clock, job_a), runner(store_pair[1], "b", clock, job_b)

    assert await a.tick() == ["count"]
    assert await b.tick() == [] and await a.tick() == []
    clock.advance(timedelta(minutes=59))
    assert await b.tick() == [] and await a.tick() == []
    clock.advance(timedelta(minutes=1))
    assert await b.tick() == ["count"]
    assert await a.tick() == []

    assert (job_a.runs, job_b.runs) == ([T0], [T0 + timedelta(hours=1)])
    last = await store_pair[0].job_runs.last_run("count")
    assert (last.owner, last.outcome, last.ended_at, last.detail) == (
        "b", RunOutcome.OK, T0 + timedelta(hours=1), "run 1")
    assert await store_pair[1].leases.get_lease("count") is None  # released after the run


async def test_a_running_job_keeps_the_other_instance_out(store_pair: tuple[Store, Store]) -> None:
    clock = FixedClock(T0)
    job_b = CountingJob()
    b = runner(store_pair[1], "b", clock, job_b)
    seen: list[list[str]] = []

    async def long_run(context) -> None:
        clock.advance(timedelta(seconds=100))
        assert await context.renew() is True  # held until T0 + 100 s + 2 min
        clock.advance(timedelta(seconds=100))  # past the first expiry, not the renewed one
        seen.append(await b.tick())

    a = runner(store_pair[0], "a", clock, CountingJob(body=long_run))
    assert await a.tick() == ["count"]

    assert seen == [[]] and job_b.runs == []


async def test_a_dead_holder_is_taken_over_after_its_lease_expires(
        store_pair: tuple[Store, Store]) -> None:
    dead, alive = store_pair
    await dead.leases.acquire("count", "dead", T0 + timedelta(minutes=2), T0)
    await dead.job_runs.record_run(JobRun(job="count", owner="dead", started_at=T0))
    clock = FixedClock(T0 + timedelta(minutes=1))
    job = CountingJob()
    b = runner(alive, "b", clock, job)

    assert await b.tick() == []  # still held, and not renewed from now on
    clock.advance(timedelta(minutes=1))
    assert await b.tick() == ["count"]  # the run never ended: due again at once

    last = await alive.job_runs.last_run("count")
    assert (last.owner, last.outcome, last.started_at) == ("b", RunOutcome.OK, clock.now())


async def test_the_lease_is_renewed_in_the_background_while_a_job_runs(store: Store) -> None:
    clock = FixedClock(T0)
    release = asyncio.Event()
    first_lease = []

    async def wait_for_release(_context) -> None:
        first_lease.append(await store.leases.get_lease("count"))
        await release.wait()

    a = runner(store, "a", clock, CountingJob(body=wait_for_release))
    ticking = asyncio.create_task(a.tick())
    await eventually(lambda: bool(first_lease))
    clock.advance(timedelta(seconds=40))  # a third of the lease: the heartbeat renews it

    renewed = await eventually(lambda: store.leases.get_lease("count"),
                               until=lambda lease: lease.version != first_lease[0].version)
    release.set()

    assert renewed.expires_at == T0 + timedelta(seconds=40) + TIMINGS.lease
    assert await ticking == ["count"]


async def test_a_failed_run_is_recorded_and_waits_for_its_next_period(store: Store) -> None:
    async def fail(_context) -> None:
        raise RuntimeError("graph said no")

    clock = FixedClock(T0)
    job = CountingJob(body=fail)
    a = runner(store, "a", clock, job)

    assert await a.tick() == ["count"]
    last = await store.job_runs.last_run("count")
    assert (last.outcome, last.detail) == (RunOutcome.FAILED, "RuntimeError: graph said no")
    assert await store.leases.get_lease("count") is None
    assert await a.tick() == []
    clock.advance(timedelta(hours=1))
    assert await a.tick() == ["count"] and len(job.runs) == 2


async def test_a_stopping_runner_asks_its_job_to_stop(store: Store) -> None:
    clock = FixedClock(T0)
    saw: list[bool] = []

    async def stop_midway(context) -> None:
        saw.append(context.stopping)
        a.stop.set()
        saw.append(context.stopping)

    a = runner(store, "a", clock, CountingJob(body=stop_midway))
    await a.run_until_stopped()  # returns: stop is set during the first tick

    assert saw == [False, True]
    assert (await store.job_runs.last_run("count")).outcome == RunOutcome.STOPPED
    assert await store.leases.get_lease("count") is None


async def test_run_until_stopped_polls_and_stops_when_told(store: Store) -> None:
    clock = FixedClock(T0)
    job = CountingJob(period=timedelta(minutes=1))
    a = runner(store, "a", clock, job)

    async def napping_after_runs(count: int) -> bool:
        last = await store.job_runs.last_run("count")
        return (len(job.runs) == count and last is not None and last.outcome == RunOutcome.OK
                and clock.sleeping == 1)  # only the poll waits: the run is over

    running = asyncio.create_task(a.run_until_stopped())
    await eventually(lambda: napping_after_runs(1))
    clock.advance(timedelta(seconds=60))  # the poll wakes up, the job is due again
    await eventually(lambda: napping_after_runs(2))
    a.stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert job.runs == [T0, T0 + timedelta(seconds=60)]


async def test_a_run_that_lost_its_lease_is_told_to_stop_and_leaves_the_record(
        store: Store) -> None:
    clock = FixedClock(T0)
    saw: list[tuple[bool, bool]] = []

    async def lose_the_lease(context) -> None:
        # Another instance judged the lease expired (its clock ran ahead of ours).
        await store.leases.acquire("count", "thief", T0 + timedelta(days=2), T0 + timedelta(days=1))
        saw.append((await context.renew(), context.stopping))

    a = runner(store, "a", clock, CountingJob(body=lose_the_lease))
    assert await a.tick() == ["count"]

    assert saw == [(False, True)]
    last = await store.job_runs.last_run("count")
    assert (last.owner, last.outcome) == ("a", RunOutcome.RUNNING)  # left to the new holder
    assert (await store.leases.get_lease("count")).owner == "thief"  # not released by a
