"""One open quiz attempt per worker and module (issue 13, item 1): a second start offers to
continue or start over; starting over abandons the old attempt, whose cards stop counting."""

from __future__ import annotations

from bot.content import Catalog, Module
from domain.models import AttemptStatus
from domain.reports import ReportFilter
from card_reading import action, cards, has_action, question_cards, texts_of
from chat import Chat, quiz_module, right_choice, ui


async def started(chat: Chat, module: Module) -> tuple[dict, dict]:
    """Start the quiz and answer its first question; returns (first card, second card)."""
    [first] = question_cards(await chat.say(f"quiz {module.id}"))
    data = action(first, "quiz.answer")
    [second] = question_cards(await chat.click(data, choice=right_choice(module, data["question"])))
    return first, second


async def test_a_second_quiz_offers_to_continue_the_open_attempt(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    _, second = await started(chat, module)

    turn = await chat.say(f"quiz {module.id}")

    assert question_cards(turn) == []
    [offer] = cards(turn)
    [attempt] = await chat.store.attempts.list_attempts(chat.worker.id)
    assert ui("quiz.open.body", module=module.title, answered=1, total=len(attempt.question_ids)) in texts_of(offer)
    assert has_action(offer, "quiz.restart")
    resumed = await chat.click(action(offer, "quiz.continue"))
    [card] = question_cards(resumed)
    assert action(card, "quiz.answer") == {**action(second, "quiz.answer"), "n": action(card, "quiz.answer")["n"]}
    assert len(await chat.store.attempts.list_attempts(chat.worker.id)) == 1


async def test_start_over_abandons_the_old_attempt_and_its_cards_say_it_moved_on(
        chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    _, old_second = await started(chat, module)
    [offer] = cards(await chat.click({"verb": "quiz.start", "module": module.id, "n": "menu-2"}))
    restart = action(offer, "quiz.restart")

    turn = await chat.click(restart)
    repeat = await chat.click(restart)  # a double-click starts nothing more

    old, new = await chat.store.attempts.list_attempts(chat.worker.id)
    assert old.status == AttemptStatus.ABANDONED and new.status == AttemptStatus.IN_PROGRESS
    [fresh] = question_cards(turn)
    assert action(fresh, "quiz.answer")["attempt"] == new.id and "1 of" in texts_of(fresh)
    assert [action(c, "quiz.answer")["attempt"] for c in question_cards(repeat)] == [new.id]

    data = action(old_second, "quiz.answer")
    late = await chat.click(data, choice=right_choice(module, data["question"]))

    assert ui("quiz.moved_on") in texts_of(late.replacement) and not has_action(late.replacement, "quiz.answer")
    assert [action(c, "quiz.answer")["attempt"] for c in question_cards(late)] == [new.id]
    old_after, new_after = await chat.store.attempts.list_attempts(chat.worker.id)
    assert old_after.answers == old.answers and len(old.answers) == 1  # the late answer counts nowhere
    assert new_after.answers == {}
    assert (await chat.store.reports.quiz_report(ReportFilter())).modules == []


async def test_continue_on_an_offer_whose_attempt_was_started_over_shows_the_current_one(
        chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await started(chat, module)
    [offer] = cards(await chat.say(f"quiz {module.id}"))
    await chat.click(action(offer, "quiz.restart"))

    turn = await chat.click(action(offer, "quiz.continue"))  # the old offer, later

    old, new = await chat.store.attempts.list_attempts(chat.worker.id)
    assert question_cards(turn) == [] and has_action(cards(turn)[0], "quiz.continue")
    assert action(cards(turn)[0], "quiz.continue")["attempt"] == new.id
    assert len(await chat.store.attempts.list_attempts(chat.worker.id)) == 2
