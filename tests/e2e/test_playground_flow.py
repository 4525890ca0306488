"""Adoption Coach end to end, as a Teams user in the Microsoft 365 Agents Playground.

The tests of this module share one bot + playground and one worker (Alex Wilber), and run in
file order as one story: install, complete a module, restart the bot, switch languages...
Every expected text comes from content/<lang>/ (ui.yaml and the module files).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from .conftest import Content, start_stack
from .playground import GROUP_CHAT, BotMessage, PlaygroundClient, PlaygroundStack, card_nodes

pytestmark = pytest.mark.e2e


# --- what a user does, step by step ---------------------------------------------------------

def is_menu(content: Content, lang: str):
    return lambda m: m.heading == content.ui(lang, "menu.title")


def open_menu(chat: PlaygroundClient, content: Content, lang: str = "en") -> BotMessage:
    chat.send_text("menu")
    return chat.wait_for(is_menu(content, lang), what=f"menu card in {lang}")


def status_in_menu(menu: BotMessage, title: str) -> str:
    """The status line under a module's title in the menu card."""
    texts = menu.texts
    assert f"**{title}**" in texts, f"module {title!r} is not in the menu: {menu}"
    return texts[texts.index(f"**{title}**") + 1]


def use_language(chat: PlaygroundClient, content: Content, lang: str) -> BotMessage:
    """Type `language`, click the language's button; returns the menu that follows."""
    chat.send_text("language")
    choices = chat.wait_for(lambda m: m.find_button(verb="language.set") is not None, what="language card")
    chat.press(choices, verb="language.set", language=lang)
    name = content.ui(lang, f"language.name.{lang}")
    changed, now = content.ui(lang, "language.changed", language=name), content.ui(lang, "language.current", language=name)
    chat.wait_for(lambda m: m.kind == "updateMessage" and m.id == choices.id and m.shows(changed) and m.shows(now),
                  what=f"the language card updated to {changed!r} and {now!r}")
    return chat.wait_for(is_menu(content, lang), what=f"menu card in {lang}")


def step_position(content: Content, lang: str, module: dict, index: int) -> str:
    return content.ui(lang, "step.position", module=module["title"], step=index + 1, total=len(module["steps"]))


def wait_for_step(chat: PlaygroundClient, content: Content, lang: str, module: dict, index: int) -> BotMessage:
    position = step_position(content, lang, module, index)
    card = chat.wait_for(lambda m: position in m.texts, what=f"step card {position!r}")
    assert card.heading == module["steps"][index]["title"]
    return card


def walk_module(chat: PlaygroundClient, content: Content, lang: str, module_id: str, menu: BotMessage) -> BotMessage:
    """Start a module from the menu and go through every step: Done on an exercise, else Next,
    and Finish on the last step. Returns the completion card."""
    module = content.module(lang, module_id)
    chat.press(menu, verb="module.start", module=module_id)
    for index, step in enumerate(module["steps"]):
        card = wait_for_step(chat, content, lang, module, index)
        if step.get("exercise"):
            task = step["exercise"]["task"].strip()
            for url in re.findall(r"https://[^\s)]+?(?=[.,;:!?]?(?:\s|$))", task):  # shown as links
                assert card.shows(f"]({url})"), url
            for words in re.split(r"https://[^\s)]+?(?=[.,;:!?]?(?:\s|$))|\n\s*\n", task):
                assert not words.strip() or card.shows(words.strip()), words
            chat.press(card, verb="exercise.done", step=index)
        elif index + 1 < len(module["steps"]):
            chat.press(card, verb="module.step", step=index + 1)
        else:
            chat.press(card, verb="module.finish")
    title = content.ui(lang, "complete.title", module=module["title"])
    return chat.wait_for(lambda m: m.heading == title, what=f"completion card {title!r}")


# --- the story --------------------------------------------------------------------------------

