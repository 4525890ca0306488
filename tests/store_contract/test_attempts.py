from __future__ import annotations

import asyncio

from domain.models import AttemptStatus
from bot.store.port import Store, WriteOutcome

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
    refused = await store.attempts.record_answer("w2", "a1", answer("q1", True))
    assert (refused.outcome, refused.attempt) == (WriteOutcome.MISSING, None)
    refused = await store.attempts.submit_attempt("w2", "a1", 100.0, True, nov(3))
    assert (refused.outcome, refused.attempt) == (WriteOutcome.MISSING, None)

    untouched = await store.attempts.get_attempt("w1", "a1")
    assert untouched.answers == {} and untouched.status == AttemptStatus.IN_PROGRESS


async def test_the_first_answer_to_a_question_counts(store: Store) -> None:
    created = await store.attempts.create_attempt(attempt("a1", "w1"))
    first = answer("q1", False, chosen="b", when=nov(2, 13, 1))

    recorded = await store.attempts.record_answer("w1", "a1", first)
    assert recorded.outcome == WriteOutcome.WRITTEN
    assert (recorded.attempt.answers, recorded.attempt.version) == ({"q1": first}, created.version + 1)
    repeat = await store.attempts.record_answer("w1", "a1", answer("q1", True, chosen="a"))
    assert repeat.outcome == WriteOutcome.ALREADY_ANSWERED
    assert repeat.attempt == recorded.attempt  # the stored state, unchanged
    second = await store.attempts.record_answer("w1", "a1", answer("q2", True))
    assert second.outcome == WriteOutcome.WRITTEN

    stored = await store.attempts.get_attempt("w1", "a1")
    assert stored.answers == {"q1": first, "q2": answer("q2", True)}
    assert second.attempt == stored  # the write returned exactly what a read gives


async def test_ten_identical_answers_at_once_store_one(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))

    results = await asyncio.gather(
        *(store.attempts.record_answer("w1", "a1", answer("q3", True)) for _ in range(10)))

    outcomes = [r.outcome for r in results]
    assert outcomes.count(WriteOutcome.WRITTEN) == 1
    assert outcomes.count(WriteOutcome.ALREADY_ANSWERED) == 9
    assert list((await store.attempts.get_attempt("w1", "a1")).answers) == ["q3"]


async def test_answers_to_unknown_attempts_or_questions_are_refused(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1", question_ids=["q1", "q2"]))

    missing = await store.attempts.record_answer("w1", "nope", answer("q1", True))
    assert (missing.outcome, missing.attempt) == (WriteOutcome.MISSING, None)
    unknown = await store.attempts.record_answer("w1", "a1", answer("q9", True))
    assert unknown.outcome == WriteOutcome.UNKNOWN_QUESTION
    assert unknown.attempt.answers == {}
    assert (await store.attempts.get_attempt("w1", "a1")).answers == {}


async def test_a_question_id_with_quotes_is_answered_exactly(store: Store) -> None:
    odd = 'q"1\\ OR true'
    await store.attempts.create_attempt(attempt("a1", "w1", question_ids=[odd, "q2"]))

    assert (await store.attempts.record_answer("w1", "a1", answer(odd, True))).written
    repeat = await store.attempts.record_answer("w1", "a1", answer(odd, False))
    assert repeat.outcome == WriteOutcome.ALREADY_ANSWERED
    assert list(repeat.attempt.answers) == [odd]


async def test_submit_closes_the_attempt_once(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))
    await store.attempts.record_answer("w1", "a1", answer("q1", True))

    submitted = await store.attempts.submit_attempt("w1", "a1", 80.0, True, nov(3, 9))
    assert submitted.outcome == WriteOutcome.WRITTEN
    again = await store.attempts.submit_attempt("w1", "a1", 10.0, False, nov(3, 10))
    assert again.outcome == WriteOutcome.CLOSED

    stored = await store.attempts.get_attempt("w1", "a1")
    assert submitted.attempt == stored and again.attempt == stored
    assert stored.status == AttemptStatus.SUBMITTED
    assert (stored.score, stored.passed, stored.submitted_at) == (80.0, True, nov(3, 9))
    assert list(stored.answers) == ["q1"]


async def test_no_answer_after_submit(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))
    await store.attempts.submit_attempt("w1", "a1", 0.0, False, nov(3))

    closed = await store.attempts.record_answer("w1", "a1", answer("q1", True))
    assert closed.outcome == WriteOutcome.CLOSED
    assert closed.attempt.status == AttemptStatus.SUBMITTED
    assert (await store.attempts.get_attempt("w1", "a1")).answers == {}


