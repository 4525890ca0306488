"""The quiz flow through the Router on the memory store and a real SQLite file."""

from __future__ import annotations

import re

import pytest

from bot.content import Catalog, LocaleContent, Module
from domain.models import AttemptStatus, EventKind
from domain.quiz import option_order, question_order
from bot.store.port import Store
from dialogs.router import Router
from card_reading import action, assert_theme_aware, card_actions, cards, has_action, inputs, question_cards, texts_of
from chat import ui, Chat, quiz_module, right_choice, stored_events, wrong_choice

NONCE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


async def start(chat: Chat, module: Module) -> dict:
    turn = await chat.say(f"quiz {module.id}")
    [card] = question_cards(turn)
    return card


async def answer_all(chat: Chat, module: Module, first: dict, choose) -> tuple[list[dict], dict]:
    """Answer every question with `choose(module, question_id)`; returns the answered-card
    replacements and the result card."""
    card, replacements = first, []
    while True:
        data = action(card, "quiz.answer")
        turn = await chat.click(data, choice=choose(module, data["question"]))
        replacements.append(turn.replacement)
        [following] = cards(turn)
        if not has_action(following, "quiz.answer"):
            return replacements, following
        card = following


async def test_a_question_card_is_one_question_with_a_choice_set(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    card = await start(chat, module)
    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    question = module.question(attempt.question_ids[0])

    choice = inputs(card)["choice"]
    assert choice["type"] == "Input.ChoiceSet" and choice["style"] == "expanded"
    assert choice["isMultiSelect"] is (question.type == "multiple")
    assert [c["value"] for c in choice["choices"]] == option_order(question, attempt.seed)
    submit = next(a for a in card["actions"] if a["type"] == "Action.Execute")
    assert submit["fallback"]["type"] == "Action.Submit"
    assert submit["data"] == {"verb": "quiz.answer", "attempt": attempt.id, "question": question.id,
                              "n": submit["data"]["n"]}
    assert question.text in texts_of(card)
    assert f"1 of {len(module.quiz.questions)}" in texts_of(card)
    assert_theme_aware(card)


async def test_the_attempt_is_stored_with_its_seed_and_order(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await start(chat, module)

    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert NONCE.match(attempt.id)
    assert attempt.module_id == module.id and attempt.locale == "en" and attempt.campaign_id is None
    assert attempt.question_ids == question_order([q.id for q in module.quiz.questions], attempt.seed)
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.answers == {}
    assert [e["kind"] for e in stored_events(chat.store)].count(EventKind.QUIZ_STARTED.value) == 1


async def test_all_right_passes_and_is_stored(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    replacements, result = await answer_all(chat, module, await start(chat, module), right_choice)

    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at is not None
    assert attempt.score == 100.0 and attempt.passed is True
    assert set(attempt.answers) == set(attempt.question_ids)
    assert all(a.correct for a in attempt.answers.values())
    assert all(ui("quiz.correct") in texts_of(r) and not inputs(r) and not r.get("actions") for r in replacements)
    total = len(module.quiz.questions)
    assert ui("quiz.result.passed", pass_mark=module.quiz.pass_mark) in texts_of(result)
    assert ui("quiz.result.score", right=total, total=total, score="100") in texts_of(result)
    assert has_action(result, "quiz.start") and has_action(result, "module.start")
    assert_theme_aware(result)
    kinds = [e["kind"] for e in stored_events(chat.store)]
    assert kinds.count(EventKind.QUIZ_SUBMITTED.value) == 1


async def test_wrong_answers_fail_and_the_result_names_the_missed_questions(
        chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    replacements, result = await answer_all(chat, module, await start(chat, module), wrong_choice)

    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert attempt.score == 0.0 and attempt.passed is False
    assert ui("quiz.result.failed", pass_mark=module.quiz.pass_mark) in texts_of(result)
    for question in module.quiz.questions:
        assert question.text in texts_of(result)
    wrong = replacements[0]
    assert ui("quiz.wrong") in texts_of(wrong)
    first = module.question(attempt.question_ids[0])
    shown = option_order(first, attempt.seed)
    right = [o.text for o in sorted(first.options, key=lambda o: shown.index(o.id)) if o.correct]
    assert ui("quiz.right_answer", answer=", ".join(right)) in texts_of(wrong)
    assert any(o.explanation in texts_of(wrong) for o in first.options)
    assert '"color": "Attention"' in str(wrong).replace("'", '"')


async def test_the_pass_mark_comes_from_the_content(store: Store, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    lenient = module.model_copy(update={"quiz": module.quiz.model_copy(update={"pass_mark": 10})})
    small = Catalog({"en": LocaleContent("en", ui=catalog.ui("en"), modules={module.id: lenient})})
    chat = Chat(store, Router(small))
    first = await start(chat, lenient)
    picks = iter(range(100))

    _, result = await answer_all(chat, lenient, first,
                                 lambda m, q: right_choice(m, q) if next(picks) == 0 else wrong_choice(m, q))

    [attempt] = await store.attempts.list_attempts(chat.worker.id)
    assert attempt.passed is True and ui("quiz.result.passed", pass_mark=10) in texts_of(result)


async def test_an_empty_choice_asks_to_pick_and_shows_the_same_question(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    card = await start(chat, module)
    data = action(card, "quiz.answer")

    turn = await chat.click(data, choice="")

    again = turn.replacement
    assert ui("quiz.pick_answer") in texts_of(again)
    assert action(again, "quiz.answer")["question"] == data["question"]
    assert inputs(again)["choice"]["choices"] == inputs(card)["choice"]["choices"]
    assert cards(turn) == []
    assert (await chat.store.attempts.list_attempts(chat.worker.id))[0].answers == {}


async def test_an_unknown_option_is_refused(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    data = action(await start(chat, module), "quiz.answer")

    turn = await chat.click(data, choice="zz")

    assert "couldn't read that answer" in texts_of(turn.replacement)
    assert (await chat.store.attempts.list_attempts(chat.worker.id))[0].answers == {}


async def test_two_options_on_a_single_choice_question_are_refused(store: Store, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    chat = Chat(store, Router(catalog))
    card = await start(chat, module)
    while module.question(action(card, "quiz.answer")["question"]).type != "single":
        data = action(card, "quiz.answer")
        [card] = cards(await chat.click(data, choice=right_choice(module, data["question"])))
    data = action(card, "quiz.answer")
    options = [o.id for o in module.question(data["question"]).options]

    turn = await chat.click(data, choice=f"{options[0]},{options[1]}")

    assert "pick just one" in texts_of(turn.replacement)
    attempt = (await store.attempts.list_attempts(chat.worker.id))[0]
    assert data["question"] not in attempt.answers


async def test_quiz_command_without_or_with_an_unknown_module(chat: Chat) -> None:
    turn = await chat.say("quiz")
    assert ui("quiz.which") in texts_of(turn.replies[0]) and has_action(cards(turn)[-1], "quiz.start")

    turn = await chat.say("quiz zzqqxx")  # names no module: answered as free text
    assert question_cards(turn) == []
    assert await chat.store.attempts.list_attempts(chat.worker.id) == []


async def test_the_menu_button_starts_the_quiz(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    menu = cards(await chat.say("menu"))[0]
    quiz_button = next(a["data"] for a in card_actions(menu)
                       if a["data"].get("verb") == "quiz.start" and a["data"]["module"] == module.id)

    turn = await chat.click(quiz_button)

    assert len(question_cards(turn)) == 1
    assert module.title in texts_of(question_cards(turn)[0])


async def test_retake_starts_a_new_attempt(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    _, result = await answer_all(chat, module, await start(chat, module), right_choice)

    turn = await chat.click(action(result, "quiz.start"))
    again = await chat.click(action(result, "quiz.start"))  # the same old Retake button, later

    attempts = await chat.store.attempts.list_attempts(chat.worker.id)
    assert len(attempts) == 2 and attempts[1].status == AttemptStatus.IN_PROGRESS
    assert action(question_cards(turn)[0], "quiz.answer")["attempt"] == attempts[1].id
    assert action(question_cards(again)[0], "quiz.answer")["attempt"] == attempts[1].id  # resumed
    assert attempts[0].seed != attempts[1].seed


async def test_back_to_the_module_opens_it(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    _, result = await answer_all(chat, module, await start(chat, module), right_choice)

    turn = await chat.click(action(result, "module.start"))

    assert module.steps[0].title in texts_of(cards(turn)[0])


async def test_a_start_without_a_card_nonce_still_makes_separate_attempts(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    bare = {"verb": "quiz.start", "module": module.id}  # a foreign or hand-made payload

    await chat.click(bare)
    await chat.click(bare)

    attempts = await chat.store.attempts.list_attempts(chat.worker.id)
    assert len(attempts) == 2 and all(NONCE.match(a.id) for a in attempts)


async def test_the_completion_card_offers_the_quiz_and_feedback(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await chat.click({"verb": "module.start", "module": module.id, "n": "s"})
    [completion] = cards(await chat.click({"verb": "module.finish", "module": module.id, "n": "f"}))

    assert action(completion, "feedback.open")["module"] == module.id
    turn = await chat.click(action(completion, "quiz.start"))
    assert len(question_cards(turn)) == 1


@pytest.mark.parametrize("language", ["en", "sv", "nl"])
async def test_every_card_of_quiz_feedback_and_my_data_speaks_the_language(
        store: Store, catalog: Catalog, language: str) -> None:
    chat = Chat(store, Router(catalog), language=language)
    module = catalog.module(language, quiz_module(catalog).id)
    texts = catalog.ui(language)
    first = await start(chat, module)
    [attempt] = await store.attempts.list_attempts(chat.worker.id)
    assert module.question(attempt.question_ids[0]).text in texts_of(first)
    assert ui("quiz.position", language, module=module.title, number=1,
              total=len(attempt.question_ids)) in texts_of(first)
    data = action(first, "quiz.answer")
    assert texts["quiz.pick_answer"] in texts_of((await chat.click(data, choice="")).replacement)
    _, result = await answer_all(chat, module, first, wrong_choice)
    assert texts["quiz.result.title"].format(module=module.title) in texts_of(result)
    old = await chat.click(data, choice=right_choice(module, data["question"]))
    assert texts["quiz.already_answered"] in texts_of(old.replacement)

    [form] = cards(await chat.click({"verb": "feedback.open", "module": module.id, "n": "x"}))
    refused = await chat.click(action(form, "feedback.submit"), rating="", category="", text="y" * 2001)
    assert texts["feedback.missing_rating"] in texts_of(refused.replacement)
    thanks = await chat.click(action(form, "feedback.submit"), rating="3", category="device", text="ok")
    assert texts["feedback.thanks.title"] in texts_of(thanks.replacement)

    my_data = (await chat.click({"verb": "mydata.show", "n": "m"})).replacement
    assert texts["mydata.title"] in texts_of(my_data) and module.title in texts_of(my_data)
    confirm = (await chat.click(action(my_data, "mydata.delete"))).replacement
    done = (await chat.click(action(confirm, "mydata.delete"))).replacement
    assert texts["mydata.deleted"] in texts_of(done)