def test_install_greets_once_with_the_welcome_card(chat: PlaygroundClient, content: Content) -> None:
    chat.install()
    install_mark = chat.cursor
    welcomes = {content.ui("en", "welcome.title", name="Alex")}  # the bot looks the name up
    welcome = chat.wait_for(lambda m: m.heading in welcomes, what="welcome card")
    assert welcome.shows(content.ui("en", "welcome.intro"))
    assert welcome.find_button(verb="menu")["title"] == content.ui("en", "welcome.start")

    chat.press(welcome, verb="menu")
    menu = chat.wait_for(is_menu(content, "en"), what="menu card")
    # Teams sends installationUpdate and conversationUpdate: still a single welcome card.
    assert [m.heading in welcomes for m in chat.messages[install_mark:]].count(True) == 1
    for module in content.modules("en"):
        assert status_in_menu(menu, module["title"]) == content.ui(
            "en", "menu.status.not_started", minutes=f"{module['minutes']} min")


def test_install_events_keep_the_workers_name(playground: PlaygroundStack, chat: PlaygroundClient,
                                              content: Content) -> None:
    """Install events carry no user name; Teams sends them again on every app load."""
    open_menu(chat, content)
    chat.install()
    open_menu(chat, content)
    database = playground.bot.env["SQLITE_PATH"]
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        names = db.execute("SELECT name FROM workers WHERE id = ?",
                           (playground.config["currentUser"]["aadObjectId"],)).fetchall()
    assert names == [(playground.config["currentUser"]["name"],)]


def test_complete_sign_in_with_mfa_step_by_step(chat: PlaygroundClient, content: Content) -> None:
    menu = open_menu(chat, content)
    done = walk_module(chat, content, "en", "mfa-sign-in", menu)
    assert done.find_button(verb="quiz.start", module="mfa-sign-in") is not None

    menu = open_menu(chat, content)
    assert status_in_menu(menu, content.module("en", "mfa-sign-in")["title"]) == content.ui("en", "menu.status.done")
    assert menu.shows(content.ui("en", "menu.summary", done=1, total=len(content.modules("en"))))


def test_progress_survives_a_bot_restart(playground: PlaygroundStack, chat: PlaygroundClient,
                                         content: Content) -> None:
    outlook = content.module("en", "outlook")
    menu = open_menu(chat, content)
    chat.press(menu, verb="module.start", module="outlook")
    first = wait_for_step(chat, content, "en", outlook, 0)
    chat.press(first, verb="module.step", step=1)
    wait_for_step(chat, content, "en", outlook, 1)

    playground.restart_bot()

    menu = open_menu(chat, content)
    assert status_in_menu(menu, content.module("en", "mfa-sign-in")["title"]) == content.ui("en", "menu.status.done")
    assert status_in_menu(menu, outlook["title"]) == content.ui(
        "en", "menu.status.in_progress", step=2, total=len(outlook["steps"]))
    assert menu.button(verb="module.start", module="outlook")["title"] == content.ui("en", "menu.continue")
    chat.press(menu, verb="module.start", module="outlook")
    wait_for_step(chat, content, "en", outlook, 1)  # resumes where it stopped


def test_choosing_swedish_switches_every_string(chat: PlaygroundClient, content: Content) -> None:
    menu = use_language(chat, content, "sv")
    assert menu.shows(content.ui("sv", "menu.intro"))
    for module in content.modules("sv"):
        assert f"**{module['title']}**" in menu.texts
    mfa_title = content.module("sv", "mfa-sign-in")["title"]
    assert status_in_menu(menu, mfa_title) == content.ui("sv", "menu.status.done")
    assert menu.find_button(verb="help")["title"] == content.ui("sv", "common.help")

    chat.send_text("help")
    help_card = chat.wait_for(lambda m: m.heading == content.ui("sv", "help.title"), what="Swedish help card")
    assert help_card.shows(content.ui("sv", "help.intro"))


@pytest.mark.parametrize("lang, module_id", [
    ("en", "windows-security"), ("sv", "allowed-apps"), ("nl", "password-reset")])
