"""Recompute every report counter from the source documents.

Counters are updated after their source record is written; if that update is lost (an outage
between the two, or an increment that may or may not have landed and so was not retried),
`health()` reports it and this maintenance job brings the counters back in line. It reads
every progress, attempt and stuck event (a full scan: run it off-peak, from an admin tool,
never on a worker's turn), writes the fresh counter documents over the old ones, and then
deletes counter documents that no longer count anything. Writes made while it runs may be
missed: run it in a quiet moment, or run it twice.
"""

from __future__ import annotations

from collections import defaultdict

from domain.models import AttemptStatus, EventKind, ModuleProgress, QuizAttempt
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_counters import (
    CounterWriter,
    Counts,
    attempt_counts,
    counter_doc_id,
    event_counts,
    partition_of,
    progress_counts,
    quiz_worker_id,
)
from bot.store.cosmos_docs import day_of, from_doc, pointer
from bot.store.cosmos_events import doc_event

ACTION = "rebuild the report counters"


async def rebuild_counters(workers: Docs, events: Docs, counters: CounterWriter) -> int:
    """Returns how many counter documents were written."""
    totals: Counts = defaultdict(float)
    quiz_days: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    sources = await workers.query("SELECT * FROM c WHERE c.type IN ('progress', 'attempt')",
                                  {}, ACTION)
    for doc in sources:
        if doc["type"] == "progress":
            _add(totals, progress_counts(from_doc(ModuleProgress, doc)))
            continue
        attempt = from_doc(QuizAttempt, doc)
        _add(totals, attempt_counts(attempt))
        if attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at is not None:
            entry = {"d": day_of(attempt.submitted_at), "l": attempt.locale}
            days = quiz_days[(attempt.module_id, attempt.worker_id)]
            if entry not in days:
                days.append(entry)
    stuck = await events.query("SELECT * FROM c WHERE c.kind = @kind",
                               {"@kind": EventKind.EXERCISE_STUCK.value}, ACTION)
    for doc in stuck:
        _add(totals, event_counts(doc_event(doc)))

    fresh = _counter_docs(totals, counters) + [
        {"id": quiz_worker_id(worker), "pk": partition_of("quiz", module), "kind": "quizWorker",
         "moduleId": module, "workerId": worker, "days": days}
        for (module, worker), days in sorted(quiz_days.items())]
    for doc in fresh:
        await counters.stats.upsert(doc, ACTION)
    keep = {(doc["pk"], doc["id"]) for doc in fresh}
    for old in await counters.stats.query("SELECT c.id, c.pk FROM c", {}, ACTION):
        if (old["pk"], old["id"]) not in keep:
            await counters.stats.delete(old["id"], old["pk"], ACTION)
    counters.stats.calls.health.counter_failures = 0
    return len(fresh)


def _add(totals: Counts, counts: Counts) -> None:
    for key, value in counts.items():
        totals[key] += value


def _counter_docs(totals: Counts, counters: CounterWriter) -> list[Doc]:
    docs: dict[tuple[str, str], Doc] = {}
    for key, value in sorted(totals.items()):
        partition = partition_of(key.kind, key.module_id)
        doc_id = counter_doc_id(key.kind, key.locale, key.day)
        doc = docs.get((partition, doc_id))
        if doc is None:
            doc = docs[(partition, doc_id)] = counters.base_doc(
                key.kind, key.module_id, key.locale, key.day)
        counters.apply_locally(doc, {"op": "incr", "path": pointer(*key.field), "value": value})
    return list(docs.values())
