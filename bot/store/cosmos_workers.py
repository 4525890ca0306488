"""Worker, progress and feedback on Cosmos DB: point reads and writes in the worker's own
partition (container `workers`, partition key /workerId)."""

from __future__ import annotations

from datetime import datetime

from domain.models import Feedback, ModuleProgress, Worker
from bot.store.cosmos_container import Docs
from bot.store.cosmos_counters import CounterWriter, difference, negate, progress_counts
from bot.store.cosmos_docs import (
    WORKER_DOC,
    anonymous_partition,
    encode_time,
    feedback_id,
    from_doc,
    progress_id,
    to_doc,
)
from bot.store.cosmos_partition import IN_PARTITION, delete_typed, holds_typed
from bot.store.port import ConcurrencyConflict


class CosmosWorkerStore:
    def __init__(self, workers: Docs):
        self._docs = workers

    async def get_worker(self, worker_id: str) -> Worker | None:
        doc = await self._docs.read(WORKER_DOC, worker_id, "read a worker")
        return from_doc(Worker, doc) if doc else None

    async def register_worker(self, worker: Worker) -> Worker:
        """A known worker (the usual case) is one patch; a new one a failed patch + create."""
        changes = {"tenant_id": worker.tenant_id, "name": worker.name,
                   "teams_locale": worker.teams_locale, "conversation": worker.conversation,
                   "installed": True, "updated_at": encode_time(worker.updated_at)}
        changes.update({name: value for name in ("upn", "time_zone")
                        if (value := getattr(worker, name)) is not None})
        stored = await self._set(worker.id, changes, "register a worker")
        if stored is None:
            fresh = worker.model_copy(update={"installed": True})
            doc = to_doc(fresh, doc_id=WORKER_DOC, kind="worker", partition=worker.id)
            if await self._docs.create_once(doc, worker.id, "register a worker"):
                return from_doc(Worker, doc)
            stored = await self._set(worker.id, changes, "register a worker")  # lost a race
        if stored is None:
            raise ConcurrencyConflict("the worker was deleted while being registered")
        return from_doc(Worker, stored)

    async def set_language(self, worker_id: str, language: str | None) -> None:
        await self._set(worker_id, {"language": language}, "set a worker's language")

    async def mark_uninstalled(self, worker_id: str, at: datetime) -> None:
        await self._set(worker_id, {"installed": False, "uninstalled_at": encode_time(at),
                                    "updated_at": encode_time(at)}, "mark a worker uninstalled")

    async def _set(self, worker_id: str, changes: dict, action: str) -> dict | None:
        ops = [{"op": "set", "path": f"/{name}", "value": value}
               for name, value in changes.items()]
        return await self._docs.patch(WORKER_DOC, worker_id, ops, action)

    async def delete_for_worker(self, worker_id: str) -> None:
        await self._docs.delete(WORKER_DOC, worker_id, "delete a worker")

    async def holds_worker(self, worker_id: str) -> bool:
        return await self.get_worker(worker_id) is not None


class CosmosProgressStore:
    def __init__(self, workers: Docs, counters: CounterWriter):
        self._docs = workers
        self._counters = counters

    async def get_progress(self, worker_id: str, module_id: str) -> ModuleProgress | None:
        doc = await self._docs.read(progress_id(module_id), worker_id, "read progress")
        return from_doc(ModuleProgress, doc) if doc else None

    async def list_progress(self, worker_id: str) -> list[ModuleProgress]:
        docs = await self._docs.query(IN_PARTITION, {"@worker": worker_id, "@type": "progress"},
                                      "list progress", partition=worker_id)
        return sorted((from_doc(ModuleProgress, d) for d in docs), key=lambda p: p.module_id)

    async def save_progress(
        self, progress: ModuleProgress, expected_version: int | None
    ) -> ModuleProgress:
        worker, module = progress.worker_id, progress.module_id
        new = progress.model_copy(update={"version": (expected_version or 0) + 1})
        doc = to_doc(new, doc_id=progress_id(module), kind="progress", partition=worker)
        conflict = ConcurrencyConflict(f"progress of module {module} changed since it was read")
        old: ModuleProgress | None = None
        if expected_version is None:
            if not await self._docs.create_once(doc, worker, "save progress"):
                raise conflict
        else:
            current = await self._docs.read(doc["id"], worker, "save progress")
            if current is None or current.get("version") != expected_version:
                raise conflict
            if await self._docs.replace_if_unchanged(
                    doc, current["_etag"], worker, "save progress") is None:
                raise conflict
            old = from_doc(ModuleProgress, current)
        stored = from_doc(ModuleProgress, doc)
        await self._counters.apply(difference(progress_counts(stored), progress_counts(old)))
        return stored

    async def delete_for_worker(self, worker_id: str) -> None:
        for doc in await delete_typed(self._docs, worker_id, "progress",
                                      "delete a worker's progress"):
            await self._counters.apply(negate(progress_counts(from_doc(ModuleProgress, doc))))

    async def holds_worker(self, worker_id: str) -> bool:
        return await holds_typed(self._docs, worker_id, "progress", "look for a worker's progress")


class CosmosFeedbackStore:
    def __init__(self, workers: Docs):
        self._docs = workers

    async def add_feedback(self, feedback: Feedback) -> bool:
        partition = feedback.worker_id or anonymous_partition(feedback.id)
        doc = to_doc(feedback, doc_id=feedback_id(feedback.id), kind="feedback",
                     partition=partition)
        return await self._docs.create_once(doc, partition, "store feedback")

    async def list_feedback(self, worker_id: str) -> list[Feedback]:
        docs = await self._docs.query(IN_PARTITION, {"@worker": worker_id, "@type": "feedback"},
                                      "list feedback", partition=worker_id)
        items = [from_doc(Feedback, d) for d in docs]
        return sorted(items, key=lambda f: (f.created_at, f.id), reverse=True)

    async def delete_for_worker(self, worker_id: str) -> None:
        await delete_typed(self._docs, worker_id, "feedback", "delete a worker's feedback")

    async def holds_worker(self, worker_id: str) -> bool:
        return await holds_typed(self._docs, worker_id, "feedback", "look for a worker's feedback")

