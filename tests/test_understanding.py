"""Free text in any language, answered in the worker's; small talk gets a kind word and the menu."""

from __future__ import annotations

import pytest

from bot.content import Catalog
from card_reading import action, card_texts, cards, has_action
from chat import Chat, ui
from dialogs.router import Router


@pytest.mark.parametrize(("language", "question"), [
    ("sv", "how do I reset my password?"),
    ("en", "hur återställer jag mitt lösenord?"),
    ("nl", "hur återställer jag mitt lösenord?"),
    ("en", "hoe reset ik mijn wachtwoord?"),
])
async def test_a_question_in_another_language_is_answered_in_the_workers(
        store, catalog: Catalog, language: str, question: str) -> None:
    chat = Chat(store, Router(catalog), language=language)
    [card] = cards(await chat.say(question))
    shown = " ".join(card_texts(card))
    assert catalog.module(language, "password-reset").title in shown
    assert ui("unknown.title", language) not in shown
    assert action(card, "module.start")["module"] == "password-reset"


async def test_an_faq_asked_in_english_is_answered_in_dutch(store, catalog: Catalog) -> None:
    english, dutch = catalog.module("en", "password-reset"), catalog.module("nl", "password-reset")
    chat = Chat(store, Router(catalog), language="nl")
    [card] = cards(await chat.say(english.faq[0].q))
    assert f"**{dutch.faq[0].q}**" in card_texts(card) and dutch.faq[0].a in card_texts(card)


@pytest.mark.parametrize(("language", "said", "kind"), [
    ("en", "hi", "greeting"), ("en", "Hello there!", "greeting"), ("en", "thanks!", "thanks"),
    ("en", "thank you so much", "thanks"), ("en", "?", "question"), ("en", "??", "question"),
    ("sv", "hej", "greeting"), ("sv", "tack så mycket!", "thanks"), ("sv", "hi", "greeting"),
    ("nl", "hoi", "greeting"), ("nl", "dank je wel", "thanks"), ("nl", "thanks", "thanks"),
])
async def test_small_talk_is_answered_with_the_menu_at_hand(
        store, catalog: Catalog, language: str, said: str, kind: str) -> None:
    chat = Chat(store, Router(catalog), language=language)
    [card] = cards(await chat.say(said))
    assert card_texts(card)[0] == ui(f"smalltalk.{kind}.reply", language)
    assert has_action(card, "menu") and has_action(card, "help")


async def test_a_greeting_inside_a_question_is_a_question(chat: Chat, catalog: Catalog) -> None:
    [card] = cards(await chat.say("hi, how do I reset my password and unlock my account?"))
    assert action(card, "module.start")["module"] == "password-reset"
