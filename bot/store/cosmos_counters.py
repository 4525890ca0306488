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
submitted on (a bounded window's distinct workers: one COUNT per module), and per module the
`quizDistinct` counters of distinct workers, for all locales (`*`) and per locale: +1 when a
worker's first submission in the module (or in that locale) creates their `quizWorker`
document (or adds the locale to it), -1 when a deletion removes that document.
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


DISTINCT = "quizDistinct"
ALL_LOCALES = "*"
EVER = "all"  # the `day` of the distinct-worker counters: they count all time


class Counter(NamedTuple):
    kind: str  # usage | stuck | quiz | quizDistinct
    module_id: str
    locale: str
    day: str
    field: tuple[str, ...]  # ("started",) or ("minutes", "12")


Counts = dict[Counter, float]

_FIELDS = {
    "usage": {"started": 0, "done": 0, "completed": 0, "minutes": {}},
    "stuck": {"stuck": 0},
    "quiz": {"attempts": 0, "passed": 0, "scoreSum": 0.0, "scoreCount": 0, "misses": {}},
    DISTINCT: {"workers": 0},
}


def partition_of(kind: str, module_id: str) -> str:
    return f"{'quiz' if kind in ('quiz', DISTINCT) else 'usage'}:{module_id}"


def counter_doc_id(kind: str, locale: str, day: str) -> str:
    return f"{kind}:{safe_key(locale)}:{day}"


def quiz_worker_id(worker_id: str) -> str:
    return f"worker:{safe_key(worker_id)}"


def quiz_worker_doc(module_id: str, worker_id: str, days: list[dict[str, str]]) -> Doc:
    """The (day, locale) pairs a worker submitted a module's quiz on, and their locales."""
    return {"id": quiz_worker_id(worker_id), "pk": partition_of("quiz", module_id),
            "kind": "quizWorker", "moduleId": module_id, "workerId": worker_id, "days": days,
            "locales": sorted({d["l"] for d in days})}


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


def distinct_counts(module_id: str, locales: list[str], sign: int = 1) -> Counts:
    """A worker's contribution to the distinct-worker counters of a module: once for all
    locales when `locales` holds them all, once per locale they submitted in."""
    counts: Counts = {Counter(DISTINCT, module_id, locale, EVER, ("workers",)): sign
                      for locale in locales}
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
        """Record that the attempt's worker submitted in its module on that day and locale;
        count the worker once per module (and once per locale) in the distinct counters."""
        if a.status != AttemptStatus.SUBMITTED or a.submitted_at is None:
            return
        entry = {"d": day_of(a.submitted_at), "l": a.locale}
        partition, doc_id = partition_of("quiz", a.module_id), quiz_worker_id(a.worker_id)
        action = f"update the quiz workers of {a.module_id}"
        add = [{"op": "add", "path": "/days/-", "value": entry}]
        try:
            doc = await self.stats.read(doc_id, partition, action)
            if doc is None:
                doc = quiz_worker_doc(a.module_id, a.worker_id, [entry])
                if await self.stats.create_once(doc, partition, action):
                    await self.apply(distinct_counts(a.module_id, [ALL_LOCALES, a.locale]))
                    return
                doc = await self.stats.read(doc_id, partition, action) or {"days": []}
            if entry in doc.get("days", []):
                return
            if a.locale not in doc.get("locales", []):
                new_locale = f"FROM c WHERE NOT ARRAY_CONTAINS(c.locales, {json.dumps(a.locale)})"
                ops = [*add, {"op": "add", "path": "/locales/-", "value": a.locale}]
                if await self.stats.patch(doc_id, partition, ops, action, condition=new_locale):
                    await self.apply(distinct_counts(a.module_id, [a.locale]))
                    return
            condition = f"FROM c WHERE NOT ARRAY_CONTAINS(c.days, {_sql_object(entry)})"
            await self.stats.patch(doc_id, partition, add, action, condition=condition)
        except StoreUnavailable as exc:
            self.stats.calls.health.counter_failures += 1
            log.error("quiz worker counter of %s not updated: %s", a.module_id, exc)

    async def forget_quiz_worker(self, module_id: str, worker_id: str) -> None:
        """Delete the worker's `quizWorker` document; only the call that deleted it takes the
        worker out of the distinct counters."""
        partition, doc_id = partition_of("quiz", module_id), quiz_worker_id(worker_id)
        action = f"delete the quiz workers entry of {module_id}"
        doc = await self.stats.read(doc_id, partition, action)
        if doc is not None and await self.stats.delete(doc_id, partition, action):
            locales = doc.get("locales", [])
            await self.apply(distinct_counts(module_id, [ALL_LOCALES, *locales], sign=-1))


def _sql_object(entry: dict[str, str]) -> str:
    return "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in entry.items()) + "}"

