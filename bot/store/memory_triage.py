"""The feedback inbox in memory: triage records beside the feedback dict of `MemoryStore`."""

from __future__ import annotations

from domain.models import Feedback
from domain.triage import InboxFilter, InboxItem, InboxPage, Triage, page_of, untouched
from bot.store.port import ConcurrencyConflict


class MemoryTriageStore:
    def __init__(self, feedback: dict[str, Feedback]):
        self._feedback = feedback  # MemoryStore's own dict: the items as stored
        self._triage: dict[str, Triage] = {}

    def _item(self, feedback: Feedback) -> InboxItem:
        triage = self._triage.get(feedback.id) or untouched(feedback)
        return InboxItem(feedback.model_copy(deep=True), triage.model_copy(deep=True))

    async def list_inbox(self, flt: InboxFilter, cursor: str | None, limit: int) -> InboxPage:
        return page_of([self._item(f) for f in self._feedback.values()], flt, cursor, limit)

    async def get_item(self, feedback_id: str) -> InboxItem | None:
        feedback = self._feedback.get(feedback_id)
        return self._item(feedback) if feedback else None

    async def save_triage(self, triage: Triage, expected_version: int) -> Triage:
        feedback = self._feedback.get(triage.feedback_id)
        current = self._triage.get(triage.feedback_id)
        if feedback is None or (current.version if current else 0) != expected_version:
            raise ConcurrencyConflict(f"feedback {triage.feedback_id} changed since it was read")
        saved = triage.model_copy(deep=True, update={"version": expected_version + 1,
                                                     "worker_id": feedback.worker_id})
        self._triage[triage.feedback_id] = saved
        feedback.status = saved.status
        return saved.model_copy(deep=True)

    async def list_for_worker(self, worker_id: str) -> list[Triage]:
        return [t.model_copy(deep=True) for t in self._triage.values() if t.worker_id == worker_id]

    async def delete_for_worker(self, worker_id: str) -> None:
        for key in [k for k, t in self._triage.items() if t.worker_id == worker_id]:
            del self._triage[key]

    async def holds_worker(self, worker_id: str) -> bool:
        return any(t.worker_id == worker_id for t in self._triage.values())
