"""Group chats and channels: no personal greeting, and every answer's way on is a link that
opens the worker's 1:1 chat with the bot (a Teams deep link), not a button that cannot work."""

from __future__ import annotations

import pytest

from bot.content import Catalog
from card_reading import assert_theme_aware, card_texts, cards, nodes
from chat import BOT_ID, Chat, ui
from dialogs.router import Router

CHAT_LINK = f"https://teams.microsoft.com/l/chat/0/0?users={BOT_ID}"
PERSONAL_VERBS = {"menu", "module.start", "module.step", "quiz.start", "feedback.open", "mydata.show"}


def open_urls(card: dict) -> list[str]:
    return [node["url"] for node in nodes(card) if node.get("type") == "Action.OpenUrl"]


def verbs(card: dict) -> set[str]:
    return {(node.get("data") or {}).get("verb") for node in nodes(card, into_fallbacks=True)} - {None}


@pytest.fixture
def group(store, catalog: Catalog) -> Chat:
    return Chat(store, Router(catalog), personal=False)


async def test_the_welcome_in_a_group_greets_no_one_by_name(group: Chat) -> None:
    [card] = cards(await group.install())
    texts = card_texts(card)
    assert ui("welcome.title_no_name") in texts and not any("Alex" in t for t in texts)
    assert open_urls(card) == [CHAT_LINK] and "menu" not in verbs(card)
    assert_theme_aware(card)


@pytest.mark.parametrize("said", ["how do I reset my password", "hoe reset ik mijn wachtwoord?", "qwx zzv", "hi",
                                  "menu", "quiz password-reset", "my data", "help", "?", "language", "thanks!",
                                  "feedback", "restart password-reset", "report"])
async def test_answers_in_a_group_lead_to_the_one_to_one_chat(group: Chat, said: str) -> None:
    [card] = cards(await group.say(f"<at>Adoption Coach</at> {said}"))
    assert open_urls(card) == [CHAT_LINK]
    assert not verbs(card) & PERSONAL_VERBS, verbs(card)
    assert_theme_aware(card)


async def test_a_personal_card_clicked_in_a_group_gets_the_link(group: Chat) -> None:
    [card] = cards(await group.click({"verb": "module.start", "module": "password-reset", "n": "g1"}))
    assert ui("group.personal_only") in card_texts(card) and open_urls(card) == [CHAT_LINK]


@pytest.mark.parametrize("clicked", [{"verb": "help", "n": "g2"}, {"verb": "no.such.verb", "n": "g3"},
                                     {"verb": "language.set", "language": "sv", "n": "g4"}])
async def test_every_card_a_click_in_a_group_gets_leads_to_the_one_to_one_chat(group: Chat, clicked: dict) -> None:
    [card] = cards(await group.click(clicked))
    assert open_urls(card) == [CHAT_LINK]
    assert not verbs(card) - {"help"}, verbs(card)
    assert_theme_aware(card)


async def test_the_same_answers_in_the_one_to_one_chat_keep_their_buttons(chat: Chat) -> None:
    [card] = cards(await chat.say("how do I reset my password"))
    assert open_urls(card) == [] and "module.start" in verbs(card)
