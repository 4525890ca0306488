"""In-process transcripts of the training flow, on the memory store and a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3

from domain.models import EventKind, ProgressStatus
from domain.reports import ReportFilter
from bot.store.sqlite import SqliteStore
from card_reading import action_data, assert_theme_aware, card_texts
from chat import Chat, ui
from dialogs.router import Router

MFA = "mfa-sign-in"


async def walk_to_completion(chat, module_id: str, lang: str = "en") -> dict:
    """Press Next (or Done on exercises) until the completion card; returns it."""
    catalog = chat.router.catalog
    module = catalog.module(lang, module_id)
    turn = await chat.click({"verb": "module.start", "module": module_id, "n": "start"})
    card = turn.replies[-1]
    for index, step in enumerate(module.steps):
        assert step.title in card_texts(card), f"step {index} not shown"
        if step.exercise:
            turn = await chat.click(action_data(card, ui("step.done", lang)))
        elif index + 1 < len(module.steps):
            turn = await chat.click(action_data(card, ui("common.next", lang)))
        else:
            turn = await chat.click(action_data(card, ui("common.finish", lang)))
        card = turn.replies[-1]
    return card


async def test_install_welcomes_once_however_many_install_events(chat, catalog):
    first = await chat.install()
    again = await chat.install()
    assert len(first.replies) == 1
    assert ui("welcome.title", name="Alex") in card_texts(first.replies[0])
    assert again.replies == []


async def test_menu_lists_every_module_not_started(chat, catalog):
    turn = await chat.say("menu")
    texts = card_texts(turn.replies[0])
    for module in catalog.modules("en"):
        assert f"**{module.title}**" in texts
        assert ui("menu.status.not_started", minutes=module.minutes) in texts


async def test_complete_module_step_by_step_then_menu_shows_done(chat, catalog, store):
    completion = await walk_to_completion(chat, MFA)
    module = catalog.module("en", MFA)
    assert ui("complete.title", module=module.title) in card_texts(completion)
    menu = (await chat.say("menu")).replies[0]
    texts = card_texts(menu)
    assert texts[texts.index(f"**{module.title}**") + 1] == ui("menu.status.done")
    progress = await store.progress.get_progress("worker-1", MFA)
    assert progress.status == ProgressStatus.DONE and progress.minutes_to_complete >= 1
    report = await store.reports.usage_report(ReportFilter(module_id=MFA))
    assert (report.modules[0].started, report.modules[0].completed) == (1, 1)


async def test_resume_where_the_worker_left_off(chat, catalog):
    module = catalog.module("en", MFA)
    await chat.click({"verb": "module.start", "module": MFA, "n": "a"})
    await chat.click({"verb": "module.step", "module": MFA, "step": 2, "n": "b"})
    menu = (await chat.say("menu")).replies[0]
    assert ui("menu.status.in_progress", step=3, total=len(module.steps)) in card_texts(menu)
    resumed = await chat.click(action_data(menu, ui("menu.continue")))
    assert module.steps[2].title in card_texts(resumed.replies[-1])


async def test_back_button_and_stuck_help(chat, catalog):
    module = catalog.module("en", MFA)
    exercise_index = next(i for i, s in enumerate(module.steps) if s.exercise)
    turn = await chat.click({"verb": "module.step", "module": MFA, "step": exercise_index, "n": "x"})
    stuck = await chat.click(action_data(turn.replies[-1], ui("step.stuck")))
    assert module.steps[exercise_index].exercise.help in card_texts(stuck.replies[-1])
    if exercise_index > 0:
        back = await chat.click(action_data(turn.replies[-1], ui("common.back")))
        assert module.steps[exercise_index - 1].title in card_texts(back.replies[-1])


async def test_double_click_records_one_event(chat, store):
    data = {"verb": "exercise.stuck", "module": MFA, "step": 0, "n": "same-card"}
    module_step = next(i for i, s in enumerate(chat.router.catalog.module("en", MFA).steps) if s.exercise)
    data["step"] = module_step
    await asyncio.gather(*(chat.click(dict(data)) for _ in range(3)))
    report = await store.reports.usage_report(ReportFilter(module_id=MFA))
    assert report.modules[0].exercises_stuck == 1


async def test_restart_command_goes_back_to_step_one_and_keeps_done(chat, catalog, store):
    await walk_to_completion(chat, MFA)
    module = catalog.module("en", MFA)
    turn = await chat.say(f"restart {module.title}")
    assert ui("restart.done", module=module.title) in turn.replies
    assert module.steps[0].title in card_texts(turn.replies[-1])
    assert (await store.progress.get_progress("worker-1", MFA)).status == ProgressStatus.DONE


async def test_restart_without_a_module_asks_which_and_shows_menu(chat, catalog):
    turn = await chat.say("restart")
    assert ui("restart.which") in turn.replies
    assert ui("menu.title") in card_texts(turn.replies[-1])


async def test_command_word_followed_by_a_question_is_a_question(chat, catalog):
    for text in ("restart underwater basket weaving", "help me reset my password", "menu of the canteen"):
        turn = await chat.say(text)
        assert ui("restart.done", module="x").split("**")[0] not in " ".join(map(str, turn.replies))
        assert ui("menu.title") not in card_texts(turn.replies[0]), text
    reset = await chat.say("help me reset my password")
    assert catalog.module("en", "password-reset").title in " ".join(card_texts(reset.replies[0]))


async def test_localized_command_words_work_in_any_language(chat, catalog):
    for word in ("meny", "menu", "hjälp", "taal"):
        turn = await chat.say(word)
        assert turn.replies, word


async def test_language_choice_is_stored_and_used(chat, catalog, store):
    turn = await chat.say("language")
    assert ui("language.title") in card_texts(turn.replies[0])
    chosen = await chat.click(action_data(turn.replies[0], ui("language.name.sv")))
    assert ui("menu.title", "sv") in card_texts(chosen.replies[-1])
    assert (await store.workers.get_worker("worker-1")).language == "sv"
    menu = await chat.say("meny")
    assert ui("menu.title", "sv") in card_texts(menu.replies[0])
    back = await chat.click({"verb": "language.set", "language": "auto", "n": "z"})
    assert ui("menu.title") in card_texts(back.replies[-1])


async def test_teams_locale_picks_the_language(chat, catalog):
    chat.worker.teams_locale = "nl-BE"
    turn = await chat.say("menu")
    assert ui("menu.title", "nl") in card_texts(turn.replies[0])


async def test_free_text_answers_the_faq_or_offers_the_module(chat, catalog):
    turn = await chat.say("how do I reset my password")
    texts = " ".join(card_texts(turn.replies[0]))
    assert catalog.module("en", "password-reset").title in texts
    chat.worker.teams_locale = "sv-SE"
    turn = await chat.say("hur återställer jag mitt lösenord")
    assert catalog.module("sv", "password-reset").title in " ".join(card_texts(turn.replies[0]))


async def test_gibberish_gets_the_short_help_card(chat, catalog):
    turn = await chat.say("qwertyuiop zxcv")
    assert ui("unknown.title") in " ".join(card_texts(turn.replies[0]))


async def test_old_or_foreign_card_gets_a_friendly_reply(chat, catalog):
    for data in ({"verb": "something.old"}, {"foo": 1}, {"verb": "module.step", "module": MFA, "step": 99, "n": "a"}):
        turn = await chat.click(data)
        assert ui("stale.card") in " ".join(card_texts(turn.replies[0]))


async def test_group_chat_answers_but_training_runs_one_to_one(chat, catalog):
    chat.personal = False
    help_turn = await chat.say("<at>Adoption Coach</at> help")
    assert ui("help.title") in card_texts(help_turn.replies[0])
    menu_turn = await chat.say("<at>Adoption Coach</at> menu")
    assert menu_turn.replies == [ui("group.personal_only")]


async def test_usage_events_for_commands_are_recorded_once_per_activity(chat, store):
    turn = chat.turn("activity:redelivered")
    await chat.router.on_text(turn, "help")
    again = chat.turn("activity:redelivered")
    await chat.router.on_text(again, "help")
    stored = await turn.record(EventKind.COMMAND_USED, detail="help")
    assert stored is False  # the same activity id maps to the same event id



async def test_typing_feedback_leaves_no_usage_event(catalog, tmp_path):
    store = SqliteStore(tmp_path / "f.db")
    await store.open()
    chat = Chat(store, Router(catalog), "worker-9")
    await chat.say("feedback")
    await chat.say("help")
    await store.close()
    with sqlite3.connect(tmp_path / "f.db") as db:
        details = [row[0] for row in db.execute("SELECT detail FROM events WHERE kind = 'command_used'")]
    assert details == ["help"]


async def test_every_training_card_is_theme_aware(chat, catalog):
    replies = [*(await chat.install()).replies]
    for text in ("menu", "help", "language", "how do I reset my password", "zzz"):
        replies += (await chat.say(text)).replies
    module = catalog.module("en", MFA)
    exercise = next(i for i, s in enumerate(module.steps) if s.exercise)
    replies += (await chat.click({"verb": "module.step", "module": MFA, "step": exercise, "n": "t"})).replies
    replies += (await chat.click({"verb": "exercise.stuck", "module": MFA, "step": exercise, "n": "t"})).replies
    replies += (await chat.click({"verb": "module.finish", "module": MFA, "n": "t"})).replies
    sent = [r for r in replies if isinstance(r, dict)]
    assert len(sent) >= 9
    for card in sent:
        assert_theme_aware(card)
