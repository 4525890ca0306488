"""The storage port: one small async Protocol per aggregate, grouped in a `Store`.

Every adapter (memory, sqlite, cosmos) implements all of them and passes the same contract
suite (tests/store_contract/). Rules every adapter keeps:
- Idempotency: writes that carry an id (usage events, feedback, attempts, answers) are stored
  once; a repeat returns False (or the existing record) and changes nothing.
- Optimistic concurrency: `save_progress` writes only when `expected_version` matches the
  stored version (None = the record must not exist yet) and bumps `version`; otherwise it
  raises ConcurrencyConflict.
- Worker scoping: reads and writes of a worker's data name the worker; another worker's id
  finds nothing.
- Outages raise StoreUnavailable (after the adapter's own bounded retries), never a driver
  error, so the flows can tell the worker to try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.models import (
    Feedback,
    ModuleProgress,
    QuizAnswer,
    QuizAttempt,
    UsageEvent,
    Worker,
)
from bot.store.campaign_port import CampaignStore
from domain.reports import FeedbackReport, QuizReport, ReportFilter, UsageReport


class StoreError(Exception):
    """Base of the errors a store raises."""


class StoreUnavailable(StoreError):
    """The backend cannot be reached or keeps failing; the caller should ask to try again."""


class ConcurrencyConflict(StoreError):
    """Somebody else wrote the record since it was read."""


class WorkerStore(Protocol):
    async def get_worker(self, worker_id: str) -> Worker | None: ...

    async def register_worker(self, worker: Worker) -> Worker:
        """Create, or refresh name/locale/tenant/conversation of an existing worker and mark
        them installed. Keeps created_at, the chosen language and the time of the last
        uninstall (the welcome is sent once per installation). Returns the stored record."""
        ...

    async def set_language(self, worker_id: str, language: str | None) -> None: ...

    async def mark_uninstalled(self, worker_id: str, at: datetime) -> None: ...


class ProgressStore(Protocol):
    async def get_progress(self, worker_id: str, module_id: str) -> ModuleProgress | None: ...

    async def list_progress(self, worker_id: str) -> list[ModuleProgress]: ...

    async def save_progress(
        self, progress: ModuleProgress, expected_version: int | None
    ) -> ModuleProgress:
        """Write if the stored version equals expected_version; returns the record with its
        new version. Raises ConcurrencyConflict otherwise."""
        ...


class EventStore(Protocol):
    async def record_event(self, event: UsageEvent) -> bool:
        """Store the event once. False when an event with that id exists."""
        ...

    async def purge_events_before(self, cutoff: datetime) -> int:
        """Delete usage events older than cutoff (retention). Returns how many went."""
        ...


class AttemptStore(Protocol):
    async def create_attempt(self, attempt: QuizAttempt) -> QuizAttempt:
        """Store a new attempt; if one with that id exists, return it unchanged."""
        ...

    async def get_attempt(self, worker_id: str, attempt_id: str) -> QuizAttempt | None: ...

    async def record_answer(self, worker_id: str, attempt_id: str, answer: QuizAnswer) -> bool:
        """Record the first answer to a question of an in-progress attempt. False when the
        question was answered already, the attempt is submitted, or it does not exist."""
        ...

    async def submit_attempt(
        self, worker_id: str, attempt_id: str, score: float, passed: bool, at: datetime
    ) -> bool:
        """Close an in-progress attempt with its result. False when already submitted."""
        ...

    async def list_attempts(self, worker_id: str) -> list[QuizAttempt]: ...


class FeedbackStore(Protocol):
    async def add_feedback(self, feedback: Feedback) -> bool:
        """Store once. False when feedback with that id exists."""
        ...

    async def list_feedback(self, worker_id: str) -> list[Feedback]:
        """The worker's own (non-anonymous) feedback, newest first."""
        ...


class ReportStore(Protocol):
    async def usage_report(self, flt: ReportFilter) -> UsageReport: ...

    async def quiz_report(self, flt: ReportFilter) -> QuizReport: ...

    async def feedback_report(self, flt: ReportFilter) -> FeedbackReport: ...


class PrivacyStore(Protocol):
    async def delete_worker_data(self, worker_id: str) -> None:
        """Remove everything stored about the worker: record, progress, attempts, their
        named feedback and their usage events. Reports stop counting them."""
        ...


@dataclass
class Health:
    backend: str
    status: str  # "ok" | "degraded" | "down"
    detail: str = ""


class Store(Protocol):
    """One backend, all aggregates."""

    workers: WorkerStore
    progress: ProgressStore
    events: EventStore
    attempts: AttemptStore
    feedback: FeedbackStore
    reports: ReportStore
    privacy: PrivacyStore
    campaigns: CampaignStore  # bot/store/campaign_port.py

    async def open(self) -> None:
        """Connect, migrate / create containers. Raises StoreUnavailable with a clear reason."""
        ...

    async def close(self) -> None: ...

    async def health(self) -> Health: ...
