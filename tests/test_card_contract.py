"""The card contract: every button of every card the bot sends parses back into its action
model, on both paths (Action.Submit message, Action.Execute invoke), in every language; every
verb is sent by some card and has a handler."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from bot.agent import _invoked_data
from bot.content import LOCALES, Catalog
from card_reading import assert_theme_aware, inputs, nodes
from bot.i18n import Texts
from cards.actions import ACTIONS, parse_action
from cards.digest import digest_card
from cards.inbox import question_sent_card, reply_card
from domain.digest import DigestPeriod, DigestSummary
from domain.models import Feedback, FeedbackCategory
from domain.triage import TriageReply
from chat import Chat
from dialogs.router import Router

VERBS = {model.model_fields["verb"].default: model for model in ACTIONS}
MAX_CLICKS = 3000  # the walk below ends by itself; this only stops a runaway


def buttons(card: dict) -> list[dict]:
    """Every action of the card, fallbacks included (an older client clicks those)."""
    return [node for node in nodes(card, into_fallbacks=True)
            if node.get("type") in ("Action.Submit", "Action.Execute")]


def filled(card: dict) -> dict[str, Any]:
    """A valid value for each of the card's inputs, as a client would submit them."""
    values: dict[str, Any] = {}
    for input_id, node in inputs(card).items():
        if node["type"] == "Input.ChoiceSet":
            values[input_id] = node["choices"][0]["value"]
        elif node["type"] == "Input.Toggle":
            values[input_id] = node["valueOff"]
        else:
            values[input_id] = "ok"
    return values


def first_word(catalog: Catalog, language: str, command: str) -> str:
    return catalog.ui(language)[f"command.{command}"].split("|")[0]


async def walk(chat: Chat, catalog: Catalog, language: str) -> list[dict]:
    """Open with typed commands, then click every distinct button of every card sent, once,
    until no card offers a new one. Returns every card the bot sent."""
    await chat.install()
    for command in ("menu", "help", "language", "feedback", "my_data", "delete_my_data", "quiz"):
        await chat.say(first_word(catalog, language, command))
    await chat.say(catalog.modules(language)[0].faq[0].q)
    for _ in range(2):  # the second, while the first attempt is open, offers continue / start over
        await chat.say(f"{first_word(catalog, language, 'quiz')} {catalog.modules(language)[0].id}")
    await chat.say("qwx zzv")  # no command, no match: the short help card
    clicked: set[tuple] = set()
    done = 0
    while done < len(chat.sent) and len(clicked) < MAX_CLICKS:
        card, done = chat.sent[done], done + 1
        if not isinstance(card, dict):
            continue
        for button in buttons(card):
            data = button["data"]
            seen = tuple(sorted((k, str(v)) for k, v in data.items() if k != "n"))
            if seen not in clicked:
                clicked.add(seen)
                await chat.click(data, **filled(card))
    assert len(clicked) < MAX_CLICKS
    return [card for card in chat.sent if isinstance(card, dict)]


@pytest.mark.parametrize("language", LOCALES)
async def test_every_action_of_every_card_parses_back(store, catalog: Catalog, language: str) -> None:
    chat = Chat(store, Router(catalog), language=language)
    chat.worker = await store.workers.register_worker(chat.worker)
    sent = await walk(chat, catalog, language)

    actions = [button for card in sent for button in buttons(card)]
    assert {button["type"] for button in actions} == {"Action.Submit", "Action.Execute"}
    unknown = [b["data"] for b in actions if b["data"].get("verb") not in VERBS]
    unparsed = [b["data"] for b in actions if parse_action(b["data"]) is None]
    not_invokable = [b["data"] for b in actions if b["type"] == "Action.Execute" and parse_action(_invoked_data(
        {"action": {"type": "Action.Execute", "verb": b["verb"], "data": b["data"]}})) != parse_action(b["data"])]
    assert (unknown, unparsed, not_invokable) == ([], [], [])
    # The model is the button: what a card carries is exactly the model's data.
    assert [b["data"] for b in actions] == [parse_action(b["data"]).data() for b in actions]
    assert {b["verb"] for b in actions if b["type"] == "Action.Execute"} <= set(VERBS)
    assert {b["data"]["verb"] for b in actions} == set(VERBS)
    for card in sent:  # every card reads well in every theme and has one main action at most
        assert_theme_aware(card)


def test_every_action_model_has_a_handler_and_its_own_verb(catalog: Catalog) -> None:
    assert set(Router(catalog).actions) == set(ACTIONS)
    assert len(VERBS) == len(ACTIONS)


def test_the_dedupe_key_names_the_button_not_the_inputs() -> None:
    answer = {"verb": "quiz.answer", "attempt": "a1", "question": "q1", "n": "card1"}
    first = parse_action({**answer, "choice": "a"})
    second = parse_action({**answer, "choice": "b"})
    other_card = parse_action({**answer, "n": "card2", "choice": "a"})
    assert first.dedupe_key() == second.dedupe_key()
    assert first.dedupe_key() != other_card.dedupe_key()
    assert parse_action({"verb": "quiz.answer", "attempt": "a1", "question": "q1"}).dedupe_key() is None


@pytest.mark.parametrize("language", LOCALES)
def test_cards_sent_outside_a_chat_turn_follow_the_theme_rules(catalog: Catalog, language: str) -> None:
    """The IT reply (proactive) and the admin digest are not reached by the walk above."""
    t = Texts(catalog, language)
    at = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
    question = Feedback(id="q", worker_id="w", rating=None, category=FeedbackCategory.QUESTION,
                        text="How do I *print*?", created_at=at)
    rated = Feedback(id="f", worker_id="w", rating=2, category=FeedbackCategory.DEVICE, text="slow", created_at=at)
    reply = TriageReply(author="admin", at=at, text="Use [this](https://x.example)")
    summary = DigestSummary(period=DigestPeriod.ending(at), new_feedback=1, top_items=[rated], completions=3,
                            completions_before=2, pass_rate=0.5, pass_rate_before=None)
    for sent in (reply_card(t, question, reply), reply_card(t, rated, reply), question_sent_card(t),
                 digest_card(t, summary, "app-id"), digest_card(t, summary, "")):
        assert_theme_aware(sent)
