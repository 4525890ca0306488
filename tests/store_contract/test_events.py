from __future__ import annotations

from domain.models import EventKind, UsageEvent
from domain.reports import ReportFilter
from bot.store.port import Store

from .dataset import nov, stuck


async def _stuck_by_module(store: Store) -> dict[str, int]:
    report = await store.reports.usage_report(ReportFilter())
    return {m.module_id: m.exercises_stuck for m in report.modules}


async def test_an_event_is_stored_once(store: Store) -> None:
    event = stuck("e1", "outlook", "en", nov(9))

    assert await store.events.record_event(event) is True
    assert await store.events.record_event(event) is False
    assert await store.events.record_event(event.model_copy(update={"module_id": "teams"})) is False

    assert await _stuck_by_module(store) == {"outlook": 1}


async def test_events_with_other_ids_all_count(store: Store) -> None:
    for event_id in ("e1", "e2", "e3"):
        assert await store.events.record_event(stuck(event_id, "outlook", "en", nov(9)))

    assert await _stuck_by_module(store) == {"outlook": 3}


async def test_anonymous_and_moduleless_events_are_kept(store: Store) -> None:
    anonymous = UsageEvent(id="e1", kind=EventKind.FEEDBACK_GIVEN, worker_id=None, at=nov(9))
    command = UsageEvent(id="e2", kind=EventKind.COMMAND_USED, worker_id="w1", detail="help")

    assert await store.events.record_event(anonymous)
    assert await store.events.record_event(command)
    assert await store.events.record_event(anonymous) is False


async def test_purge_deletes_only_events_before_the_cutoff(store: Store) -> None:
    for event_id, when in [("old1", nov(1)), ("old2", nov(9, 23, 59, 59)),
                           ("edge", nov(10, 0)), ("new", nov(20))]:
        await store.events.record_event(stuck(event_id, "outlook", "en", when))

    assert await store.events.purge_events_before(nov(10, 0)) == 2
    assert await store.events.purge_events_before(nov(10, 0)) == 0

    assert await _stuck_by_module(store) == {"outlook": 2}
    # A purged id is free again: retention forgot it.
    assert await store.events.record_event(stuck("old1", "outlook", "en", nov(1)))


async def test_a_workers_events_are_listed_oldest_first_and_only_theirs(store: Store) -> None:
    mine = [UsageEvent(id="b", kind=EventKind.STEP_VIEWED, worker_id="w1", module_id="outlook",
                       step_index=2, locale="sv", at=nov(10)),
            UsageEvent(id="a", kind=EventKind.COMMAND_USED, worker_id="w1", detail="menu", at=nov(9)),
            UsageEvent(id="c", kind=EventKind.EXERCISE_DONE, worker_id="w1", module_id="outlook",
                       step_index=3, at=nov(10))]
    for event in [*mine, stuck("other", "outlook", "en", nov(8), worker_id="w2"),
                  UsageEvent(id="anon", kind=EventKind.FEEDBACK_GIVEN, worker_id=None, at=nov(7))]:
        assert await store.events.record_event(event)

    listed = await store.events.list_worker_events("w1")

    assert [e.id for e in listed] == ["a", "b", "c"]  # by time, then id
    assert listed[1] == mine[0]
    assert await store.events.list_worker_events("w3") == []
