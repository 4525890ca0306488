"""Quiz rules: the shuffled order an attempt shows, reading a choice, scoring. Pure functions.

The order of questions and options is a function of the attempt's seed alone, so a card
rebuilt from the stored attempt (a retry, a second instance) shows what the worker saw.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from .models import AttemptStatus, QuizAnswer, QuizAttempt

DEFAULT_PASS_MARK = 80
MAX_SEED = 2**53  # stays exact in JSON (and in Cosmos DB)


class OptionLike(Protocol):
    id: str
    correct: bool


class QuestionLike(Protocol):
    id: str
    type: str  # "single" | "multiple"
    options: Sequence[OptionLike]


def new_seed(rng: random.Random | None = None) -> int:
    return (rng or random.SystemRandom()).randrange(MAX_SEED)


def question_order(question_ids: Sequence[str], seed: int) -> list[str]:
    order = list(question_ids)
    random.Random(f"questions/{seed}").shuffle(order)
    return order


def option_order(question: QuestionLike, seed: int) -> list[str]:
    """The option ids of one question in the order this attempt shows them."""
    order = [option.id for option in question.options]
    random.Random(f"options/{seed}/{question.id}").shuffle(order)
    return order


def correct_options(question: QuestionLike) -> list[str]:
    return [option.id for option in question.options if option.correct]


class ChoiceProblem(StrEnum):
    EMPTY = "empty"  # nothing picked
    ONE_ONLY = "one_only"  # several picked for a single-choice question
    UNKNOWN = "unknown"  # names an option the question does not have


@dataclass(frozen=True)
class Choice:
    chosen: list[str]  # option ids, in the question's own order
    problem: ChoiceProblem | None = None


def read_choice(question: QuestionLike, raw: str) -> Choice:
    """Parse what the card's ChoiceSet sent: "b" or "a,c" (Teams joins multi-select values)."""
    picked = {part.strip() for part in (raw or "").split(",") if part.strip()}
    known = [option.id for option in question.options]
    if not picked:
        return Choice([], ChoiceProblem.EMPTY)
    if picked - set(known):
        return Choice([], ChoiceProblem.UNKNOWN)
    chosen = [option_id for option_id in known if option_id in picked]
    if question.type == "single" and len(chosen) > 1:
        return Choice(chosen, ChoiceProblem.ONE_ONLY)
    return Choice(chosen)


def is_correct(question: QuestionLike, chosen: Sequence[str]) -> bool:
    """All right options and nothing else (multiple choice has no partial credit)."""
    return set(chosen) == set(correct_options(question))


def next_question(question_ids: Sequence[str], answers: Mapping[str, QuizAnswer]) -> str | None:
    return next((qid for qid in question_ids if qid not in answers), None)


@dataclass(frozen=True)
class QuizResult:
    right: int
    total: int
    score: float  # 0..100, one decimal
    passed: bool
    missed: list[str]  # question ids answered wrongly (or not at all), in the attempt's order


def score(question_ids: Sequence[str], answers: Mapping[str, QuizAnswer],
          pass_mark: int = DEFAULT_PASS_MARK) -> QuizResult:
    missed = [qid for qid in question_ids if not (qid in answers and answers[qid].correct)]
    total = len(question_ids)
    right = total - len(missed)
    # Compared in whole numbers: 4 of 5 right is exactly 80 %, whatever floats say.
    passed = total > 0 and right * 100 >= pass_mark * total
    return QuizResult(right, total, round(100 * right / total, 1) if total else 0.0, passed, missed)


def best_results(attempts: Iterable[QuizAttempt]) -> dict[str, QuizAttempt]:
    """Per module, the worker's best submitted attempt: a pass over a fail, then the higher
    score, then the earlier one."""
    best: dict[str, QuizAttempt] = {}
    for attempt in attempts:
        if attempt.status != AttemptStatus.SUBMITTED:
            continue
        held = best.get(attempt.module_id)
        rank = (bool(attempt.passed), attempt.score or 0.0)
        if held is None or rank > (bool(held.passed), held.score or 0.0):
            best[attempt.module_id] = attempt
    return best
