"""Usage events older than the retention period are purged; newer ones stay."""

from __future__ import annotations

from datetime import timedelta

from domain.models import EventKind, UsageEvent, utcnow
from domain.reports import ReportFilter
from bot.retention import purge_once
from bot.store.port import StoreUnavailable


async def test_purge_removes_only_events_past_retention(store):
    now = utcnow()
    for index, age in enumerate((400, 366, 364, 1)):
        await store.events.record_event(UsageEvent(
            id=f"e{index}", kind=EventKind.EXERCISE_STUCK, worker_id="w", module_id="teams",
            step_index=0, at=now - timedelta(days=age)))
    assert await purge_once(store, retention_days=365) == 2
    report = await store.reports.usage_report(ReportFilter(module_id="teams"))
    assert report.modules[0].exercises_stuck == 2
    assert await purge_once(store, retention_days=365) == 0


class BrokenEvents:
    async def purge_events_before(self, cutoff):
        raise StoreUnavailable("down")


class BrokenStore:
    events = BrokenEvents()


async def test_a_failed_purge_is_logged_not_raised(caplog):
    assert await purge_once(BrokenStore(), retention_days=30) == 0
    assert "purge failed" in caplog.text
