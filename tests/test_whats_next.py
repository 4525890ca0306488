"""What's next (issue 13, item 5): "Next: <module>" after a module or a passed quiz, and the
menu with the best quiz result of each module and the time left."""

from __future__ import annotations

from bot.content import Catalog, Module
from domain.models import ProgressStatus
from domain.progress import minutes_left, next_module
from card_reading import action, card_actions, card_texts, cards, has_action, question_cards
from chat import Chat, quiz_module, right_choice, ui, wrong_choice
from bot.formats import Formats

EN = Formats("en", "en-US")


def test_the_next_module_follows_in_order_wraps_around_and_skips_done_ones() -> None:
    order = ["a", "b", "c", "d"]
    assert next_module(order, "b", done=set()) == "c"
    assert next_module(order, "b", done={"c"}) == "d"
    assert next_module(order, "d", done={"a"}) == "b"
    assert next_module(order, "b", done={"a", "c", "d"}) is None
    assert next_module(order, None, done={"a"}) == "b"


def test_minutes_left_is_the_share_of_steps_not_reached() -> None:
    assert minutes_left(10, 5, ProgressStatus.NOT_STARTED) == 10
    assert minutes_left(10, 5, ProgressStatus.IN_PROGRESS, 2) == 6
    assert minutes_left(10, 3, ProgressStatus.IN_PROGRESS, 2) == 4  # rounded up
    assert minutes_left(10, 5, ProgressStatus.DONE, 0) == 0


async def finish(chat: Chat, module: Module) -> dict:
    await chat.click({"verb": "module.start", "module": module.id, "n": f"s-{module.id}"})
    [completion] = cards(await chat.click({"verb": "module.finish", "module": module.id, "n": f"f-{module.id}"}))
    return completion


async def take_quiz(chat: Chat, module: Module, choose) -> dict:
    [card] = question_cards(await chat.say(f"quiz {module.id}"))
    while True:
        data = action(card, "quiz.answer")
        [following] = cards(await chat.click(data, choice=choose(module, data["question"])))
        if not has_action(following, "quiz.answer"):
            return following
        card = following


def main_action(card: dict) -> dict:
    [primary] = [a for a in card["actions"] if a.get("style") == "positive"]
    return primary


async def test_the_completion_card_leads_to_the_next_module_not_done(chat: Chat, catalog: Catalog) -> None:
    first, second, third = catalog.modules("en")[:3]
    await finish(chat, second)

    completion = await finish(chat, first)

    primary = main_action(completion)
    assert primary["title"] == ui("complete.next", module=third.title)  # the second is done
    assert primary["data"]["verb"] == "module.start" and primary["data"]["module"] == third.id
    assert completion["actions"][0] is primary and has_action(completion, "quiz.start")
    opened = await chat.click(primary["data"])
    assert third.steps[0].title in card_texts(cards(opened)[0])


async def test_a_passed_quiz_leads_to_the_next_module_and_a_failed_one_to_a_retake(
        chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    order = [m.id for m in catalog.modules("en")]
    following = catalog.module("en", order[(order.index(module.id) + 1) % len(order)])

    failed = await take_quiz(chat, module, wrong_choice)
    assert main_action(failed)["data"]["verb"] == "quiz.start"
    assert not any(a["title"].startswith(ui("complete.next", module="")) for a in card_actions(failed))
    passed = await take_quiz(chat, module, right_choice)
    assert main_action(passed)["title"] == ui("complete.next", module=following.title)
    assert main_action(passed)["data"]["module"] == following.id


async def test_the_menu_shows_the_best_quiz_result_and_the_time_left(chat: Chat, catalog: Catalog) -> None:
    modules = catalog.modules("en")
    module = quiz_module(catalog)
    fresh = card_texts(cards(await chat.say("menu"))[0])
    assert ui("menu.time_left", minutes=EN.minutes(sum(m.minutes for m in modules))) in fresh

    await take_quiz(chat, module, wrong_choice)
    after_fail = card_texts(cards(await chat.say("menu"))[0])
    assert ui("menu.quiz_failed", score=EN.percent(0)) in after_fail
    await take_quiz(chat, module, right_choice)
    await take_quiz(chat, module, wrong_choice)  # a worse one later does not hide the best
    menu = card_texts(cards(await chat.say("menu"))[0])

    line = menu[menu.index(f"**{module.title}**") + 2]
    assert line == ui("menu.quiz_passed", score=EN.percent(100))
    await chat.click({"verb": "module.step", "module": module.id, "step": 1, "n": "st"})
    menu = card_texts(cards(await chat.say("menu"))[0])
    left = minutes_left(module.minutes, len(module.steps), ProgressStatus.IN_PROGRESS, 1)
    assert menu[menu.index(f"**{module.title}**") + 2] == " · ".join(
        [ui("menu.minutes_left", minutes=EN.minutes(left)), ui("menu.quiz_passed", score=EN.percent(100))])
    assert ui("menu.time_left", minutes=EN.minutes(sum(m.minutes for m in modules) - module.minutes + left)) in menu