async def test_five_submits_at_once_close_it_once(store: Store) -> None:
    await store.attempts.create_attempt(attempt("a1", "w1"))

    results = await asyncio.gather(
        *(store.attempts.submit_attempt("w1", "a1", float(n), True, nov(3)) for n in range(5)))

    written = [r.written for r in results]
    assert written.count(True) == 1
    assert {r.outcome for r in results if not r.written} == {WriteOutcome.CLOSED}
    stored = await store.attempts.get_attempt("w1", "a1")
    assert stored.score == float(written.index(True))


async def test_submit_of_unknown_attempt_is_missing(store: Store) -> None:
    missing = await store.attempts.submit_attempt("w1", "nope", 50.0, False, nov(3))
    assert (missing.outcome, missing.attempt) == (WriteOutcome.MISSING, None)


async def test_list_is_the_workers_own_oldest_first(store: Store) -> None:
    await store.attempts.create_attempt(attempt("b", "w1", started_at=nov(5)))
    await store.attempts.create_attempt(attempt("a", "w1", started_at=nov(6)))
    await store.attempts.create_attempt(attempt("c", "w2", started_at=nov(4)))
    await store.attempts.record_answer("w1", "b", answer("q2", False))

    listed = await store.attempts.list_attempts("w1")

    assert [a.id for a in listed] == ["b", "a"]
    assert listed[0].answers == {"q2": answer("q2", False)}


async def test_the_open_attempt_is_the_newest_in_progress_one_of_that_module(store: Store) -> None:
    assert await store.attempts.open_attempt("w1", "outlook") is None
    await store.attempts.create_attempt(attempt("old", "w1", started_at=nov(2, 9)))
    newest = await store.attempts.create_attempt(attempt("new", "w1", started_at=nov(2, 10)))
    await store.attempts.create_attempt(attempt("other-module", "w1", "teams", started_at=nov(2, 11)))
    await store.attempts.create_attempt(attempt("other-worker", "w2", started_at=nov(2, 12)))
    await store.attempts.record_answer("w1", "new", answer("q1", True))

    assert await store.attempts.open_attempt("w1", "outlook") == await store.attempts.get_attempt("w1", "new")
    assert (await store.attempts.open_attempt("w1", "teams")).id == "other-module"
    await store.attempts.submit_attempt("w1", newest.id, 100.0, True, nov(3))
    assert (await store.attempts.open_attempt("w1", "outlook")).id == "old"
    await store.attempts.abandon_attempt("w1", "old")
    assert await store.attempts.open_attempt("w1", "outlook") is None
    assert await store.attempts.open_attempt("w3", "outlook") is None


async def test_abandon_closes_an_attempt_in_progress_once_and_counts_nowhere(store: Store) -> None:
    from domain.reports import ReportFilter

    created = await store.attempts.create_attempt(attempt("a1", "w1"))
    await store.attempts.record_answer("w1", "a1", answer("q1", False))

    abandoned = await store.attempts.abandon_attempt("w1", "a1")
    assert abandoned.outcome == WriteOutcome.WRITTEN
    assert abandoned.attempt.status == AttemptStatus.ABANDONED
    assert abandoned.attempt.version == created.version + 2 and abandoned.attempt.score is None
    assert await store.attempts.get_attempt("w1", "a1") == abandoned.attempt
    again = await store.attempts.abandon_attempt("w1", "a1")
    assert (again.outcome, again.attempt) == (WriteOutcome.CLOSED, abandoned.attempt)
    refused = await store.attempts.record_answer("w1", "a1", answer("q2", True))
    assert refused.outcome == WriteOutcome.CLOSED
    assert (await store.attempts.submit_attempt("w1", "a1", 0.0, False, nov(3))).outcome == WriteOutcome.CLOSED
    assert (await store.attempts.abandon_attempt("w2", "a1")).outcome == WriteOutcome.MISSING
    await store.attempts.create_attempt(attempt("done", "w1"))
    await store.attempts.submit_attempt("w1", "done", 80.0, True, nov(3))
    assert (await store.attempts.abandon_attempt("w1", "done")).outcome == WriteOutcome.CLOSED
    [counted] = (await store.reports.quiz_report(ReportFilter())).modules
    assert (counted.attempts, counted.most_missed) == (1, [])  # the abandoned one counts nowhere
