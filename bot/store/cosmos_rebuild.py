"""Recompute every report counter from the source documents, resumably.

Counters are updated after their source record is written; if that update is lost (an outage
between the two, or an increment that may or may not have landed and so was not retried),
`health()` reports it and this maintenance job brings the counters back in line.

It streams: the progress and attempt documents (container `workers`), then the stuck events
(container `events`), each as a cross-partition query read page by page with continuation
tokens, every page a request of its own under the report budget. What has been counted so
far is saved as a checkpoint in the `stats` container (partition `~rebuild`): the phase, the
continuation token and the running totals, split over state documents. A checkpoint is a new
generation of state documents, then one upsert of the checkpoint document that names it, then
the old generation deleted, so an interruption at any point leaves one whole checkpoint. A
run that finds a checkpoint carries on from it. The last phase writes the fresh counter
documents over the old ones (upserts), deletes counter documents that no longer count
anything, and removes the checkpoint. Writes made while it runs may be missed: run it in a
quiet moment, or run it twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.models import AttemptStatus, EventKind, ModuleProgress, QuizAttempt
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_counters import (
    ALL_LOCALES,
    Counter,
    CounterWriter,
    Counts,
    attempt_counts,
    counter_doc_id,
    distinct_counts,
    event_counts,
    partition_of,
    progress_counts,
    quiz_worker_doc,
)
from bot.store.cosmos_docs import day_of, from_doc, pointer
from bot.store.cosmos_events import doc_event
from bot.store.port import RebuildProgress, RebuildResult

log = logging.getLogger(__name__)

ACTION = "rebuild the report counters"
CHECKPOINT_PARTITION = "~rebuild"
CHECKPOINT_ID = "checkpoint"
PAGE = 200  # source documents per query page
STATE_CHUNK = 2000  # running-total entries per state document (well under 2 MB)
PHASES = ("progress and attempts", "stuck events", "write counters")
SOURCES = {
    PHASES[0]: "SELECT * FROM c WHERE c.type IN ('progress', 'attempt')",
    PHASES[1]: f"SELECT * FROM c WHERE c.kind = '{EventKind.EXERCISE_STUCK.value}'",
}


@dataclass
class _State:
    phase: str = PHASES[0]
    token: str | None = None
    pages: int = 0
    documents: int = 0
    generation: int = 0
    chunks: int = 0
    totals: Counts = field(default_factory=lambda: defaultdict(float))
    quiz_days: dict[tuple[str, str], list[dict[str, str]]] = field(
        default_factory=lambda: defaultdict(list))

    def count(self, doc: Doc) -> None:
        if doc.get("type") == "progress":
            self._add(progress_counts(from_doc(ModuleProgress, doc)))
        elif doc.get("type") == "attempt":
            attempt = from_doc(QuizAttempt, doc)
            self._add(attempt_counts(attempt))
            if attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at is not None:
                entry = {"d": day_of(attempt.submitted_at), "l": attempt.locale}
                days = self.quiz_days[(attempt.module_id, attempt.worker_id)]
                if entry not in days:
                    days.append(entry)
        else:
            self._add(event_counts(doc_event(doc)))

    def _add(self, counts: Counts) -> None:
        for key, value in counts.items():
            self.totals[key] += value

    def entries(self) -> list[list]:
        return ([["t", *key[:4], list(key.field), value] for key, value in self.totals.items()]
                + [["q", module, worker, days] for (module, worker), days in self.quiz_days.items()])

    def load(self, entries: list[list]) -> None:
        for entry in entries:
            if entry[0] == "t":
                kind, module, locale, day, fields, value = entry[1:]
                self.totals[Counter(kind, module, locale, day, tuple(fields))] += value
            else:
                self.quiz_days[(entry[1], entry[2])] = entry[3]


class CounterRebuild:
    def __init__(self, workers: Docs, events: Docs, counters: CounterWriter, *,
                 page_size: int = PAGE, checkpoint_every: int = 5):
        self._sources = {PHASES[0]: workers, PHASES[1]: events}
        self._counters = counters
        self._stats = counters.stats
        self.page_size = page_size
        self.checkpoint_every = checkpoint_every  # pages between two checkpoints

    async def rebuild_counters(
            self, progress: Callable[[RebuildProgress], None] | None = None) -> RebuildResult:
        report = progress or (lambda _: None)
        state = await self._resume()
        resumed = state.pages > 0 or state.phase != PHASES[0]
        while state.phase in SOURCES:
            reading = state.phase
            page, token = await self._sources[reading].page(
                SOURCES[reading], {}, ACTION, token=state.token, page_size=self.page_size)
            for doc in page:
                state.count(doc)
            state.pages += 1
            state.documents += len(page)
            state.token = token
            if token is None:
                state.phase = PHASES[PHASES.index(state.phase) + 1]
            if token is None or state.pages % self.checkpoint_every == 0:
                await self._save(state)
            report(RebuildProgress(reading, state.pages, state.documents))
        written = await self._write(state, report)
        await self._finish(state)
        self._stats.calls.health.counter_failures = 0
        return RebuildResult(
            rebuilt=True, counter_documents=written, pages=state.pages, resumed=resumed,
            detail=f"{written} counter documents written from {state.documents} source "
                   f"documents in {state.pages} pages" + (" (resumed)" if resumed else ""))

    # --- checkpoint -------------------------------------------------------------------------

    async def _resume(self) -> _State:
        state = _State()
        saved = await self._stats.read(CHECKPOINT_ID, CHECKPOINT_PARTITION, ACTION)
        if saved is not None:
            state.phase, state.token = saved["phase"], saved.get("token")
            state.pages, state.documents = saved["pages"], saved["documents"]
            state.generation, state.chunks = saved["generation"], saved["chunks"]
            for index in range(state.chunks):
                chunk = await self._stats.read(self._chunk_id(state.generation, index),
                                               CHECKPOINT_PARTITION, ACTION)
                if chunk is None:  # cannot happen by the order of writes; start afresh then
                    log.warning("the counter rebuild checkpoint is incomplete: starting over")
                    state = _State()
                    break
                state.load(chunk["entries"])
        await self._drop_chunks(keep=state.generation)  # a generation an interruption left
        return state

    @staticmethod
    def _chunk_id(generation: int, index: int) -> str:
        return f"state:{generation}:{index}"

    async def _save(self, state: _State) -> None:
        entries = state.entries()
        generation = state.generation + 1
        chunks = [entries[i:i + STATE_CHUNK] for i in range(0, len(entries), STATE_CHUNK)]
        for index, chunk in enumerate(chunks):
            await self._stats.upsert({"id": self._chunk_id(generation, index),
                                      "pk": CHECKPOINT_PARTITION, "kind": "rebuildState",
                                      "entries": chunk}, ACTION)
        await self._stats.upsert({
            "id": CHECKPOINT_ID, "pk": CHECKPOINT_PARTITION, "kind": "rebuildCheckpoint",
            "phase": state.phase, "token": state.token, "pages": state.pages,
            "documents": state.documents, "generation": generation, "chunks": len(chunks)},
            ACTION)
        state.generation, state.chunks = generation, len(chunks)
        await self._drop_chunks(keep=generation)

    async def _drop_chunks(self, keep: int) -> None:
        docs = await self._stats.query(
            "SELECT c.id FROM c WHERE c.pk = @pk AND c.kind = 'rebuildState'",
            {"@pk": CHECKPOINT_PARTITION}, ACTION, partition=CHECKPOINT_PARTITION)
        for doc in docs:
            if not doc["id"].startswith(f"state:{keep}:"):
                await self._stats.delete(doc["id"], CHECKPOINT_PARTITION, ACTION)

    async def _finish(self, state: _State) -> None:
        await self._stats.delete(CHECKPOINT_ID, CHECKPOINT_PARTITION, ACTION)
        await self._drop_chunks(keep=-1)

    # --- the fresh counters -----------------------------------------------------------------

    async def _write(self, state: _State, report: Callable[[RebuildProgress], None]) -> int:
        """Idempotent, so a run resumed in this phase simply does it again."""
        totals: Counts = defaultdict(float, state.totals)
        for (module, _), days in state.quiz_days.items():
            locales = sorted({d["l"] for d in days})
            for key, value in distinct_counts(module, [ALL_LOCALES, *locales]).items():
                totals[key] += value
        fresh = self._counter_docs(totals) + [
            quiz_worker_doc(module, worker, days)
            for (module, worker), days in sorted(state.quiz_days.items())]
        for written, doc in enumerate(fresh, start=1):
            await self._stats.upsert(doc, ACTION)
            if written % 500 == 0:
                report(RebuildProgress(PHASES[2], state.pages, written))
        keep = {(doc["pk"], doc["id"]) for doc in fresh}
        stale, token = [], None
        while True:
            page, token = await self._stats.page("SELECT c.id, c.pk FROM c", {}, ACTION,
                                                 token=token, page_size=1000)
            stale += [d for d in page if d["pk"] != CHECKPOINT_PARTITION
                      and (d["pk"], d["id"]) not in keep]
            if token is None:
                break
        for doc in stale:
            await self._stats.delete(doc["id"], doc["pk"], ACTION)
        report(RebuildProgress(PHASES[2], state.pages, len(fresh)))
        return len(fresh)

    def _counter_docs(self, totals: Counts) -> list[Doc]:
        docs: dict[tuple[str, str], Doc] = {}
        for key, value in sorted(totals.items()):
            partition = partition_of(key.kind, key.module_id)
            doc_id = counter_doc_id(key.kind, key.locale, key.day)
            doc = docs.get((partition, doc_id))
            if doc is None:
                doc = docs[(partition, doc_id)] = self._counters.base_doc(
                    key.kind, key.module_id, key.locale, key.day)
            self._counters.apply_locally(
                doc, {"op": "incr", "path": pointer(*key.field), "value": value})
        return list(docs.values())
