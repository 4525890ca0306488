"""Shared pieces of the quiz / feedback / my-data flow tests: a chat that drives the Router
with real Turns on a real store, and helpers that read the cards it answers with.

(Named test_* so it sits with the tests it serves; it holds no tests itself.)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.agent import _action_key
from conftest import assert_theme_aware, nodes  # noqa: F401  (re-exported for the flow tests)
from bot.content import Catalog, Module, load_catalog
from domain.models import Worker
from domain.quiz import correct_options
from bot.i18n import Texts
from bot.store.memory import MemoryStore
from bot.store.port import Store
from bot.store.sqlite import SqliteStore
from dialogs.router import Router
from dialogs.turn import Turn

START = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
_CATALOG: Catalog | None = None


def real_catalog() -> Catalog:
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = load_catalog(strict=False)[0]
    return _CATALOG


def quiz_module(catalog: Catalog, *, with_multiple: bool = True) -> Module:
    """A module whose quiz has a multiple-choice question (most have)."""
    modules = catalog.modules("en")
    for module in modules:
        if not with_multiple or any(q.type == "multiple" for q in module.quiz.questions):
            return module
    return modules[0]


class Chat:
    """One worker's 1:1 chat: every call is one activity through the Router."""

    _ids = itertools.count(1)

    def __init__(self, store: Store, router: Router, worker_id: str = "worker-1", language: str = "en"):
        self.store, self.router = store, router
        self.worker = Worker(id=worker_id, name="Alex Doe")
        self.language = language
        self.clock = START

    def turn(self, dedupe_key: str) -> Turn:
        self.clock += timedelta(seconds=30)
        catalog = self.router.catalog
        return Turn(worker=self.worker.model_copy(), catalog=catalog, store=self.store,
                    texts=Texts(catalog, self.language), dedupe_key=dedupe_key, now=self.clock)

    async def say(self, text: str) -> Turn:
        turn = self.turn(f"activity:{next(self._ids)}")
        await self.router.on_text(turn, text)
        return turn

    def click_turn(self, data: dict, **inputs: Any) -> tuple[Turn, dict]:
        payload = {**data, **inputs}
        return self.turn(_action_key(payload)), payload

    async def click(self, data: dict, **inputs: Any) -> Turn:
        turn, payload = self.click_turn(data, **inputs)
        await self.router.on_action(turn, payload)
        return turn


# --- reading cards ------------------------------------------------------------------------------

def cards(turn: Turn) -> list[dict]:
    return [r for r in turn.replies if isinstance(r, dict)]


def texts_of(card: dict | str | None) -> str:
    """Every TextBlock / fact / input label of a card (or the plain text reply), one string."""
    if card is None:
        return ""
    if isinstance(card, str):
        return card
    return "\n".join(node[key] for node in nodes(card.get("body", []), into_fallbacks=True)
                     for key in ("text", "label", "title", "value", "placeholder")
                     if isinstance(node.get(key), str))


def all_actions(card: dict) -> list[dict]:
    """The card's actions (those inside an action, like fallbacks, are not listed again)."""
    found: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("type"), str) and node["type"].startswith("Action."):
                found.append(node)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    walk(card.get("actions", []))
    return found


def action(card: dict, verb: str) -> dict:
    """The data of the card's first button with that verb."""
    for act in all_actions(card):
        data = act.get("data") or {}
        if data.get("verb") == verb:
            return dict(data)
    raise AssertionError(f"no {verb!r} action on the card: {json.dumps(card)[:400]}")


def has_action(card: dict, verb: str) -> bool:
    return any((a.get("data") or {}).get("verb") == verb for a in all_actions(card))


def inputs(card: dict) -> dict[str, dict]:
    return {node["id"]: node for node in nodes(card.get("body", []), into_fallbacks=True)
            if isinstance(node.get("type"), str) and node["type"].startswith("Input.")}


def question_cards(turn: Turn) -> list[dict]:
    return [c for c in cards(turn) if any(
        (a.get("data") or {}).get("verb") == "quiz.answer" for a in all_actions(c))]


def right_choice(module: Module, question_id: str) -> str:
    question = module.question(question_id)
    assert question is not None
    return ",".join(correct_options(question))


def wrong_choice(module: Module, question_id: str) -> str:
    question = module.question(question_id)
    assert question is not None
    return next(o.id for o in question.options if not o.correct)


class _Yielding:
    """One aggregate of a store whose every call lets other coroutines run before and after,
    as a networked store (Cosmos DB) would: concurrent flows then really interleave."""

    def __init__(self, inner: Any):
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            try:
                return await method(*args, **kwargs)
            finally:
                await asyncio.sleep(0)
        return call


class Interleaved:
    """A store whose calls interleave; the records still live in the real store below."""

    def __init__(self, inner: Store):
        self.inner = inner
        for aggregate in ("workers", "progress", "events", "attempts", "feedback", "reports", "privacy"):
            setattr(self, aggregate, _Yielding(getattr(inner, aggregate)))


# --- what the store holds -----------------------------------------------------------------------

def stored_events(store: Store) -> list[dict]:
    """Every usage event in the store, as plain dicts (memory or SQLite)."""
    store = store.inner if isinstance(store, Interleaved) else store
    if isinstance(store, MemoryStore):
        return [e.model_dump(mode="json") for e in store.events._data.events.values()]
    if isinstance(store, SqliteStore):
        conn = sqlite3.connect(store.path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute("SELECT * FROM events")]
        finally:
            conn.close()
    raise TypeError(type(store))


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture
def catalog() -> Catalog:
    return real_catalog()


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    backend: Store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "coach.db")
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


@pytest.fixture
def router(catalog: Catalog) -> Router:
    return Router(catalog)


@pytest.fixture
def chat(store: Store, router: Router) -> Chat:
    return Chat(store, router)
