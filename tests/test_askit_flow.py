""""Ask IT": free text the bot cannot answer offers to send the question to IT; the question
is stored once as an inbox item (category question), whatever the clicks and redeliveries."""

from __future__ import annotations

import asyncio

import pytest

from card_reading import action, card_texts, has_action, texts_of
from chat import Chat, ui
from dialogs.router import Router
from domain.models import FeedbackCategory
from domain.triage import InboxFilter


def ask_it_button(card: dict) -> dict:
    [button] = [a for a in card["actions"] if a["data"].get("verb") == "askit"]
    return button["data"]


async def questions(chat: Chat) -> list:
    page = await chat.store.triage.list_inbox(InboxFilter(category=FeedbackCategory.QUESTION), None, 10)
    return [i.feedback for i in page.items]


async def test_an_unanswered_question_can_go_to_it_once(chat: Chat):
    turn = await chat.say("why is the printer on floor 3 blinking")
    [card] = turn.replies
    assert ui("askit.offer") in card_texts(card)
    data = ask_it_button(card)
    assert data["question"] == "why is the printer on floor 3 blinking"

    first = await chat.click(data)
    await asyncio.gather(*(chat.click(data) for _ in range(3)))  # double-clicks, redeliveries

    [question] = await questions(chat)
    assert (question.worker_id, question.rating, question.text) == (
        "worker-1", None, "why is the printer on floor 3 blinking")
    assert ui("askit.sent") in card_texts(first.replacement)


async def test_the_helpdesk_name_comes_from_the_org_profile(catalog):
    from bot.content import load_catalog
    from bot.org_profile import OrgProfile

    profile = OrgProfile.model_validate({"helpdesk": {"name": "Contoso Service Desk",
                                                      "link": "https://help.contoso.example"}})
    rendered, _ = load_catalog(profile=profile)
    assert "Contoso Service Desk" in rendered.ui("en")["askit.sent"]
    assert "https://help.contoso.example" in rendered.ui("nl")["askit.sent.urgent"]
    assert "{org." not in " ".join(catalog.ui("sv").values())


async def test_group_chats_get_no_ask_it(store, router):
    group = Chat(store, router, personal=False)
    turn = await group.say("why is the printer blinking")
    assert not any(a.get("data", {}).get("verb") == "askit" for a in turn.replies[0]["actions"])


async def test_a_command_word_is_not_sent_as_a_question(chat: Chat):
    turn = await chat.say("menu")
    assert not any(a.get("data", {}).get("verb") == "askit"
                   for r in turn.replies if isinstance(r, dict) for a in r.get("actions", []))


@pytest.mark.parametrize("language", ["sv", "nl"])
async def test_the_ask_it_offer_comes_only_when_no_language_understands_and_speaks_the_workers(
        store, catalog, language: str):
    chat = Chat(store, Router(catalog), language=language)
    understood = (await chat.say("how do I reset my password?")).replies  # English, not the worker's
    assert not any(has_action(card, "askit") for card in understood)

    [offer] = (await chat.say("why is the printer on floor 3 blinking")).replies
    assert ui("askit.offer", language) in card_texts(offer) and ui("unknown.title", language) in texts_of(offer)
    sent = await chat.click(action(offer, "askit"))

    [question] = await questions(chat)
    assert (question.locale, question.text) == (language, "why is the printer on floor 3 blinking")
    assert ui("askit.sent", language) in card_texts(sent.replacement)
