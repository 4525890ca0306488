"""Quiz attempts on Cosmos DB: one document per attempt in the worker's partition, answers as
fields of it. Answers and submission are patches with a filter predicate (in progress, not
answered yet), which the server checks in the same request: one request per write, and two
clicks racing on one attempt cannot both win."""

from __future__ import annotations

from datetime import datetime

from domain.models import AttemptStatus, QuizAnswer, QuizAttempt
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_counters import CounterWriter, attempt_counts, negate
from bot.store.cosmos_docs import (
    attempt_id,
    encode_time,
    from_doc,
    plain,
    pointer,
    sql_literal,
    to_doc,
)
from bot.store.cosmos_partition import IN_PARTITION, delete_each, holds_typed, typed_docs
from bot.store.port import AttemptWrite, ConcurrencyConflict, WriteOutcome, answer_refusal

IN_PROGRESS = f"c.status = {sql_literal(AttemptStatus.IN_PROGRESS.value)}"
QUIZ_WORKER = "SELECT VALUE COUNT(1) FROM c WHERE c.kind = 'quizWorker' AND c.workerId = @worker"


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

    async def record_answer(
        self, worker_id: str, attempt: str, answer: QuizAnswer
    ) -> AttemptWrite:
        action = "record a quiz answer"
        question = sql_literal(answer.question_id)
        condition = (f"FROM c WHERE {IN_PROGRESS} AND ARRAY_CONTAINS(c.question_ids, {question})"
                     f" AND NOT IS_DEFINED(c.answers[{question}])")
        ops = [{"op": "set", "path": pointer("answers", answer.question_id),
                "value": plain(answer.model_dump())},
               {"op": "incr", "path": "/version", "value": 1}]
        doc, written = await self._docs.patch_where(attempt_id(attempt), worker_id, ops,
                                                    condition, action)
        stored = from_doc(QuizAttempt, doc) if doc else None
        if written:
            return AttemptWrite(WriteOutcome.WRITTEN, stored)
        # Refused: the stored attempt says why (answers and submissions are never undone, so
        # what refused the patch still holds when the document is read after it).
        return AttemptWrite(answer_refusal(stored, answer.question_id) or WriteOutcome.CLOSED,
                            stored)

    async def submit_attempt(
        self, worker_id: str, attempt: str, score: float, passed: bool, at: datetime
    ) -> AttemptWrite:
        ops = [{"op": "set", "path": "/status", "value": AttemptStatus.SUBMITTED.value},
               {"op": "set", "path": "/score", "value": score},
               {"op": "set", "path": "/passed", "value": passed},
               {"op": "set", "path": "/submitted_at", "value": encode_time(at)}]
        ops.append({"op": "incr", "path": "/version", "value": 1})
        doc, written = await self._docs.patch_where(attempt_id(attempt), worker_id, ops,
                                                    f"FROM c WHERE {IN_PROGRESS}",
                                                    "submit a quiz attempt")
        if doc is None:
            return AttemptWrite(WriteOutcome.MISSING, None)
        stored = from_doc(QuizAttempt, doc)
        if not written:
            return AttemptWrite(WriteOutcome.CLOSED, stored)
        # An attempt in progress counts nothing, so the difference is the new counts.
        await self._counters.apply(attempt_counts(stored))
        await self._counters.note_quiz_worker(stored)
        return AttemptWrite(WriteOutcome.WRITTEN, stored)

    async def abandon_attempt(self, worker_id: str, attempt: str) -> AttemptWrite:
        ops = [{"op": "set", "path": "/status", "value": AttemptStatus.ABANDONED.value},
               {"op": "incr", "path": "/version", "value": 1}]
        doc, written = await self._docs.patch_where(attempt_id(attempt), worker_id, ops,
                                                    f"FROM c WHERE {IN_PROGRESS}",
                                                    "abandon a quiz attempt")
        if doc is None:
            return AttemptWrite(WriteOutcome.MISSING, None)
        # Nothing to count: an attempt in progress counts nothing, an abandoned one neither.
        return AttemptWrite(WriteOutcome.WRITTEN if written else WriteOutcome.CLOSED,
                            from_doc(QuizAttempt, doc))

    async def open_attempt(self, worker_id: str, module_id: str) -> QuizAttempt | None:
        # /type and /module_id are indexed in the worker's partition; /status is checked here.
        docs = await self._docs.query(
            f"{IN_PARTITION} AND c.module_id = @module",
            {"@worker": worker_id, "@type": "attempt", "@module": module_id},
            "find the open quiz attempt", partition=worker_id)
        attempts = sorted((a for a in map(lambda d: from_doc(QuizAttempt, d), docs)
                           if a.status == AttemptStatus.IN_PROGRESS),
                          key=lambda a: (a.started_at, a.id))
        return attempts[-1] if attempts else None

    async def list_attempts(self, worker_id: str) -> list[QuizAttempt]:
        docs = await self._docs.query(IN_PARTITION, {"@worker": worker_id, "@type": "attempt"},
                                      "list quiz attempts", partition=worker_id)
        attempts = [from_doc(QuizAttempt, d) for d in docs]
        return sorted(attempts, key=lambda a: (a.started_at, a.id))

    async def delete_for_worker(self, worker_id: str) -> None:
        """Takes the worker out of the quiz counters first: which modules to clean up is
        known from the attempts only."""
        action = "delete a worker's quiz attempts"
        found = await typed_docs(self._docs, worker_id, "attempt", action)
        for module_id in sorted({d["module_id"] for d in found}):
            await self._counters.forget_quiz_worker(module_id, worker_id)
        for doc in await delete_each(self._docs, worker_id, found, action):
            await self._counters.apply(negate(attempt_counts(from_doc(QuizAttempt, doc))))

    async def holds_worker(self, worker_id: str) -> bool:
        action = "look for a worker's quiz attempts"
        if await holds_typed(self._docs, worker_id, "attempt", action):
            return True
        counted = await self._counters.stats.query(QUIZ_WORKER, {"@worker": worker_id}, action)
        return bool(counted and counted[0])
