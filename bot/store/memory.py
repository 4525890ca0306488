"""In-memory adapter of the storage port: dicts in one process. For tests and `STORE=memory`.

Records go in and come out as deep copies, so a caller's later changes never reach the store.
No method awaits, so concurrent coroutines never interleave inside one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import TypeVar

from domain.models import (
    AttemptStatus,
    EventKind,
    Feedback,
    ModuleProgress,
    ProgressStatus,
    QuizAnswer,
    QuizAttempt,
    Record,
    UsageEvent,
    Worker,
)
from domain.reports import (
    FeedbackItem,
    FeedbackReport,
    MissedQuestion,
    ModuleQuizStats,
    ModuleUsage,
    QuizReport,
    ReportFilter,
    UsageReport,
    WeekUsage,
    iso_week,
    median,
    ratio,
)
from bot.store.memory_dashboard import MemoryDashboardFacts
from bot.store.erasure import RegistryPrivacyStore
from bot.store.memory_jobs import MemoryJobRunStore, MemoryLeaseStore
from bot.store.port import (
    AttemptWrite,
    ConcurrencyConflict,
    Health,
    WriteOutcome,
    answer_refusal,
)

R = TypeVar("R", bound=Record)
MOST_MISSED = 3


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _stored(record: R) -> R:
    """A deep copy with every datetime field as aware UTC (what the other backends return)."""
    copy = record.model_copy(deep=True)
    for name in type(record).model_fields:
        value = getattr(copy, name)
        if isinstance(value, datetime):
            setattr(copy, name, _utc(value))
    return copy


class _Data:
    def __init__(self) -> None:
        self.workers: dict[str, Worker] = {}
        self.progress: dict[tuple[str, str], ModuleProgress] = {}
        self.events: dict[str, UsageEvent] = {}
        self.attempts: dict[str, QuizAttempt] = {}
        self.feedback: dict[str, Feedback] = {}


def _owner(record: Record) -> str | None:
    return record.id if isinstance(record, Worker) else getattr(record, "worker_id", None)


class _WorkerRecords:
    """`WorkerData` over the one table of `_Data` named by `_table`."""

    _table: str

    def __init__(self, data: _Data):
        self._data = data

    async def delete_for_worker(self, worker_id: str) -> None:
        table = getattr(self._data, self._table)
        for key in [k for k, record in table.items() if _owner(record) == worker_id]:
            del table[key]

    async def holds_worker(self, worker_id: str) -> bool:
        return any(_owner(r) == worker_id for r in getattr(self._data, self._table).values())


class MemoryWorkerStore(_WorkerRecords):
    _table = "workers"

    async def get_worker(self, worker_id: str) -> Worker | None:
        worker = self._data.workers.get(worker_id)
        return _stored(worker) if worker else None

    async def register_worker(self, worker: Worker) -> Worker:
        existing = self._data.workers.get(worker.id)
        fresh = _stored(worker)
        fresh.installed = True
        if existing:
            fresh.created_at, fresh.language = existing.created_at, existing.language
            fresh.uninstalled_at = existing.uninstalled_at
        self._data.workers[worker.id] = fresh
        return _stored(fresh)

    async def set_language(self, worker_id: str, language: str | None) -> None:
        if worker := self._data.workers.get(worker_id):
            worker.language = language

    async def mark_uninstalled(self, worker_id: str, at: datetime) -> None:
        if worker := self._data.workers.get(worker_id):
            worker.installed = False
            worker.uninstalled_at = worker.updated_at = _utc(at)


class MemoryProgressStore(_WorkerRecords):
    _table = "progress"

    async def get_progress(self, worker_id: str, module_id: str) -> ModuleProgress | None:
        progress = self._data.progress.get((worker_id, module_id))
        return _stored(progress) if progress else None

    async def list_progress(self, worker_id: str) -> list[ModuleProgress]:
        return [_stored(p) for key, p in sorted(self._data.progress.items())
                if key[0] == worker_id]

    async def save_progress(
        self, progress: ModuleProgress, expected_version: int | None
    ) -> ModuleProgress:
        key = (progress.worker_id, progress.module_id)
        current = self._data.progress.get(key)
        stored_version = None if current is None else current.version
        if stored_version != expected_version:
            raise ConcurrencyConflict(
                f"progress of module {progress.module_id} changed since it was read")
        saved = _stored(progress)
        saved.version = (expected_version or 0) + 1
        self._data.progress[key] = saved
        return _stored(saved)


class MemoryEventStore(_WorkerRecords):
    _table = "events"

    async def record_event(self, event: UsageEvent) -> bool:
        if event.id in self._data.events:
            return False
        self._data.events[event.id] = _stored(event)
        return True

    async def purge_events_before(self, cutoff: datetime) -> int:
        cutoff = _utc(cutoff)
        old = [event_id for event_id, e in self._data.events.items() if e.at < cutoff]
        for event_id in old:
            del self._data.events[event_id]
        return len(old)


class MemoryAttemptStore(_WorkerRecords):
    _table = "attempts"

    async def create_attempt(self, attempt: QuizAttempt) -> QuizAttempt:
        existing = self._data.attempts.get(attempt.id)
        if existing is None:
            existing = self._data.attempts[attempt.id] = _stored(attempt)
        if existing.worker_id != attempt.worker_id:
            raise ConcurrencyConflict("that quiz attempt id belongs to another worker")
        return self._copy(existing)

    async def get_attempt(self, worker_id: str, attempt_id: str) -> QuizAttempt | None:
        attempt = self._owned(worker_id, attempt_id)
        return self._copy(attempt) if attempt else None

    async def record_answer(
        self, worker_id: str, attempt_id: str, answer: QuizAnswer
    ) -> AttemptWrite:
        attempt = self._owned(worker_id, attempt_id)
        refusal = answer_refusal(attempt, answer.question_id)
        if refusal is not None:
            return AttemptWrite(refusal, self._copy(attempt) if attempt else None)
        attempt.answers[answer.question_id] = _stored(answer)  # type: ignore[union-attr]
        attempt.version += 1  # type: ignore[union-attr]
        return AttemptWrite(WriteOutcome.WRITTEN, self._copy(attempt))  # type: ignore[arg-type]

    async def submit_attempt(
        self, worker_id: str, attempt_id: str, score: float, passed: bool, at: datetime
    ) -> AttemptWrite:
        attempt = self._owned(worker_id, attempt_id)
        if attempt is None:
            return AttemptWrite(WriteOutcome.MISSING, None)
        if attempt.status != AttemptStatus.IN_PROGRESS:
            return AttemptWrite(WriteOutcome.CLOSED, self._copy(attempt))
        attempt.status = AttemptStatus.SUBMITTED
        attempt.score, attempt.passed, attempt.submitted_at = score, passed, _utc(at)
        attempt.version += 1
        return AttemptWrite(WriteOutcome.WRITTEN, self._copy(attempt))

    async def list_attempts(self, worker_id: str) -> list[QuizAttempt]:
        mine = [a for a in self._data.attempts.values() if a.worker_id == worker_id]
        return [self._copy(a) for a in sorted(mine, key=lambda a: (a.started_at, a.id))]

    def _owned(self, worker_id: str, attempt_id: str) -> QuizAttempt | None:
        attempt = self._data.attempts.get(attempt_id)
        return attempt if attempt and attempt.worker_id == worker_id else None

    @staticmethod
    def _copy(attempt: QuizAttempt) -> QuizAttempt:
        copy = _stored(attempt)
        copy.answers = {qid: _stored(a) for qid, a in copy.answers.items()}
        return copy


class MemoryFeedbackStore(_WorkerRecords):
    _table = "feedback"

    async def add_feedback(self, feedback: Feedback) -> bool:
        if feedback.id in self._data.feedback:
            return False
        self._data.feedback[feedback.id] = _stored(feedback)
        return True

    async def list_feedback(self, worker_id: str) -> list[Feedback]:
        mine = [f for f in self._data.feedback.values() if f.worker_id == worker_id]
        return [_stored(f) for f in _newest_first(mine)]


def _newest_first(items: list[Feedback]) -> list[Feedback]:
    return sorted(items, key=lambda f: (f.created_at, f.id), reverse=True)


class _Window:
    """A report filter as a test on (time, module, locale)."""

    def __init__(self, flt: ReportFilter):
        self.start, self.end = flt.start(), flt.end()
        self.module_id, self.locale = flt.module_id, flt.locale

    def __call__(self, at: datetime | None, module_id: str | None, locale: str) -> bool:
        return (at is not None
                and (self.start is None or at >= self.start)
                and (self.end is None or at < self.end)
                and (self.module_id is None or module_id == self.module_id)
                and (self.locale is None or locale == self.locale))


class MemoryReportStore:
    def __init__(self, data: _Data):
        self._data = data

    async def usage_report(self, flt: ReportFilter) -> UsageReport:
        inside = _Window(flt)
        progress = list(self._data.progress.values())
        cohorts: dict[str, list[ModuleProgress]] = defaultdict(list)
        for p in progress:
            if inside(p.started_at, p.module_id, p.locale):
                cohorts[p.module_id].append(p)
        stuck = Counter(e.module_id for e in self._data.events.values()
                        if e.kind == EventKind.EXERCISE_STUCK and e.module_id is not None
                        and inside(e.at, e.module_id, e.locale))
        modules = []
        for module_id in sorted(cohorts.keys() | stuck.keys()):
            cohort = cohorts.get(module_id, [])
            done = [p for p in cohort if p.status == ProgressStatus.DONE]
            minutes = sorted(p.minutes_to_complete for p in done
                             if p.minutes_to_complete is not None)
            middle = median(minutes)
            modules.append(ModuleUsage(
                module_id=module_id, started=len(cohort), completed=len(done),
                completion_rate=ratio(len(done), len(cohort)),
                median_minutes=None if middle is None else round(middle, 4),
                exercises_stuck=stuck.get(module_id, 0)))
        started = Counter(iso_week(p.started_at) for c in cohorts.values() for p in c)
        completed = Counter(iso_week(p.completed_at) for p in progress  # type: ignore[arg-type]
                            if p.status == ProgressStatus.DONE
                            and inside(p.completed_at, p.module_id, p.locale))
        weeks = [WeekUsage(week=week, started=started.get(week, 0),
                           completed=completed.get(week, 0))
                 for week in sorted(started.keys() | completed.keys())]
        return UsageReport(modules=modules, weeks=weeks)

    async def quiz_report(self, flt: ReportFilter) -> QuizReport:
        inside = _Window(flt)
        by_module: dict[str, list[QuizAttempt]] = defaultdict(list)
        for a in self._data.attempts.values():
            if a.status == AttemptStatus.SUBMITTED and inside(a.submitted_at, a.module_id, a.locale):
                by_module[a.module_id].append(a)
        modules = []
        for module_id in sorted(by_module):
            attempts = by_module[module_id]
            scores = [a.score for a in attempts if a.score is not None]
            misses = Counter(qid for a in attempts
                             for qid, answer in a.answers.items() if not answer.correct)
            ranked = sorted(misses.items(), key=lambda item: (-item[1], item[0]))[:MOST_MISSED]
            modules.append(ModuleQuizStats(
                module_id=module_id, attempts=len(attempts),
                workers=len({a.worker_id for a in attempts}),
                pass_rate=ratio(sum(1 for a in attempts if a.passed), len(attempts)),
                average_score=round(sum(scores) / len(scores), 4) if scores else 0.0,
                most_missed=[MissedQuestion(question_id=qid, misses=n) for qid, n in ranked]))
        return QuizReport(modules=modules)

    async def feedback_report(self, flt: ReportFilter) -> FeedbackReport:
        inside = _Window(flt)
        items = _newest_first([f for f in self._data.feedback.values()
                               if inside(f.created_at, f.module_id, f.locale)])
        ratings: dict[str, list[int]] = defaultdict(list)
        for f in items:
            ratings[f.module_id or ""].append(f.rating)
        return FeedbackReport(
            by_category=dict(sorted(Counter(f.category.value for f in items).items())),
            by_rating=dict(sorted(Counter(f.rating for f in items).items())),
            average_rating_by_module={module_id: round(sum(r) / len(r), 4)
                                      for module_id, r in sorted(ratings.items())},
            items=[FeedbackItem(
                id=f.id, created_at=f.created_at, module_id=f.module_id, category=f.category,
                rating=f.rating, status=f.status, locale=f.locale,
                anonymous=f.worker_id is None, text=f.text) for f in items])


class MemoryStore:
    """The whole port in dicts; nothing survives the process."""

    def __init__(self) -> None:
        data = _Data()
        self.workers = MemoryWorkerStore(data)
        self.progress = MemoryProgressStore(data)
        self.events = MemoryEventStore(data)
        self.attempts = MemoryAttemptStore(data)
        self.feedback = MemoryFeedbackStore(data)
        self.reports = MemoryReportStore(data)
        self.dashboard = MemoryDashboardFacts(data)
        self.privacy = RegistryPrivacyStore(self)
        self.leases = MemoryLeaseStore()
        self.job_runs = MemoryJobRunStore()

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def health(self) -> Health:
        return Health("memory", "ok")
