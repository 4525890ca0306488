"""The quiz of a module: start (or resume) an attempt, answer one question per card, finish.

Exactly once: the store records the first answer to a question and the first submission of
an attempt; a repeat (double-click, redelivered activity, second instance, old card) gets
False and is shown the stored state instead of changing it.
"""

from __future__ import annotations

import hashlib
import secrets

from bot.content import Module, Question
from domain.campaigns import Campaign
from domain.models import AttemptStatus, EventKind, QuizAnswer, QuizAttempt
from domain.quiz import ChoiceProblem, is_correct, new_seed, next_question, question_order, read_choice, score
from cards.actions import AnswerQuestion
from cards.general import notice_card
from cards.quiz import (
    answered_card, finished_card, moved_on_card, open_attempt_card, question_card, result_card,
)

from .commands import find_module
from .menu import module_after, show_menu
from .turn import Turn

_PROBLEM_TEXT = {
    ChoiceProblem.EMPTY: "quiz.pick_answer",
    ChoiceProblem.ONE_ONLY: "quiz.pick_one",
    ChoiceProblem.UNKNOWN: "quiz.unknown_choice",
}


def _digest(*parts: object, length: int) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


def _attempt_id(turn: Turn, module_id: str) -> str:
    """The same click (double-click, redelivery) maps to the same attempt."""
    return _digest("attempt", turn.worker.id, module_id, turn.dedupe_key, length=24)


def _event_id(kind: EventKind, attempt_id: str) -> str:
    return _digest(kind.value, attempt_id, length=32)


def _fits(module: Module, attempt: QuizAttempt) -> bool:
    """The attempt's questions all still exist (content may change between deployments)."""
    return all(module.question(qid) is not None for qid in attempt.question_ids)


async def quiz_command(turn: Turn, argument: str) -> None:
    if not argument.strip():
        turn.send(turn.t("quiz.which"))
        await show_menu(turn)
        return
    module_id = find_module(turn, argument)
    if module_id is None:
        turn.send(turn.t("unknown_module", name=argument))
        await show_menu(turn)
        return
    await start_quiz(turn, module_id)


async def _quiz_module(turn: Turn, module_id: str) -> Module | None:
    module = turn.module(module_id)
    if module is None:
        turn.send(turn.t("unknown_module", name=module_id))
        await show_menu(turn)
    return module


async def start_quiz(turn: Turn, module_id: str, campaign: Campaign | None = None) -> None:
    """One attempt in progress per worker and module: while one is open, a new start offers
    to continue it or start over (a repeat of the click that opened it just resumes it).
    `campaign`: the campaign whose card started it (its id recorded on a new attempt)."""
    module = await _quiz_module(turn, module_id)
    if module is None:
        return
    attempts, attempt_id = turn.store.attempts, _attempt_id(turn, module.id)
    current = await attempts.open_attempt(turn.worker.id, module.id)
    if current is not None and not _fits(module, current):
        await attempts.abandon_attempt(turn.worker.id, current.id)  # its questions are gone
        current = None
    if current is not None and current.id != attempt_id:
        turn.send(open_attempt_card(turn.texts, module, current))
        return
    attempt = await attempts.create_attempt(_new_attempt(turn, module, attempt_id, campaign))
    if attempt.status != AttemptStatus.IN_PROGRESS or not _fits(module, attempt):
        # An old "Quiz"/"Retake" card clicked again after that attempt was finished.
        attempt = await turn.store.attempts.create_attempt(
            _new_attempt(turn, module, secrets.token_hex(12), campaign))
    await turn.record(EventKind.QUIZ_STARTED, module.id,
                      event_id=_event_id(EventKind.QUIZ_STARTED, attempt.id))
    await _continue(turn, module, attempt)


async def continue_quiz(turn: Turn, attempt_id: str) -> None:
    attempt = await turn.store.attempts.get_attempt(turn.worker.id, attempt_id)
    module = turn.module(attempt.module_id) if attempt else None
    if attempt is None or module is None:
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        await show_menu(turn)
    elif attempt.status == AttemptStatus.IN_PROGRESS and _fits(module, attempt):
        await _continue(turn, module, attempt)
    else:
        await start_quiz(turn, module.id)  # finished or started over since: where things are now


async def restart_quiz(turn: Turn, module_id: str, attempt_id: str) -> None:
    """Abandon the attempt the offer named (if still in progress) and start a new one."""
    module = await _quiz_module(turn, module_id)
    if module is None:
        return
    await turn.store.attempts.abandon_attempt(turn.worker.id, attempt_id)
    await start_quiz(turn, module.id)


