"""The flow-test harness: a worker's chat that drives the Router with real Turns on a real
store (memory or SQLite), one activity per call, the way bot/agent.py does."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from bot.content import Catalog, Module, load_catalog
from bot.i18n import Texts, language_for
from bot.store.memory import MemoryStore
from bot.store.port import Store
from bot.store.sqlite import SqliteStore
from dialogs.router import Router
from dialogs.turn import Turn
from domain.models import Worker
from domain.quiz import correct_options

START = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


@cache
def real_catalog() -> Catalog:
    loaded, _ = load_catalog()  # strict: the suite runs on valid content only
    return loaded


class Chat:
    """One worker's chat. `language` pins the language; None follows the worker (Teams locale
    or their choice), as the agent does. Every turn is 30 s after the last."""

    _ids = itertools.count(1)

    def __init__(self, store: Store, router: Router, worker_id: str = "worker-1",
                 language: str | None = None, *, personal: bool = True):
        self.store, self.router = store, router
        self.worker = Worker(id=worker_id, name="Alex Wilber", teams_locale="en-US")
        self.language = language
        self.personal = personal
        self.clock = START
        self.sent: list[Any] = []  # every card and text the bot answered, in order

    def turn(self, dedupe_key: str | None = None) -> Turn:
        self.clock += timedelta(seconds=30)
        catalog = self.router.catalog
        language = self.language or language_for(self.worker.teams_locale, self.worker.language)
        return Turn(worker=self.worker.model_copy(), catalog=catalog, store=self.store,
                    texts=Texts(catalog, language), dedupe_key=dedupe_key or f"activity:{next(self._ids)}",
                    personal=self.personal, now=self.clock)

    def _done(self, turn: Turn) -> Turn:
        self.worker = turn.worker
        self.sent += ([turn.replacement] if turn.replacement is not None else []) + turn.replies
        return turn

    async def install(self) -> Turn:
        turn = self.turn()
        await self.router.on_install(turn)
        return self._done(turn)

    async def say(self, text: str) -> Turn:
        turn = self.turn()
        await self.router.on_text(turn, text)
        return self._done(turn)

    def click_turn(self, data: dict, **inputs: Any) -> tuple[Turn, dict]:
        """A click's turn and payload (button data and inputs), to run elsewhere (e.g. many at once)."""
        return self.turn(), {**data, **inputs}

    async def click(self, data: dict, **inputs: Any) -> Turn:
        turn, payload = self.click_turn(data, **inputs)
        await self.router.on_action(turn, payload)
        return self._done(turn)


def quiz_module(catalog: Catalog) -> Module:
    """A module whose quiz has a multiple-choice question (most have)."""
    modules = catalog.modules("en")
    return next((m for m in modules if any(q.type == "multiple" for q in m.quiz.questions)), modules[0])


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


def ui(key: str, language: str = "en", **values: object) -> str:
    """A text of content/<language>/ui.yaml, filled in: what a test compares a card with."""
    template = real_catalog().ui(language)[key]
    return template.format(**values) if values else template
