"""Feedback: the form, validation that keeps what was typed, storing it once, thank-you.

Anonymous feedback stores no worker id anywhere: not on the record, not in its usage event,
and neither id is computed from the worker id.
"""

from __future__ import annotations

import hashlib
import secrets

from domain.feedback import MAX_TEXT, feedback_problems
from domain.models import EventKind, Feedback, FeedbackCategory
from domain.text import strip_controls
from bot.store.port import StoreUnavailable
from cards.actions import SubmitFeedback
from cards.feedback import FeedbackDraft, feedback_card, thanks_card

from .turn import Turn


async def open_feedback(turn: Turn, module_id: str | None = None) -> None:
    turn.send(feedback_card(turn.texts, turn.module(module_id) if module_id else None))


def feedback_id(nonce: str | None, worker_id: str, anonymous: bool) -> str:
    """One card sent twice (double-click, redelivery, retry after an outage) is one feedback."""
    if nonce is None:  # a payload without our nonce: nothing to recognise a repeat by
        nonce = secrets.token_urlsafe(12)
    owner = "anonymous" if anonymous else worker_id
    return hashlib.sha256(f"feedback|{nonce}|{owner}".encode()).hexdigest()[:32]


def _problems(turn: Turn, draft: FeedbackDraft) -> list[str]:
    # Each problem's text is "feedback.<problem>"; only the length one has numbers in it.
    return [turn.t(f"feedback.{problem.value}", length=turn.texts.number(len(draft.text)),
                   max=turn.texts.number(MAX_TEXT))
            for problem in feedback_problems(draft.rating, draft.category, draft.text)]


async def submit_feedback(turn: Turn, action: SubmitFeedback) -> None:
    module = turn.module(action.module) if action.module else None
    draft = FeedbackDraft(rating=action.rating.strip(), category=action.category.strip(),
                          text=strip_controls(action.text).strip(), anonymous=action.anonymous.strip().lower() == "true")
    problems = _problems(turn, draft)
    if problems:
        turn.replace(feedback_card(turn.texts, module, draft=draft, problems=problems, n=action.n))
        return
    feedback = Feedback(
        id=feedback_id(action.n, turn.worker.id, draft.anonymous),
        worker_id=None if draft.anonymous else turn.worker.id,
        module_id=module.id if module else None,
        rating=int(draft.rating), category=FeedbackCategory(draft.category), text=draft.text,
        locale=turn.language, created_at=turn.now)
    try:
        await turn.store.feedback.add_feedback(feedback)
        await turn.record(EventKind.FEEDBACK_GIVEN, feedback.module_id, detail=feedback.category.value,
                          anonymous=draft.anonymous,
                          event_id=hashlib.sha256(f"feedback_given|{feedback.id}".encode()).hexdigest()[:32])
    except StoreUnavailable:
        # Same nonce: if the first write did land, the retry finds it and stores nothing new.
        turn.replace(feedback_card(turn.texts, module, draft=draft, n=action.n,
                                   problems=[turn.t("feedback.store_down")]))
        return
    turn.replace(thanks_card(turn.texts, module, rating=feedback.rating, category=feedback.category,
                             typed=feedback.text, anonymous=draft.anonymous))
