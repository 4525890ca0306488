"""Exactly once: double-clicks, redeliveries, two instances and old cards never record an
answer twice or change a submitted attempt."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.content import Catalog, Module
from domain.models import AttemptStatus, EventKind
from bot.store.port import Store
from bot.store.sqlite import SqliteStore
from dialogs.router import Router
from card_reading import action, cards, has_action, question_cards, texts_of
from chat import ui, Chat, Interleaved, quiz_module, right_choice, stored_events, wrong_choice


async def start(chat: Chat, module: Module) -> dict:
    [card] = question_cards(await chat.say(f"quiz {module.id}"))
    return card


async def same_click_at_once(chat: Chat, data: dict, times: int = 5, **choice: str) -> list:
    """The same card payload delivered `times` times concurrently (same dedupe key), with
    the flows interleaving at every store call."""
    racing = Chat(Interleaved(chat.store), chat.router, chat.worker.id)
    racing.clock = chat.clock
    pairs = [racing.click_turn(data, **choice) for _ in range(times)]
    await asyncio.gather(*(chat.router.on_action(turn, payload) for turn, payload in pairs))
    return [turn for turn, _ in pairs]


async def answer_until_last(chat: Chat, module: Module, card: dict) -> dict:
    """Answer all but the last question; returns the last question's card."""
    for _ in range(len(module.quiz.questions) - 1):
        data = action(card, "quiz.answer")
        [card] = question_cards(await chat.click(data, choice=right_choice(module, data["question"])))
    return card


