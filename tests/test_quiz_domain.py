"""The quiz rules in domain/quiz.py: reproducible shuffles, reading a choice, scoring."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from domain.models import QuizAnswer
from domain.quiz import (
    MAX_SEED,
    ChoiceProblem,
    is_correct,
    new_seed,
    next_question,
    option_order,
    question_order,
    read_choice,
    score,
)

IDS = [f"q{i}" for i in range(1, 9)]


@dataclass
class Opt:
    id: str
    correct: bool = False


@dataclass
class Q:
    id: str
    type: str = "single"
    options: list[Opt] = field(default_factory=list)


SINGLE = Q("q1", "single", [Opt("a"), Opt("b", True), Opt("c"), Opt("d")])
MULTIPLE = Q("q2", "multiple", [Opt("a", True), Opt("b"), Opt("c", True), Opt("d")])


def answers(**correct: bool) -> dict[str, QuizAnswer]:
    return {qid: QuizAnswer(question_id=qid, chosen=["a"], correct=ok) for qid, ok in correct.items()}


def test_question_order_is_a_reproducible_permutation() -> None:
    order = question_order(IDS, 12345)

    assert sorted(order) == sorted(IDS)
    assert question_order(IDS, 12345) == order
    assert len({tuple(question_order(IDS, seed)) for seed in range(20)}) > 10  # seeds matter


def test_option_order_is_reproducible_per_question() -> None:
    order = option_order(MULTIPLE, 99)

    assert sorted(order) == ["a", "b", "c", "d"]
    assert option_order(MULTIPLE, 99) == order
    assert len({tuple(option_order(MULTIPLE, seed)) for seed in range(30)}) > 5


def test_the_shuffle_does_not_depend_on_the_process_hash_seed() -> None:
    # Known values: a card rebuilt on another instance must show the same order.
    assert question_order(["q1", "q2", "q3", "q4"], 7) == ["q3", "q1", "q4", "q2"]
    expected = list(IDS)
    random.Random("questions/2024").shuffle(expected)
    assert question_order(IDS, 2024) == expected


def test_new_seeds_fit_in_json_numbers() -> None:
    rng = random.Random(1)
    assert all(0 <= new_seed(rng) < MAX_SEED for _ in range(100))


@pytest.mark.parametrize("raw", ["", "   ", ",", " , "])
def test_an_empty_choice_is_a_problem(raw: str) -> None:
    assert read_choice(SINGLE, raw).problem is ChoiceProblem.EMPTY


def test_an_unknown_option_is_refused() -> None:
    assert read_choice(SINGLE, "z").problem is ChoiceProblem.UNKNOWN
    assert read_choice(MULTIPLE, "a,zz").problem is ChoiceProblem.UNKNOWN


def test_single_choice_takes_one_option() -> None:
    assert read_choice(SINGLE, "b").chosen == ["b"] and read_choice(SINGLE, "b").problem is None
    assert read_choice(SINGLE, "a,b").problem is ChoiceProblem.ONE_ONLY


def test_multiple_choice_is_normalised_to_the_question_order() -> None:
    choice = read_choice(MULTIPLE, " c , a,c")

    assert choice.problem is None and choice.chosen == ["a", "c"]


def test_correct_means_exactly_the_right_options() -> None:
    assert is_correct(SINGLE, ["b"])
    assert not is_correct(SINGLE, ["a"])
    assert is_correct(MULTIPLE, ["c", "a"])
    assert not is_correct(MULTIPLE, ["a"])  # no partial credit
    assert not is_correct(MULTIPLE, ["a", "b", "c"])


def test_score_counts_right_answers_and_lists_the_missed_in_order() -> None:
    result = score(["q3", "q1", "q2", "q4", "q5"], answers(q1=True, q2=False, q3=True, q4=True, q5=False))

    assert (result.right, result.total, result.score) == (3, 5, 60.0)
    assert result.passed is False
    assert result.missed == ["q2", "q5"]


@pytest.mark.parametrize(("right", "total", "pass_mark", "passed"), [
    (4, 5, 80, True),  # exactly the pass mark passes
    (3, 5, 80, False),
    (8, 10, 80, True),
    (7, 10, 80, False),
    (5, 6, 80, True),  # 83.3 %
    (4, 6, 67, False),  # 66.7 % < 67
    (6, 6, 100, True),
    (5, 6, 100, False),
    (1, 7, 1, True),
])
def test_pass_mark(right: int, total: int, pass_mark: int, passed: bool) -> None:
    ids = [f"q{i}" for i in range(total)]
    result = score(ids, answers(**{qid: i < right for i, qid in enumerate(ids)}), pass_mark)

    assert result.passed is passed


def test_default_pass_mark_is_80() -> None:
    ids = ["q1", "q2", "q3", "q4", "q5"]
    assert score(ids, answers(q1=True, q2=True, q3=True, q4=True, q5=False)).passed
    assert not score(ids, answers(q1=True, q2=True, q3=True, q4=False, q5=False)).passed


def test_unanswered_questions_count_as_missed() -> None:
    result = score(["q1", "q2"], answers(q1=True))

    assert result.missed == ["q2"] and result.score == 50.0


def test_score_is_rounded_to_one_decimal() -> None:
    assert score(["a", "b", "c"], answers(a=True, b=False, c=False)).score == 33.3


def test_next_question_follows_the_attempt_order() -> None:
    assert next_question(["q3", "q1", "q2"], answers(q3=True)) == "q1"
    assert next_question(["q3", "q1"], answers(q3=True, q1=False)) is None
