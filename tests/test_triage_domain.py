"""The triage rules (domain/triage.py): allowed status moves, audit entries, replies."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cards.common import escaped
from domain.models import Feedback, FeedbackCategory, FeedbackStatus
from domain.triage import (
    AuditAction, Refusal, TriageChange, TriageRefused, apply_change, decode_cursor, untouched,
)

AT = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
S = FeedbackStatus


def item(worker_id: str | None = "w1"):
    return untouched(Feedback(id="f1", worker_id=worker_id, rating=3,
                              category=FeedbackCategory.APP, created_at=AT))


@pytest.mark.parametrize("start,target,allowed", [
    (S.NEW, S.TRIAGED, True), (S.NEW, S.DONE, True), (S.TRIAGED, S.DONE, True),
    (S.DONE, S.TRIAGED, True), (S.TRIAGED, S.NEW, False), (S.DONE, S.NEW, False)])
def test_status_moves(start, target, allowed):
    triage = item().model_copy(update={"status": start})
    if allowed:
        assert apply_change(triage, TriageChange(status=target), "a1", AT).status == target
    else:
        with pytest.raises(TriageRefused) as refused:
            apply_change(triage, TriageChange(status=target), "a1", AT)
        assert refused.value.refusal is Refusal.BAD_TRANSITION


def test_every_change_is_audited_and_the_input_is_untouched():
    before = item()
    after = apply_change(before, TriageChange(assignee="a2", note=" Look "), "a1", AT)
    assert [(e.action, e.value) for e in after.audit] == [
        (AuditAction.ASSIGNEE, "a2"), (AuditAction.NOTE, "Look")]
    assert before.audit == [] and before.notes == []
    unassigned = apply_change(after, TriageChange(assignee=None), "a1", AT)
    assert (unassigned.assignee, unassigned.audit[-1].value) == (None, "")


def test_a_change_to_the_same_value_changes_nothing():
    with pytest.raises(TriageRefused) as refused:
        apply_change(item(), TriageChange(status=S.NEW, assignee=None), "a1", AT)
    assert refused.value.refusal is Refusal.NOTHING_TO_CHANGE


def test_anonymous_items_get_no_reply_and_a_reply_is_given_once():
    with pytest.raises(TriageRefused) as refused:
        apply_change(item(None), TriageChange(reply="Hi"), "a1", AT)
    assert refused.value.refusal is Refusal.ANONYMOUS
    replied = apply_change(item(), TriageChange(reply="Hi"), "a1", AT)
    with pytest.raises(TriageRefused) as again:
        apply_change(replied, TriageChange(reply="Hi again"), "a1", AT)
    assert again.value.refusal is Refusal.ALREADY_REPLIED


def test_questions_need_no_rating_but_feedback_does():
    Feedback(id="q", worker_id="w1", category=FeedbackCategory.QUESTION, text="How?")
    with pytest.raises(ValueError):
        Feedback(id="f", worker_id="w1", category=FeedbackCategory.APP)


@pytest.mark.parametrize("cursor", ["", "x|y", "2026-11-30T09:00:00|f1"])
def test_cursors_not_made_here_are_refused(cursor):
    with pytest.raises(ValueError):
        decode_cursor(cursor)


def test_markdown_in_worker_text_is_shown_as_text():
    assert escaped("[click](https://evil.example)") == r"\[click\]\(https://evil.example\)"
    assert escaped("**bold** _it_ `code` <b>") == r"\*\*bold\*\* \_it\_ \`code\` \<b\>"
    assert escaped("- a\n1. b\nv1.2") == "\\- a\n1\\. b\nv1.2"