async def test_a_double_click_records_one_answer_and_sends_one_next_card(
        chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    data = action(await start(chat, module), "quiz.answer")

    turns = await same_click_at_once(chat, data, choice=right_choice(module, data["question"]))

    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert list(attempt.answers) == [data["question"]]
    assert sum(len(question_cards(t)) for t in turns) == 1
    assert all(t.replacement is not None and ui("quiz.correct") in texts_of(t.replacement) for t in turns)
    assert sum("already answered" in texts_of(t.replacement) for t in turns) == 4


async def test_concurrent_different_answers_keep_the_first(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    data = action(await start(chat, module), "quiz.answer")
    right, wrong = right_choice(module, data["question"]), wrong_choice(module, data["question"])
    racing = Chat(Interleaved(chat.store), chat.router, chat.worker.id)
    pairs = [racing.click_turn(data, choice=c) for c in (wrong, right, right, wrong)]

    await asyncio.gather(*(chat.router.on_action(t, p) for t, p in pairs))

    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    stored = attempt.answers[data["question"]]
    assert stored.chosen == wrong.split(",") and stored.correct is False
    verdicts = {(ui("quiz.correct") in texts_of(t.replacement)) for t, _ in pairs}
    assert verdicts == {False}  # every card shows the answer that counts


async def test_a_double_click_on_the_last_answer_submits_once(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    last = await answer_until_last(chat, module, await start(chat, module))
    data = action(last, "quiz.answer")

    turns = await same_click_at_once(chat, data, choice=right_choice(module, data["question"]))

    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100.0
    results = [c for t in turns for c in cards(t) if ui("quiz.result.title", module=module.title) in texts_of(c)]
    assert len(results) == 1
    kinds = [e["kind"] for e in stored_events(chat.store)]
    assert kinds.count(EventKind.QUIZ_SUBMITTED.value) == 1
    assert kinds.count(EventKind.QUIZ_STARTED.value) == 1


async def test_a_redelivered_start_makes_one_attempt(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    menu = cards(await chat.say("menu"))[0]
    data = next(a["data"] for a in menu["actions"] + [
        b for row in menu["body"] for col in row.get("columns", []) for item in col["items"]
        for b in item.get("actions", [])] if a["data"].get("module") == module.id
        and a["data"]["verb"] == "quiz.start")

    turns = await same_click_at_once(chat, data)

    attempts = await chat.store.attempts.list_attempts(chat.worker.id)
    assert len(attempts) == 1
    assert {action(question_cards(t)[0], "quiz.answer")["attempt"] for t in turns} == {attempts[0].id}
    assert [e["kind"] for e in stored_events(chat.store)].count(EventKind.QUIZ_STARTED.value) == 1


async def test_an_old_card_after_submission_changes_nothing(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    first = await start(chat, module)
    first_data = action(first, "quiz.answer")
    last = await answer_until_last(chat, module, first)
    data = action(last, "quiz.answer")
    await chat.click(data, choice=right_choice(module, data["question"]))
    [before] = await chat.store.attempts.list_attempts(chat.worker.id)

    turn = await chat.click(first_data, choice=wrong_choice(module, first_data["question"]))

    [after] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert after == before
    assert ui("quiz.already_answered") in texts_of(turn.replacement)
    assert ui("quiz.correct") in texts_of(turn.replacement)
    [notice] = cards(turn)
    assert ui("quiz.already_submitted", module=module.title, score=f"{after.score:g}") in texts_of(notice)
    assert has_action(notice, "quiz.start")


async def test_an_answer_for_an_old_attempt_changes_nothing(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    first = await start(chat, module)
    old = action(first, "quiz.answer")
    last = action(await answer_until_last(chat, module, first), "quiz.answer")
    [result] = cards(await chat.click(last, choice=right_choice(module, last["question"])))
    await chat.click(action(result, "quiz.start"))  # retake: a new attempt in progress
    before = await chat.store.attempts.list_attempts(chat.worker.id)
    assert [a.status for a in before] == [AttemptStatus.SUBMITTED, AttemptStatus.IN_PROGRESS]

    turn = await chat.click(old, choice=wrong_choice(module, old["question"]))

    assert await chat.store.attempts.list_attempts(chat.worker.id) == before
    assert "already answered" in texts_of(turn.replacement)
    assert question_cards(turn) == []


async def test_an_older_card_in_progress_shows_where_the_worker_is(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    first = action(await start(chat, module), "quiz.answer")
    [second] = question_cards(await chat.click(first, choice=right_choice(module, first["question"])))
    second_data = action(second, "quiz.answer")
    [third] = question_cards(await chat.click(second_data, choice=wrong_choice(module, second_data["question"])))

    turn = await chat.click(first, choice=wrong_choice(module, first["question"]))

    assert "already answered" in texts_of(turn.replacement)
    assert "where you are" in texts_of(turn.replies[0])
    [current] = question_cards(turn)
    assert action(current, "quiz.answer")["question"] == action(third, "quiz.answer")["question"]
    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert attempt.answers[first["question"]].correct is True


async def test_another_workers_attempt_is_a_stale_card(store: Store, router: Router, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    owner, intruder = Chat(store, router, "owner"), Chat(store, router, "intruder")
    data = action(await start(owner, module), "quiz.answer")

    turn = await intruder.click(data, choice=right_choice(module, data["question"]))

    assert "older conversation" in texts_of(turn.replies[0])
    [attempt] = await store.attempts.list_attempts("owner")
    assert attempt.answers == {}
    assert await store.attempts.list_attempts("intruder") == []


async def test_an_unknown_attempt_or_question_is_a_stale_card(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    data = action(await start(chat, module), "quiz.answer")

    unknown_attempt = await chat.click({**data, "attempt": "nope"}, choice="a")
    unknown_question = await chat.click({**data, "question": "q999"}, choice="a")

    for turn in (unknown_attempt, unknown_question):
        assert "older conversation" in texts_of(turn.replies[0])
    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert attempt.answers == {}


async def test_two_instances_on_one_sqlite_file_record_once(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "shared.db"
    first, second = SqliteStore(path), SqliteStore(path)
    await first.open()
    await second.open()
    try:
        module = quiz_module(catalog)
        chat_a, chat_b = Chat(first, Router(catalog)), Chat(second, Router(catalog))
        last = await answer_until_last(chat_a, module, await start(chat_a, module))
        data = action(last, "quiz.answer")
        choice = right_choice(module, data["question"])
        pairs = [chat_a.click_turn(data, choice=choice), chat_b.click_turn(data, choice=choice),
                 chat_a.click_turn(data, choice=choice), chat_b.click_turn(data, choice=choice)]

        await asyncio.gather(*(chat.router.on_action(t, p)
                               for chat, (t, p) in zip([chat_a, chat_b, chat_a, chat_b], pairs)))

        [attempt] = await second.attempts.list_attempts(chat_a.worker.id)
        assert attempt.status == AttemptStatus.SUBMITTED
        assert len(attempt.answers) == len(module.quiz.questions)
        results = [c for t, _ in pairs for c in cards(t)
                   if ui("quiz.result.title", module=module.title) in texts_of(c)]
        assert len(results) == 1
        assert [e["kind"] for e in stored_events(first)].count(EventKind.QUIZ_SUBMITTED.value) == 1
    finally:
        await first.close()
        await second.close()
