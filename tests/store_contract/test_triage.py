"""The feedback inbox aggregate (`store.triage`) on every backend."""

from __future__ import annotations

import pytest

from domain.models import Feedback, FeedbackCategory, FeedbackStatus
from domain.triage import AuditAction, InboxFilter, TriageChange, apply_change
from domain.reports import ReportFilter
from bot.store.port import ConcurrencyConflict, Store

from .dataset import FEEDBACK, feedback, load_report_dataset, nov

C = FeedbackCategory


async def _all_ids(store: Store, flt: InboxFilter, limit: int) -> list[str]:
    ids, cursor = [], None
    while True:
        page = await store.triage.list_inbox(flt, cursor, limit)
        ids += [i.feedback.id for i in page.items]
        assert len(page.items) <= limit
        if page.cursor is None:
            return ids
        cursor = page.cursor


async def test_the_inbox_lists_every_item_newest_first_in_pages(store: Store) -> None:
    await load_report_dataset(store)

    assert await _all_ids(store, InboxFilter(), 3) == ["f7", "f6", "f5", "f4", "f3", "f2", "f1"]
    first = await store.triage.list_inbox(InboxFilter(), None, 10)
    assert first.cursor is None and len(first.items) == len(FEEDBACK)
    anonymous = next(i for i in first.items if i.feedback.id == "f3")
    assert (anonymous.feedback.worker_id, anonymous.triage.version,
            anonymous.triage.status) == (None, 0, FeedbackStatus.NEW)


async def test_equal_times_page_by_id_without_loss(store: Store) -> None:
    for n in range(5):
        await store.feedback.add_feedback(feedback(f"s{n}", "w1", None, 3, C.APP, "en", nov(5)))

    assert await _all_ids(store, InboxFilter(), 2) == ["s4", "s3", "s2", "s1", "s0"]


async def test_filters_by_status_category_module_rating_language_and_time(store: Store) -> None:
    await load_report_dataset(store)
    item = await store.triage.get_item("f4")
    assert item is not None
    await store.triage.save_triage(apply_change(item.triage, TriageChange(
        status=FeedbackStatus.TRIAGED), "admin-1", nov(27)), 0)

    assert await _all_ids(store, InboxFilter(status=FeedbackStatus.TRIAGED), 5) == ["f4"]
    assert await _all_ids(store, InboxFilter(status=FeedbackStatus.NEW), 5) == [
        "f7", "f6", "f5", "f3", "f2", "f1"]
    assert await _all_ids(store, InboxFilter(category=C.CONTENT), 5) == ["f7", "f4", "f1"]
    assert await _all_ids(store, InboxFilter(module_id="teams"), 5) == ["f5", "f4"]
    assert await _all_ids(store, InboxFilter(rating=5), 5) == ["f7", "f3"]
    assert await _all_ids(store, InboxFilter(locale="sv"), 5) == ["f5", "f2"]
    assert await _all_ids(store, InboxFilter(locale="sv", category=C.APP), 5) == ["f2"]
    assert await _all_ids(store, InboxFilter(since=nov(12, 12), until=nov(25)), 5) == [
        "f5", "f4", "f3"]


async def test_a_bad_cursor_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.triage.list_inbox(InboxFilter(), "not-a-cursor", 5)


async def test_a_change_is_stored_with_its_audit_trail_and_the_status_follows(
        store: Store) -> None:
    await load_report_dataset(store)
    item = await store.triage.get_item("f1")
    assert item is not None
    change = TriageChange(status=FeedbackStatus.TRIAGED, assignee="admin-2", note="Check <b>")

    saved = await store.triage.save_triage(
        apply_change(item.triage, change, "admin-1", nov(27)), item.triage.version)

    again = await store.triage.get_item("f1")
    assert again is not None and again.triage == saved
    assert (saved.version, saved.status, saved.assignee, saved.worker_id) == (
        1, FeedbackStatus.TRIAGED, "admin-2", "w1")
    assert [(a.actor, a.action, a.value, a.at) for a in saved.audit] == [
        ("admin-1", AuditAction.STATUS, "triaged", nov(27)),
        ("admin-1", AuditAction.ASSIGNEE, "admin-2", nov(27)),
        ("admin-1", AuditAction.NOTE, "Check <b>", nov(27))]
    assert again.feedback.status == FeedbackStatus.TRIAGED
    report = await store.reports.feedback_report(ReportFilter())
    assert {i.id: i.status for i in report.items}["f1"] == FeedbackStatus.TRIAGED
    assert [t.feedback_id for t in await store.triage.list_for_worker("w1")] == ["f1"]


async def test_the_second_of_two_admins_gets_a_conflict_and_nothing_is_lost(
        store: Store) -> None:
    await load_report_dataset(store)
    read_by_a = await store.triage.get_item("f2")
    read_by_b = await store.triage.get_item("f2")
    assert read_by_a is not None and read_by_b is not None
    await store.triage.save_triage(apply_change(
        read_by_a.triage, TriageChange(note="A's note"), "admin-a", nov(27)), 0)

    with pytest.raises(ConcurrencyConflict):
        await store.triage.save_triage(apply_change(
            read_by_b.triage, TriageChange(note="B's note"), "admin-b", nov(27)), 0)

    fresh = await store.triage.get_item("f2")
    assert fresh is not None
    await store.triage.save_triage(apply_change(
        fresh.triage, TriageChange(note="B's note"), "admin-b", nov(28)), fresh.triage.version)
    with pytest.raises(ConcurrencyConflict):  # a stale version after an update, too
        await store.triage.save_triage(apply_change(
            fresh.triage, TriageChange(status=FeedbackStatus.DONE), "admin-a", nov(28)), 1)
    final = await store.triage.get_item("f2")
    assert final is not None and [n.text for n in final.triage.notes] == ["A's note", "B's note"]
    assert final.triage.version == 2


async def test_triage_of_a_missing_item_is_a_conflict(store: Store) -> None:
    ghost = Feedback(id="ghost", worker_id="w1", rating=3, category=C.APP, created_at=nov(1))
    from domain.triage import untouched

    with pytest.raises(ConcurrencyConflict):
        await store.triage.save_triage(apply_change(
            untouched(ghost), TriageChange(note="x"), "admin-1", nov(2)), 0)
    assert await store.triage.get_item("ghost") is None


async def test_a_question_has_no_rating(store: Store) -> None:
    question = Feedback(id="q1", worker_id="w1", rating=None, category=C.QUESTION,
                        text="How do I share a calendar?", created_at=nov(3))

    assert await store.feedback.add_feedback(question) is True
    assert await store.feedback.add_feedback(question) is False

    assert await _all_ids(store, InboxFilter(category=C.QUESTION), 5) == ["q1"]
    report = await store.reports.feedback_report(ReportFilter())
    assert (report.by_rating, [i.rating for i in report.items]) == ({}, [None])
    assert await store.feedback.list_feedback("w1") == [question]