async def _moved_on(turn: Turn, module: Module) -> None:
    """A card of an abandoned attempt: it stops taking answers; show the quiz as it is now."""
    turn.replace(moved_on_card(turn.texts, module))
    current = await turn.store.attempts.open_attempt(turn.worker.id, module.id)
    if current is not None and _fits(module, current):
        turn.send(turn.t("quiz.continue_here"))
        await _continue(turn, module, current)


def _new_attempt(turn: Turn, module: Module, attempt_id: str,
                 campaign: Campaign | None = None) -> QuizAttempt:
    seed = new_seed()
    return QuizAttempt(
        id=attempt_id, worker_id=turn.worker.id, module_id=module.id, locale=turn.language,
        seed=seed, question_ids=question_order([q.id for q in module.quiz.questions], seed),
        started_at=turn.now, campaign_id=campaign.id if campaign else None)


async def _continue(turn: Turn, module: Module, attempt: QuizAttempt) -> None:
    """Send the first unanswered question, or finish the attempt when none is left."""
    question_id = next_question(attempt.question_ids, attempt.answers)
    question = module.question(question_id) if question_id else None
    if question is not None:
        turn.send(question_card(turn.texts, module, attempt, question))
    else:
        await _finish(turn, module, attempt)


async def answer_question(turn: Turn, action: AnswerQuestion) -> None:
    attempt = await turn.store.attempts.get_attempt(turn.worker.id, action.attempt)
    module = turn.module(attempt.module_id) if attempt else None
    question = (module.question(action.question)
                if module and attempt and action.question in attempt.question_ids else None)
    if attempt is None or module is None or question is None:
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        await show_menu(turn)
        return
    if attempt.status == AttemptStatus.ABANDONED:
        await _moved_on(turn, module)
        return
    if attempt.status == AttemptStatus.SUBMITTED or question.id in attempt.answers:
        await _show_repeat(turn, module, attempt, question)
        return

    choice = read_choice(question, action.choice)
    if choice.problem is not None:
        turn.replace(question_card(turn.texts, module, attempt, question,
                                   problem=turn.t(_PROBLEM_TEXT[choice.problem])))
        return
    answer = QuizAnswer(question_id=question.id, chosen=choice.chosen,
                        correct=is_correct(question, choice.chosen), answered_at=turn.now)
    recorded = await turn.store.attempts.record_answer(turn.worker.id, attempt.id, answer)
    attempt = recorded.attempt or attempt
    if recorded.attempt is not None and recorded.attempt.status == AttemptStatus.ABANDONED:
        await _moved_on(turn, module)  # started over while this answer was on its way
        return
    if not recorded.written:
        await _show_repeat(turn, module, attempt, question)
        return
    turn.replace(answered_card(turn.texts, module, attempt, question, answer))
    await _continue(turn, module, attempt)


async def _show_repeat(turn: Turn, module: Module, attempt: QuizAttempt, question: Question) -> None:
    """A second answer to an answered question: show the first one, which counts.

    A repeat of the latest answer (double-click, redelivery) changes only the card it came
    from: the first delivery already sent what follows. An older card also gets where the
    worker is now: the current question, or the result of the finished quiz."""
    stored = attempt.answers.get(question.id)
    if stored is not None:
        turn.replace(answered_card(turn.texts, module, attempt, question, stored,
                                   note=turn.t("quiz.already_answered")))
    answered = [qid for qid in attempt.question_ids if qid in attempt.answers]
    latest = bool(answered) and answered[-1] == question.id
    if attempt.status == AttemptStatus.SUBMITTED:
        if not latest:
            turn.send(finished_card(turn.texts, module, attempt.score))
        return
    if next_question(attempt.question_ids, attempt.answers) is None:
        await _finish(turn, module, attempt)  # whoever submits first shows the result
    elif not latest:
        turn.send(turn.t("quiz.continue_here"))
        await _continue(turn, module, attempt)


async def _finish(turn: Turn, module: Module, attempt: QuizAttempt) -> None:
    result = score(attempt.question_ids, attempt.answers, module.quiz.pass_mark)
    if not (await turn.store.attempts.submit_attempt(
            turn.worker.id, attempt.id, result.score, result.passed, turn.now)).written:
        return  # submitted by a concurrent delivery, which sent the result
    await turn.record(EventKind.QUIZ_SUBMITTED, module.id, detail="passed" if result.passed else "failed",
                      event_id=_event_id(EventKind.QUIZ_SUBMITTED, attempt.id))
    following = await module_after(turn, module.id) if result.passed else None
    turn.send(result_card(turn.texts, module, attempt, result, following))
