""""Ask IT": a question the bot could not answer becomes an inbox item (category `question`),
answered by an admin from the inbox like any feedback. Stored once per click: the item's id
comes from the card's own key, so a double-click or a redelivery finds it there already."""

from __future__ import annotations

from cards.actions import AskIt
from cards.inbox import question_sent_card
from domain.models import EventKind, Feedback, FeedbackCategory

from .turn import Turn


async def ask_it(turn: Turn, action: AskIt) -> None:
    question = action.question.strip()
    if not question:
        turn.send(turn.t("askit.empty"))
        return
    feedback = Feedback(
        id=turn.stable_id(EventKind.FEEDBACK_GIVEN, "askit", turn.dedupe_key),
        worker_id=turn.worker.id, rating=None, category=FeedbackCategory.QUESTION,
        text=question, locale=turn.language, created_at=turn.now)
    if await turn.store.feedback.add_feedback(feedback):
        await turn.record(EventKind.FEEDBACK_GIVEN, detail=FeedbackCategory.QUESTION.value)
    turn.replace(question_sent_card(turn.texts))
