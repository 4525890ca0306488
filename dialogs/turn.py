"""What a flow needs for one turn, without the Agents SDK: who, which language, the store,
and where to put the replies. bot/agent.py builds it from the activity and sends the replies."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from bot.content import Catalog, Module
from domain.models import EventKind, UsageEvent, Worker, utcnow
from bot.i18n import Texts
from bot.store.port import Store


@dataclass
class Turn:
    worker: Worker
    catalog: Catalog
    store: Store
    texts: Texts
    dedupe_key: str  # same for a redelivered activity or a double-clicked card
    personal: bool = True
    now: datetime = field(default_factory=utcnow)
    replies: list[dict | str] = field(default_factory=list)  # cards (dict) or plain text
    replacement: dict | None = None  # card that replaces the one the action came from

    @property
    def language(self) -> str:
        return self.texts.language

    def t(self, key: str, **values: object) -> str:
        return self.texts(key, **values)

    def send(self, reply: dict | str) -> None:
        self.replies.append(reply)

    def replace(self, card: dict) -> None:
        self.replacement = card

    def module(self, module_id: str) -> Module | None:
        return self.catalog.module(self.language, module_id)

    def modules(self) -> list[Module]:
        return self.catalog.modules(self.language)

    def event_id(self, kind: EventKind, *parts: object) -> str:
        """Id of an event caused by this activity or card click (repeats map to the same id)."""
        return self.stable_id(kind, self.dedupe_key, *parts)

    def stable_id(self, kind: EventKind, *parts: object) -> str:
        """Id of an event that happens once per worker and `parts`, whatever the activity."""
        raw = "|".join([self.worker.id, kind.value, *map(str, parts)])
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    async def record(
        self,
        kind: EventKind,
        module_id: str | None = None,
        step_index: int | None = None,
        detail: str | None = None,
        *,
        event_id: str | None = None,
        anonymous: bool = False,
    ) -> bool:
        event = UsageEvent(
            id=event_id or self.event_id(kind, module_id, step_index, detail),
            kind=kind,
            worker_id=None if anonymous else self.worker.id,
            module_id=module_id,
            step_index=step_index,
            locale=self.language,
            at=self.now,
            detail=detail,
        )
        return await self.store.events.record_event(event)
