"""Pre-aggregated report counters (container `stats`, partition key /pk).

Each source record *contributes* to a few counters; a write applies the difference between
the contributions of the new and the old version of the record with patch `incr`, and a
deletion applies minus the old contributions. Counter documents, one per module, locale and
UTC day (partition `usage:<module>` or `quiz:<module>`):
- `usage` day: started (progress started that day), done (of those, status done), minutes
  (histogram of their minutes_to_complete), completed (progress completed that day);
- `stuck` day: exercise_stuck events; expires with the events it counts (per-item ttl);
- `quiz` day: attempts submitted that day, passed, scoreSum/scoreCount, misses per question.
Plus one `quizWorker` document per module and worker listing the (day, locale) pairs they
submitted on, so "distinct workers in a window" is one COUNT query per module.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import NamedTuple

from domain.models import (
    AttemptStatus,
    EventKind,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    UsageEvent,
)
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_docs import day_of, pointer, safe_key
from bot.store.port import StoreUnavailable

log = logging.getLogger(__name__)

PATCH_LIMIT = 10  # operations per patch request


class Counter(NamedTuple):
    kind: str  # usage | stuck | quiz
    module_id: str
    locale: str
    day: str
    field: tuple[str, ...]  # ("started",) or ("minutes", "12")


Counts = dict[Counter, float]

_FIELDS = {
    "usage": {"started": 0, "done": 0, "completed": 0, "minutes": {}},
    "stuck": {"stuck": 0},
    "quiz": {"attempts": 0, "passed": 0, "scoreSum": 0.0, "scoreCount": 0, "misses": {}},
}


def partition_of(kind: str, module_id: str) -> str:
    return f"{'quiz' if kind == 'quiz' else 'usage'}:{module_id}"


def counter_doc_id(kind: str, locale: str, day: str) -> str:
    return f"{kind}:{safe_key(locale)}:{day}"


def quiz_worker_id(worker_id: str) -> str:
    return f"worker:{safe_key(worker_id)}"


def progress_counts(p: ModuleProgress | None) -> Counts:
    counts: Counts = defaultdict(float)
    if p is None:
        return counts
    start = day_of(p.started_at)
    counts[Counter("usage", p.module_id, p.locale, start, ("started",))] += 1
    if p.status == ProgressStatus.DONE:
        counts[Counter("usage", p.module_id, p.locale, start, ("done",))] += 1
        if p.minutes_to_complete is not None:
            minutes = ("minutes", str(p.minutes_to_complete))
            counts[Counter("usage", p.module_id, p.locale, start, minutes)] += 1
        if p.completed_at is not None:
            completed = day_of(p.completed_at)
            counts[Counter("usage", p.module_id, p.locale, completed, ("completed",))] += 1
    return counts


def attempt_counts(a: QuizAttempt | None) -> Counts:
    counts: Counts = defaultdict(float)
    if a is None or a.submitted_at is None:
        return counts
    day = day_of(a.submitted_at)
    if a.status == AttemptStatus.SUBMITTED:
        counts[Counter("quiz", a.module_id, a.locale, day, ("attempts",))] += 1
        counts[Counter("quiz", a.module_id, a.locale, day, ("passed",))] += 1 if a.passed else 0
        if a.score is not None:
            counts[Counter("quiz", a.module_id, a.locale, day, ("scoreSum",))] += a.score
            counts[Counter("quiz", a.module_id, a.locale, day, ("scoreCount",))] += 1
    for answer in a.answers.values():
        if not answer.correct:
            missed = ("misses", answer.question_id)
            counts[Counter("quiz", a.module_id, a.locale, day, missed)] += 1
    return counts


def event_counts(e: UsageEvent | None) -> Counts:
    counts: Counts = defaultdict(float)
    if e is not None and e.kind == EventKind.EXERCISE_STUCK and e.module_id is not None:
        counts[Counter("stuck", e.module_id, e.locale, day_of(e.at), ("stuck",))] += 1
    return counts


def difference(new: Counts, old: Counts) -> Counts:
    delta = {key: new.get(key, 0) - old.get(key, 0) for key in new.keys() | old.keys()}
    return {key: value for key, value in delta.items() if value}


def negate(counts: Counts) -> Counts:
    return {key: -value for key, value in counts.items() if value}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class CounterWriter:
    """Applies counter deltas. A failure here comes after the source record was written: it is
    logged and remembered (health turns degraded) instead of failing the worker's turn."""

    def __init__(self, stats: Docs, stuck_ttl_seconds: int):
        self.stats = stats
        self.stuck_ttl = stuck_ttl_seconds

    async def apply(self, delta: Counts) -> None:
        by_doc: dict[tuple[str, str, str, str], dict[tuple[str, ...], float]] = defaultdict(dict)
        for key, value in delta.items():
            if value:
                by_doc[(key.kind, key.module_id, key.locale, key.day)][key.field] = value
        for (kind, module_id, locale, day), fields in sorted(by_doc.items()):
            try:
                await self._bump(kind, module_id, locale, day, fields)
            except StoreUnavailable as exc:
                self.stats.calls.health.counter_failures += 1
                self.stats.calls.health.note(f"counter update lost: {exc}")
                log.error("report counter %s/%s/%s/%s not updated: %s",
                          kind, module_id, locale, day, exc)

    async def _bump(self, kind: str, module_id: str, locale: str, day: str,
                    fields: dict[tuple[str, ...], float]) -> None:
        partition = partition_of(kind, module_id)
        doc_id = counter_doc_id(kind, locale, day)
        ops: list[Doc] = [{"op": "incr", "path": pointer(*field), "value": _number(value)}
                          for field, value in sorted(fields.items())]
        if kind == "stuck":
            ops.append({"op": "set", "path": "/ttl", "value": self.stuck_ttl})
        action = f"update the {kind} counters of {module_id}"
        for start in range(0, len(ops), PATCH_LIMIT):
            chunk = ops[start:start + PATCH_LIMIT]
            if await self.stats.patch(doc_id, partition, chunk, action, idempotent=False):
                continue
            base = self.base_doc(kind, module_id, locale, day)
            for op in chunk:
                self.apply_locally(base, op)
            if await self.stats.create(base, action, idempotent=False):
                continue
            await self.stats.patch(doc_id, partition, chunk, action, idempotent=False)

    def base_doc(self, kind: str, module_id: str, locale: str, day: str) -> Doc:
        """A counter document at zero."""
        doc: Doc = {"id": counter_doc_id(kind, locale, day), "pk": partition_of(kind, module_id),
                    "kind": kind, "moduleId": module_id, "locale": locale, "day": day}
        for name, initial in _FIELDS[kind].items():
            doc[name] = dict(initial) if isinstance(initial, dict) else initial
        if kind == "stuck":
            doc["ttl"] = self.stuck_ttl
        return doc

    @staticmethod
    def apply_locally(doc: Doc, op: Doc) -> None:
        """What a patch `incr` or `set` would do to `doc`, done here before creating it."""
        segments = [s.replace("~1", "/").replace("~0", "~") for s in op["path"][1:].split("/")]
        target = doc
        for segment in segments[:-1]:
            target = target.setdefault(segment, {})
        if op["op"] == "incr":
            target[segments[-1]] = target.get(segments[-1], 0) + op["value"]
        else:
            target[segments[-1]] = op["value"]

    async def note_quiz_worker(self, a: QuizAttempt) -> None:
        """Record that the attempt's worker submitted in its module on that day and locale."""
        if a.status != AttemptStatus.SUBMITTED or a.submitted_at is None:
            return
        entry = {"d": day_of(a.submitted_at), "l": a.locale}
        partition, doc_id = partition_of("quiz", a.module_id), quiz_worker_id(a.worker_id)
        action = f"update the quiz workers of {a.module_id}"
        condition = f"FROM c WHERE NOT ARRAY_CONTAINS(c.days, {_sql_object(entry)})"
        op = [{"op": "add", "path": "/days/-", "value": entry}]
        try:
            if await self.stats.read(doc_id, partition, action) is None:
                doc = {"id": doc_id, "pk": partition, "kind": "quizWorker",
                       "moduleId": a.module_id, "workerId": a.worker_id, "days": [entry]}
                if await self.stats.create(doc, action):
                    return
            await self.stats.patch(doc_id, partition, op, action, condition=condition)
        except StoreUnavailable as exc:
            self.stats.calls.health.counter_failures += 1
            log.error("quiz worker counter of %s not updated: %s", a.module_id, exc)

    async def forget_quiz_worker(self, module_id: str, worker_id: str) -> None:
        await self.stats.delete(quiz_worker_id(worker_id), partition_of("quiz", module_id),
                                f"delete the quiz workers entry of {module_id}")


def _sql_object(entry: dict[str, str]) -> str:
    return "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in entry.items()) + "}"