def test_walk_a_module_to_completion_in_each_language(chat: PlaygroundClient, content: Content,
                                                      lang: str, module_id: str) -> None:
    menu = use_language(chat, content, lang)
    assert f"**{content.module(lang, module_id)['title']}**" in menu.texts
    done = walk_module(chat, content, lang, module_id, menu)
    assert done.shows(content.ui(lang, "complete.body"))


def test_free_text_question_about_passwords_offers_password_reset(chat: PlaygroundClient, content: Content) -> None:
    use_language(chat, content, "en")
    chat.send_text("how do I reset my password")
    answer = chat.wait_for(lambda m: m.find_button(verb="module.start", module="password-reset") is not None,
                           what="an answer that opens the password-reset module")
    title = content.module("en", "password-reset")["title"]
    assert any(title in text for text in answer.texts), f"{title!r} not named in {answer}"


def test_group_chat_mention_gets_an_answer(chat: PlaygroundClient, content: Content) -> None:
    use_language(chat, content, "en")
    chat.send_text("<at>Adoption Coach</at> help", GROUP_CHAT, mention_bot=True)
    answer = chat.wait_for(lambda m: m.conversation_id == GROUP_CHAT, what="answer in the group chat")
    assert answer.heading == content.ui("en", "help.title")
    bot_user = chat.bot_id if chat.bot_id.startswith("28:") else f"28:{chat.bot_id}"
    one_to_one = [f"https://teams.microsoft.com/l/chat/0/0?users={bot_user}"]  # opens the 1:1 chat
    assert [n["url"] for n in card_nodes(answer.cards) if n.get("type") == "Action.OpenUrl"] == one_to_one
    assert not answer.buttons  # no Menu or Language that would only say "in the 1:1 chat"

    chat.send_text("<at>Adoption Coach</at> menu", GROUP_CHAT, mention_bot=True)
    answer = chat.wait_for(lambda m: m.conversation_id == GROUP_CHAT, what="answer in the group chat")
    assert answer.shows(content.ui("en", "group.personal_only"))  # training stays in the 1:1 chat
    links = [n["url"] for n in card_nodes(answer.cards) if n.get("type") == "Action.OpenUrl"]
    assert links == one_to_one
    assert not answer.buttons


def test_universal_action_invoke_is_answered(chat: PlaygroundClient, content: Content) -> None:
    """Clients that send Action.Execute (an adaptiveCard/action invoke) get the same flow."""
    menu = open_menu(chat, content)
    response = chat.invoke({"verb": "help", "n": "invoke-1"}, menu.id)
    assert response["type"] == "application/vnd.microsoft.activity.message"
    chat.wait_for(lambda m: m.heading == content.ui("en", "help.title"), what="help card after the invoke")


# --- the same story on Cosmos DB (the local Cosmos DB API server) -------------------------------

@pytest.fixture
def cosmos_playground(tmp_path: Path) -> Iterator[PlaygroundStack]:
    from cosmos_support import EMULATOR_KEY, shared_endpoint, unique_database

    store_env = {"STORE": "cosmos", "COSMOS_ENDPOINT": shared_endpoint(), "COSMOS_KEY": EMULATOR_KEY,
                 "COSMOS_DATABASE": unique_database(), "COSMOS_VERIFY_TLS": "false"}
    stack = start_stack("cosmos-flow", store_env, tmp_path)
    yield stack
    stack.stop()


@pytest.mark.cosmos
def test_playground_flow_on_cosmos(cosmos_playground: PlaygroundStack, content: Content) -> None:
    chat = cosmos_playground.client
    assert chat is not None
    chat.install()
    welcome = chat.wait_for(lambda m: m.find_button(verb="menu") is not None and m.shows(
        content.ui("en", "welcome.intro")), what="welcome card")
    chat.press(welcome, verb="menu")
    menu = chat.wait_for(is_menu(content, "en"), what="menu card")
    walk_module(chat, content, "en", "mfa-sign-in", menu)

    cosmos_playground.restart_bot()

    menu = open_menu(chat, content)
    assert status_in_menu(menu, content.module("en", "mfa-sign-in")["title"]) == content.ui("en", "menu.status.done")
