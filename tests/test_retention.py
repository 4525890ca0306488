"""The retention job purges usage events older than the retention period; newer ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from job_support import FixedClock
from domain.jobs import RunOutcome
from domain.models import EventKind, UsageEvent
from domain.reports import ReportFilter
from bot.store.memory import MemoryStore
from bot.store.port import StoreUnavailable
from jobs.retention import RetentionJob
from jobs.runner import JobRunner

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def test_purge_removes_only_events_past_retention(store):
    for index, age in enumerate((400, 366, 364, 1)):
        await store.events.record_event(UsageEvent(
            id=f"e{index}", kind=EventKind.EXERCISE_STUCK, worker_id="w", module_id="teams",
            step_index=0, at=NOW - timedelta(days=age)))
    clock = FixedClock(NOW)
    runner = JobRunner(store, [RetentionJob(store, 365)], clock=clock)

    assert await runner.tick() == ["retention"]
    report = await store.reports.usage_report(ReportFilter(module_id="teams"))
    assert report.modules[0].exercises_stuck == 2
    last = await store.job_runs.last_run("retention")
    assert (last.outcome, last.detail) == (RunOutcome.OK,
                                           "purged 2 usage events older than 365 days")

    clock.advance(timedelta(days=1))
    assert await runner.tick() == ["retention"]  # daily
    assert (await store.job_runs.last_run("retention")).detail == (
        "purged 0 usage events older than 365 days")


class BrokenEvents:
    async def purge_events_before(self, cutoff):
        raise StoreUnavailable("down")


class EventsDownStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.events = BrokenEvents()


async def test_a_failed_purge_is_recorded_and_logged_not_raised(caplog):
    store = EventsDownStore()
    runner = JobRunner(store, [RetentionJob(store, 30)], clock=FixedClock(NOW))

    assert await runner.tick() == ["retention"]

    last = await store.job_runs.last_run("retention")
    assert (last.outcome, last.detail) == (RunOutcome.FAILED, "StoreUnavailable: down")
    assert "job retention failed" in caplog.text
