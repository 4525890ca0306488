"""Quiz attempts on Cosmos DB: one document per attempt in the worker's partition, answers as
fields of it. Answers and submission are etag-guarded patches (read, check, patch if
unchanged), so two clicks racing on one attempt cannot both win."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.models import AttemptStatus, QuizAnswer, QuizAttempt
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_counters import CounterWriter, attempt_counts, difference
from bot.store.cosmos_docs import attempt_id, encode_time, from_doc, plain, pointer, to_doc
from bot.store.cosmos_workers import IN_PARTITION
from bot.store.port import ConcurrencyConflict

MAX_RACES = 5  # re-reads after losing an etag race before giving up


class CosmosAttemptStore:
    def __init__(self, workers: Docs, counters: CounterWriter):
        self._docs = workers
        self._counters = counters

    async def create_attempt(self, attempt: QuizAttempt) -> QuizAttempt:
        doc = to_doc(attempt, doc_id=attempt_id(attempt.id), kind="attempt",
                     partition=attempt.worker_id)
        if await self._docs.create_once(doc, attempt.worker_id, "create a quiz attempt"):
            stored = from_doc(QuizAttempt, doc)
            await self._counters.apply(attempt_counts(stored))
            await self._counters.note_quiz_worker(stored)
            return stored
        existing = await self.get_attempt(attempt.worker_id, attempt.id)
        if existing is None:
            raise ConcurrencyConflict("that quiz attempt changed while it was created")
        return existing

    async def get_attempt(self, worker_id: str, attempt: str) -> QuizAttempt | None:
        doc = await self._docs.read(attempt_id(attempt), worker_id, "read a quiz attempt")
        return from_doc(QuizAttempt, doc) if doc else None

    async def record_answer(self, worker_id: str, attempt: str, answer: QuizAnswer) -> bool:
        def change(current: QuizAttempt) -> list[Doc] | None:
            if (current.status != AttemptStatus.IN_PROGRESS
                    or answer.question_id not in current.question_ids
                    or answer.question_id in current.answers):
                return None
            return [{"op": "set", "path": pointer("answers", answer.question_id),
                     "value": plain(answer.model_dump())}]
        return await self._guarded(worker_id, attempt, change, "record a quiz answer") is not None

    async def submit_attempt(
        self, worker_id: str, attempt: str, score: float, passed: bool, at: datetime
    ) -> bool:
        def change(current: QuizAttempt) -> list[Doc] | None:
            if current.status != AttemptStatus.IN_PROGRESS:
                return None
            return [{"op": "set", "path": "/status", "value": AttemptStatus.SUBMITTED.value},
                    {"op": "set", "path": "/score", "value": score},
                    {"op": "set", "path": "/passed", "value": passed},
                    {"op": "set", "path": "/submitted_at", "value": encode_time(at)}]
        result = await self._guarded(worker_id, attempt, change, "submit a quiz attempt")
        if result is None:
            return False
        old, new = result
        await self._counters.apply(difference(attempt_counts(new), attempt_counts(old)))
        await self._counters.note_quiz_worker(new)
        return True

    async def list_attempts(self, worker_id: str) -> list[QuizAttempt]:
        docs = await self._docs.query(IN_PARTITION, {"@worker": worker_id, "@type": "attempt"},
                                      "list quiz attempts", partition=worker_id)
        attempts = [from_doc(QuizAttempt, d) for d in docs]
        return sorted(attempts, key=lambda a: (a.started_at, a.id))

    async def _guarded(
        self, worker_id: str, attempt: str,
        change: Callable[[QuizAttempt], list[Doc] | None], action: str,
    ) -> tuple[QuizAttempt, QuizAttempt] | None:
        """Read the attempt, ask `change` for patch operations (None = refuse), apply them if
        nobody wrote in between; on a lost race read again. Returns (before, after)."""
        doc_id = attempt_id(attempt)
        for _ in range(MAX_RACES):
            doc = await self._docs.read(doc_id, worker_id, action)
            if doc is None:
                return None
            current = from_doc(QuizAttempt, doc)
            ops = change(current)
            if ops is None:
                return None
            ops.append({"op": "incr", "path": "/version", "value": 1})
            patched = await self._docs.patch_if_unchanged(doc_id, worker_id, ops, doc["_etag"],
                                                          action)
            if patched is not None:
                return current, from_doc(QuizAttempt, patched)
        raise ConcurrencyConflict(f"could not {action}: the attempt keeps changing")
