"""Feedback: the card, storing once, anonymity, validation and outages that lose nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.content import Catalog
from domain.models import EventKind, Feedback, FeedbackCategory, FeedbackStatus
from domain.feedback import FORM_CATEGORIES
from domain.reports import FeedbackItem, ReportFilter
from bot.store.port import Store, StoreUnavailable
from bot.store.sqlite import SqliteStore
from dialogs.router import Router
from card_reading import action, assert_theme_aware, cards, inputs, texts_of
from chat import ui, Chat, Interleaved, quiz_module, stored_events


async def open_form(chat: Chat, module_id: str | None = None) -> dict:
    data = {"verb": "feedback.open", "n": "open-1", **({"module": module_id} if module_id else {})}
    [card] = cards(await chat.click(data))
    return card


def values(**fields: str) -> dict[str, str]:
    return {"rating": "4", "category": "app", "text": "Outlook asks me to sign in every hour.",
            "anonymous": "false", **fields}


async def all_feedback(store: Store) -> list[FeedbackItem]:
    report = await store.reports.feedback_report(ReportFilter())
    return report.items


async def test_the_card_has_rating_category_text_and_anonymous(chat: Chat) -> None:
    card = cards(await chat.say("feedback"))[0]

    fields = inputs(card)
    assert [c["value"] for c in fields["rating"]["choices"]] == ["1", "2", "3", "4", "5"]
    assert [c["value"] for c in fields["category"]["choices"]] == [c.value for c in FORM_CATEGORIES]
    assert "A policy blocked me" in texts_of(card)
    assert fields["text"]["isMultiline"] is True and fields["text"]["maxLength"] == 2000
    assert "2,000" in fields["text"]["label"]  # the limit is stated on the card, in the en-US format
    assert fields["anonymous"]["type"] == "Input.Toggle"
    submit = next(a for a in card["actions"] if a["type"] == "Action.Execute")
    assert submit["fallback"]["type"] == "Action.Submit" and "module" not in submit["data"]
    assert_theme_aware(card)


async def test_feedback_from_a_module_records_the_module(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    card = await open_form(chat, module.id)
    assert module.title in texts_of(card)

    turn = await chat.click(action(card, "feedback.submit"), **values())

    [item] = await all_feedback(chat.store)
    assert item.module_id == module.id and item.status == FeedbackStatus.NEW
    assert item.rating == 4 and item.category == FeedbackCategory.APP
    assert item.text == values()["text"] and item.anonymous is False
    thanks = turn.replacement
    assert ui("feedback.thanks.title") in texts_of(thanks) and ui("feedback.thanks.next") in texts_of(thanks)
    assert ui("feedback.thanks.named") in texts_of(thanks)
    [mine] = await chat.store.feedback.list_feedback(chat.worker.id)
    assert mine.worker_id == chat.worker.id
    given = [e for e in stored_events(chat.store) if e["kind"] == EventKind.FEEDBACK_GIVEN.value]
    assert len(given) == 1 and given[0]["worker_id"] == chat.worker.id


async def test_a_double_click_stores_one(chat: Chat) -> None:
    data = action(await open_form(chat), "feedback.submit")
    racing = Chat(Interleaved(chat.store), chat.router, chat.worker.id)
    pairs = [racing.click_turn(data, **values()) for _ in range(5)]

    await asyncio.gather(*(chat.router.on_action(t, p) for t, p in pairs))

    assert len(await all_feedback(chat.store)) == 1
    assert all(ui("feedback.thanks.title") in texts_of(t.replacement) for t, _ in pairs)
    assert [e["kind"] for e in stored_events(chat.store)].count(EventKind.FEEDBACK_GIVEN.value) == 1


async def test_two_forms_are_two_feedbacks(chat: Chat) -> None:
    await chat.click(action(await open_form(chat), "feedback.submit"), **values())
    second = cards(await chat.say("feedback"))[0]
    await chat.click(action(second, "feedback.submit"), **values(rating="2"))

    assert sorted(i.rating for i in await all_feedback(chat.store)) == [2, 4]


async def test_anonymous_feedback_stores_no_worker_id(chat: Chat) -> None:
    turn = await chat.click(action(await open_form(chat), "feedback.submit"), **values(anonymous="true"))

    [item] = await all_feedback(chat.store)
    assert item.anonymous is True
    assert await chat.store.feedback.list_feedback(chat.worker.id) == []
    given = [e for e in stored_events(chat.store) if e["kind"] == EventKind.FEEDBACK_GIVEN.value]
    assert len(given) == 1 and given[0]["worker_id"] is None
    assert "anonymously" in texts_of(turn.replacement)


async def test_anonymous_feedback_leaves_no_trace_of_the_worker_in_the_sqlite_file(
        tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "anon.db"
    store = SqliteStore(path)
    await store.open()
    chat = Chat(store, Router(catalog), worker_id="aad-0b5e-anonymous-worker")
    await chat.click(action(await open_form(chat, quiz_module(catalog).id), "feedback.submit"),
                     **values(anonymous="true", text="The VPN blocks Teams calls."))
    await store.close()

    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        assert conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 1
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                assert not any(chat.worker.id in str(value) for value in row), f"worker id in {table}"
    finally:
        conn.close()
    for file in path.parent.glob("anon.db*"):  # the database, and any WAL left behind
        assert chat.worker.id.encode() not in file.read_bytes()


@pytest.mark.parametrize(("fields", "message"), [
    ({"rating": ""}, "choose a rating"),
    ({"rating": "9"}, "choose a rating"),
    ({"category": ""}, "what your feedback is about"),
    ({"category": "everything"}, "what your feedback is about"),
    ({"text": "x" * 2001}, "2,001 characters and the limit is 2,000"),
])
async def test_invalid_input_comes_back_prefilled_with_the_problem(
        chat: Chat, fields: dict[str, str], message: str) -> None:
    data = action(await open_form(chat), "feedback.submit")
    entered = values(anonymous="true", **fields)

    turn = await chat.click(data, **entered)

    card = turn.replacement
    assert message in texts_of(card)
    prefilled = inputs(card)
    assert prefilled["text"]["value"] == entered["text"]
    assert prefilled["anonymous"]["value"] == "true"
    if entered["rating"] == "4":
        assert prefilled["rating"]["value"] == "4"
    if entered["category"] == "app":
        assert prefilled["category"]["value"] == "app"
    assert action(card, "feedback.submit")["n"] == data["n"]
    assert await all_feedback(chat.store) == []


async def test_exactly_2000_characters_are_accepted(chat: Chat) -> None:
    await chat.click(action(await open_form(chat), "feedback.submit"), **values(text="é" * 2000))

    [item] = await all_feedback(chat.store)
    assert len(item.text) == 2000


class _FailingFeedback:
    def __init__(self, inner: Any, fail_after_write: bool):
        self._inner, self._after = inner, fail_after_write

    async def add_feedback(self, feedback: Feedback) -> bool:
        if self._after:
            await self._inner.add_feedback(feedback)  # it lands, but the answer is lost
        raise StoreUnavailable("feedback container unreachable")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class FeedbackOutage:
    """The real store, except that storing feedback fails."""

    def __init__(self, inner: Store, *, fail_after_write: bool = False):
        self.inner = inner
        for aggregate in ("workers", "progress", "events", "attempts", "reports", "privacy"):
            setattr(self, aggregate, getattr(inner, aggregate))
        self.feedback = _FailingFeedback(inner.feedback, fail_after_write)


@pytest.mark.parametrize("fail_after_write", [False, True])
async def test_a_store_outage_keeps_everything_typed_and_a_retry_stores_once(
        store: Store, router: Router, fail_after_write: bool) -> None:
    down = Chat(FeedbackOutage(store, fail_after_write=fail_after_write), router)
    data = action(await open_form(down), "feedback.submit")
    entered = values(rating="2", category="policy", text="Conditional access blocks my home PC.",
                     anonymous="true")

    turn = await down.click(data, **entered)

    card = turn.replacement
    assert "couldn't save your feedback" in texts_of(card)
    prefilled = inputs(card)
    assert (prefilled["rating"]["value"], prefilled["category"]["value"]) == ("2", "policy")
    assert prefilled["text"]["value"] == entered["text"] and prefilled["anonymous"]["value"] == "true"
    retry = action(card, "feedback.submit")
    assert retry["n"] == data["n"]

    up = Chat(store, router, down.worker.id)
    thanks = await up.click(retry, **entered)

    assert ui("feedback.thanks.title") in texts_of(thanks.replacement)
    [item] = await all_feedback(store)
    assert item.text == entered["text"] and item.anonymous is True


@pytest.mark.parametrize("language", ["en", "sv", "nl"])
async def test_the_rating_question_names_what_is_rated(store: Store, catalog: Catalog, language: str) -> None:
    chat = Chat(store, Router(catalog), language=language)
    module = catalog.module(language, quiz_module(catalog).id)

    general = inputs(await open_form(chat))["rating"]["label"]
    about_module = inputs(await open_form(chat, module.id))["rating"]["label"]

    assert general == ui("feedback.rating.label", language)
    assert about_module == ui("feedback.rating.label_module", language, module=module.title)
    assert module.title in about_module and module.title not in general and general != about_module
