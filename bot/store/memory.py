"""In-memory adapter of the storage port: dicts in one process. For tests and `STORE=memory`.

Records go in and come out as deep copies, so a caller's later changes never reach the store.
No method awaits, so concurrent coroutines never interleave inside one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TypeVar

from domain.models import (
    AttemptStatus,
    Feedback,
    ModuleProgress,
    QuizAnswer,
    QuizAttempt,
    Record,
    UsageEvent,
    Worker,
)
from bot.store.erasure import RegistryPrivacyStore
from bot.store.maintenance import NoCounters
from bot.store.memory_jobs import MemoryJobRunStore, MemoryLeaseStore
from bot.store.memory_dashboard import MemoryDashboardFacts
from bot.store.memory_reports import MemoryReportFacts
from bot.store.adoption_facts import ComposedAdoptionFacts
from bot.store.memory_usage import MemoryDirectoryStore, MemoryUsageStore, page_after
from bot.store.memory_triage import MemoryTriageStore
from bot.store.port import (
    AttemptWrite,
    ConcurrencyConflict,
    Health,
    WriteOutcome,
    answer_refusal,
)
from domain.report_rules import Reports
from domain.report_facts import COMPLETED
from domain.usage_records import Completion

R = TypeVar("R", bound=Record)


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
            fresh.upn = fresh.upn or existing.upn
            fresh.time_zone = fresh.time_zone or existing.time_zone
            fresh.blocked_at = existing.blocked_at  # set and cleared by the campaign store
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

    async def completions_page(self, cursor: str | None,
                               limit: int) -> tuple[list[Completion], str | None]:
        done = [k for k, p in self._data.progress.items() if p.completed_at and p.status == COMPLETED]
        keys, next_cursor = page_after(done, cursor, limit, "\t".join)
        return [Completion(w, m, _utc(self._data.progress[(w, m)].completed_at))  # type: ignore[arg-type]
                for w, m in keys], next_cursor


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

    async def list_worker_events(self, worker_id: str) -> list[UsageEvent]:
        mine = [e for e in self._data.events.values() if e.worker_id == worker_id]
        return [_stored(e) for e in sorted(mine, key=lambda e: (e.at, e.id))]


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
        return self._close(worker_id, attempt_id, AttemptStatus.SUBMITTED,
                           score=score, passed=passed, submitted_at=_utc(at))

    async def abandon_attempt(self, worker_id: str, attempt_id: str) -> AttemptWrite:
        return self._close(worker_id, attempt_id, AttemptStatus.ABANDONED)

    def _close(self, worker_id: str, attempt_id: str, status: AttemptStatus,
               **fields: object) -> AttemptWrite:
        """Move an in-progress attempt to `status`, setting `fields`."""
        attempt = self._owned(worker_id, attempt_id)
        if attempt is None:
            return AttemptWrite(WriteOutcome.MISSING, None)
        if attempt.status != AttemptStatus.IN_PROGRESS:
            return AttemptWrite(WriteOutcome.CLOSED, self._copy(attempt))
        attempt.status = status
        for name, value in fields.items():
            setattr(attempt, name, value)
        attempt.version += 1
        return AttemptWrite(WriteOutcome.WRITTEN, self._copy(attempt))

    async def open_attempt(self, worker_id: str, module_id: str) -> QuizAttempt | None:
        open_ = [a for a in await self.list_attempts(worker_id)
                 if a.module_id == module_id and a.status == AttemptStatus.IN_PROGRESS]
        return open_[-1] if open_ else None

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




class MemoryStore:
    """The whole port in dicts; nothing survives the process."""

    def __init__(self) -> None:
        data = _Data()
        self.workers = MemoryWorkerStore(data)
        self.progress = MemoryProgressStore(data)
        self.events = MemoryEventStore(data)
        self.attempts = MemoryAttemptStore(data)
        self.feedback = MemoryFeedbackStore(data)
        self.triage = MemoryTriageStore(data.feedback)
        self.reports = Reports(MemoryReportFacts(data))
        self.dashboard = MemoryDashboardFacts(data)
        self.privacy = RegistryPrivacyStore(self)
        self.leases = MemoryLeaseStore()
        self.job_runs = MemoryJobRunStore()
        self.maintenance = NoCounters("memory")
        from bot.store.memory_campaigns import MemoryCampaignStore  # it builds on this module

        self.campaigns = MemoryCampaignStore(data)
        self.directory = MemoryDirectoryStore()
        self.usage = MemoryUsageStore(self.directory)
        self.adoption = ComposedAdoptionFacts(self.directory, self.progress, self.usage)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def health(self) -> Health:
        return Health("memory", "ok")
