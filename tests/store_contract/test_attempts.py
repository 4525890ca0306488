from __future__ import annotations

import asyncio

from domain.models import AttemptStatus
from bot.store.port import Store

from .dataset import answer, attempt, nov


async def test_create_is_idempotent(store: Store) -> None:
    first = attempt("a1", "w1", seed=11)

    assert await store.attempts.create_attempt(first) == first
    repeat = await store.attempts.create_attempt(attempt("a1", "w1", seed=99, question_ids=["x"]))

    assert repeat == first
    assert await store.attempts.get_attempt("w1", "a1") == first


async def test_attempts_are_scoped_to_their_worker(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))

    assert await store.attempts.get_attempt("w2", "a1") is None
    assert await store.attempts.list_attempts("w2") == []
    assert await store.attempts.record_answer("w2", "a1", answer("q1", True)) is False
    assert await store.attempts.submit_attempt("w2", "a1", 100.0, True, nov(3)) is False

    untouched = await store.attempts.get_attempt("w1", "a1")
    assert untouched.answers == {} and untouched.status == AttemptStatus.IN_PROGRESS


async def test_the_first_answer_to_a_question_counts(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))
    first = answer("q1", False, chosen="b", when=nov(2, 13, 1))

    assert await store.attempts.record_answer("w1", "a1", first) is True
    assert await store.attempts.record_answer("w1", "a1", answer("q1", True, chosen="a")) is False
    assert await store.attempts.record_answer("w1", "a1", answer("q2", True)) is True

    stored = await store.attempts.get_attempt("w1", "a1")
    assert stored.answers == {"q1": first, "q2": answer("q2", True)}


async def test_ten_identical_answers_at_once_store_one(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))

    results = await asyncio.gather(
        *(store.attempts.record_answer("w1", "a1", answer("q3", True)) for _ in range(10)))

    assert results.count(True) == 1 and results.count(False) == 9
    assert list((await store.attempts.get_attempt("w1", "a1")).answers) == ["q3"]


async def test_answers_to_unknown_attempts_or_questions_are_refused(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1", question_ids=["q1", "q2"]))

    assert await store.attempts.record_answer("w1", "nope", answer("q1", True)) is False
    assert await store.attempts.record_answer("w1", "a1", answer("q9", True)) is False
    assert (await store.attempts.get_attempt("w1", "a1")).answers == {}


async def test_submit_closes_the_attempt_once(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))
    await store.attempts.record_answer("w1", "a1", answer("q1", True))

    assert await store.attempts.submit_attempt("w1", "a1", 80.0, True, nov(3, 9)) is True
    assert await store.attempts.submit_attempt("w1", "a1", 10.0, False, nov(3, 10)) is False

    stored = await store.attempts.get_attempt("w1", "a1")
    assert stored.status == AttemptStatus.SUBMITTED
    assert (stored.score, stored.passed, stored.submitted_at) == (80.0, True, nov(3, 9))
    assert list(stored.answers) == ["q1"]


async def test_no_answer_after_submit(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))
    await store.attempts.submit_attempt("w1", "a1", 0.0, False, nov(3))

    assert await store.attempts.record_answer("w1", "a1", answer("q1", True)) is False
    assert (await store.attempts.get_attempt("w1", "a1")).answers == {}


async def test_five_submits_at_once_close_it_once(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))

    results = await asyncio.gather(
        *(store.attempts.submit_attempt("w1", "a1", float(n), True, nov(3)) for n in range(5)))

    assert results.count(True) == 1
    stored = await store.attempts.get_attempt("w1", "a1")
    assert stored.score == float(results.index(True))


async def test_submit_of_unknown_attempt_is_false(store: Store) -> None:
    assert await store.attempts.submit_attempt("w1", "nope", 50.0, False, nov(3)) is False


async def test_list_is_the_workers_own_oldest_first(store: Store) -> None:
    await store.attempts.create_attempt(attempt("b", "w1", started_at=nov(5)))
    await store.attempts.create_attempt(attempt("a", "w1", started_at=nov(6)))
    await store.attempts.create_attempt(attempt("c", "w2", started_at=nov(4)))
    await store.attempts.record_answer("w1", "b", answer("q2", False))

    listed = await store.attempts.list_attempts("w1")

    assert [a.id for a in listed] == ["b", "a"]
    assert listed[0].answers == {"q2": answer("q2", False)}
