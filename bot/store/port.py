"""The storage port: one small async Protocol per aggregate, grouped in a `Store`.

Every adapter (memory, sqlite, cosmos) implements all of them and passes the same contract
suite (tests/store_contract/). Rules every adapter keeps:
- Idempotency: writes that carry an id (usage events, feedback, attempts, answers) are stored
  once; a repeat returns False (or the existing record, or an `AttemptWrite` saying why not)
  and changes nothing.
- Writes return what they wrote, so a caller never reads a record back after writing it.
- Optimistic concurrency: `save_progress` writes only when `expected_version` matches the
  stored version (None = the record must not exist yet) and bumps `version`; otherwise it
  raises ConcurrencyConflict.
- Worker scoping: reads and writes of a worker's data name the worker; another worker's id
  finds nothing.
- Outages raise StoreUnavailable (after the adapter's own bounded retries), never a driver
  error, so the flows can tell the worker to try again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Protocol

from domain.dashboard import DashboardFacts
from domain.jobs import JobRun, Lease
from domain.models import (
    AttemptStatus,
    Feedback,
    ModuleProgress,
    QuizAnswer,
    QuizAttempt,
    UsageEvent,
    Worker,
)
from bot.store.campaign_port import CampaignStore
from domain.triage import InboxFilter, InboxItem, InboxPage, Triage
from domain.reports import FeedbackReport, QuizReport, ReportFilter, UsageReport
from domain.adoption import Threshold
from domain.adoption_patterns import PatternFacts, PatternQuery
from domain.usage_records import Completion, DirectoryEntry, UsageImport, UsageRecord, UsageSummary


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

    async def list_worker_events(self, worker_id: str) -> list[UsageEvent]:
        """Every usage event that names the worker, oldest first (ties: id): what "my data"
        summarises and exports. Rare; on Cosmos a cross-partition query."""
        ...


class WriteOutcome(str, Enum):
    WRITTEN = "written"
    ALREADY_ANSWERED = "already_answered"  # that question has an answer: the first one counts
    CLOSED = "closed"  # the attempt is submitted
    MISSING = "missing"  # no such attempt of this worker
    UNKNOWN_QUESTION = "unknown_question"  # the question is not part of the attempt


@dataclass(frozen=True)
class AttemptWrite:
    """What an answer or a submission did, and the attempt as stored after it (None only when
    MISSING), so the caller needs no second read."""

    outcome: WriteOutcome
    attempt: QuizAttempt | None

    @property
    def written(self) -> bool:
        return self.outcome is WriteOutcome.WRITTEN


def answer_refusal(attempt: QuizAttempt | None, question_id: str) -> WriteOutcome | None:
    """Why an answer to `question_id` must not be recorded on `attempt`; None: record it."""
    if attempt is None:
        return WriteOutcome.MISSING
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return WriteOutcome.CLOSED
    if question_id not in attempt.question_ids:
        return WriteOutcome.UNKNOWN_QUESTION
    if question_id in attempt.answers:
        return WriteOutcome.ALREADY_ANSWERED
    return None


class AttemptStore(Protocol):
    async def create_attempt(self, attempt: QuizAttempt) -> QuizAttempt:
        """Store a new attempt; if one with that id exists, return it unchanged."""
        ...

    async def get_attempt(self, worker_id: str, attempt_id: str) -> QuizAttempt | None: ...

    async def record_answer(
        self, worker_id: str, attempt_id: str, answer: QuizAnswer
    ) -> AttemptWrite:
        """Record the first answer to a question of an in-progress attempt. Otherwise nothing
        changes and the outcome says why: ALREADY_ANSWERED, CLOSED, UNKNOWN_QUESTION, MISSING."""
        ...

    async def submit_attempt(
        self, worker_id: str, attempt_id: str, score: float, passed: bool, at: datetime
    ) -> AttemptWrite:
        """Close an in-progress attempt with its result. CLOSED when already submitted,
        MISSING when there is no such attempt."""
        ...

    async def abandon_attempt(self, worker_id: str, attempt_id: str) -> AttemptWrite:
        """Close an in-progress attempt without a result (the worker starts over): status
        ABANDONED, counted in no report. CLOSED when not in progress, MISSING when absent."""
        ...

    async def open_attempt(self, worker_id: str, module_id: str) -> QuizAttempt | None:
        """The worker's newest in-progress attempt of the module (one read in the worker's
        own records), or None."""
        ...

    async def list_attempts(self, worker_id: str) -> list[QuizAttempt]: ...


class FeedbackStore(Protocol):
    async def add_feedback(self, feedback: Feedback) -> bool:
        """Store once. False when feedback with that id exists."""
        ...

    async def list_feedback(self, worker_id: str) -> list[Feedback]:
        """The worker's own (non-anonymous) feedback, newest first."""
        ...


class TriageStore(Protocol):
    """The feedback inbox: every feedback item (anonymous ones too) with its triage."""

    async def list_inbox(self, flt: InboxFilter, cursor: str | None, limit: int) -> InboxPage:
        """Items matching `flt`, newest first (created_at, then id), `limit` per page; the
        cursor comes from the previous page. Raises ValueError for a cursor not ours."""
        ...

    async def get_item(self, feedback_id: str) -> InboxItem | None:
        """The item with its triage (version 0 and status new when nobody touched it)."""
        ...

    async def save_triage(self, triage: Triage, expected_version: int) -> Triage:
        """Write if the stored version equals expected_version (0: never triaged); returns
        the triage with its new version, and the feedback's status follows. Raises
        ConcurrencyConflict otherwise, and when the feedback item does not exist."""
        ...

    async def list_for_worker(self, worker_id: str) -> list[Triage]:
        """Triage of the worker's own feedback (for "my data"), any order."""
        ...


class ReportStore(Protocol):
    async def usage_report(self, flt: ReportFilter) -> UsageReport: ...

    async def quiz_report(self, flt: ReportFilter) -> QuizReport: ...

    async def usage_summary(self, flt: ReportFilter) -> UsageReport:
        """usage_report without medians and exercise marks (the dashboard's overview)."""
        ...

    async def quiz_summary(self, flt: ReportFilter) -> QuizReport:
        """quiz_report without distinct workers and most-missed questions (the overview)."""
        ...

    async def feedback_report(self, flt: ReportFilter) -> FeedbackReport: ...


@dataclass(frozen=True)
class RebuildProgress:
    phase: str  # what is being read or written
    pages: int  # source pages read so far
    documents: int  # documents read (or, when writing, written) so far


@dataclass(frozen=True)
class RebuildResult:
    rebuilt: bool  # False: this backend keeps no report counters, so nothing was done
    detail: str
    counter_documents: int = 0
    pages: int = 0
    resumed: bool = False  # carried on from the checkpoint of an interrupted run


class MaintenanceStore(Protocol):
    async def rebuild_counters(
        self, progress: Callable[[RebuildProgress], None] | None = None
    ) -> RebuildResult:
        """Recompute pre-aggregated report counters from the stored records, resuming an
        interrupted run; `progress` is told after every page. A backend that computes its
        reports from the records keeps no counters and answers rebuilt=False."""
        ...


class PrivacyStore(Protocol):
    async def delete_worker_data(self, worker_id: str) -> None:
        """Remove everything stored about the worker: every aggregate in
        `bot.store.erasure.WORKER_DATA` forgets them. Reports stop counting them."""
        ...


class WorkerData(Protocol):
    """An aggregate that can hold a worker's id registers these (bot/store/erasure.py)."""

    async def delete_for_worker(self, worker_id: str) -> None:
        """Delete what this aggregate holds about the worker; re-runnable after an
        interruption."""
        ...

    async def holds_worker(self, worker_id: str) -> bool:
        """True while anything in this aggregate still names the worker."""
        ...


class DirectoryStore(Protocol):
    """Directory users from Graph, by Entra object id, and the sync's checkpoint."""

    async def save_users(self, entries: list[DirectoryEntry]) -> int:
        """Create or replace each entry (a removed one keeps its stored fields and is marked
        removed). Re-saving the same entries changes nothing. Returns how many were given."""
        ...

    async def get_users(self, user_ids: list[str]) -> dict[str, DirectoryEntry]: ...

    async def users_page(self, cursor: str | None,
                         limit: int) -> tuple[list[DirectoryEntry], str | None]:
        """Every stored entry (removed ones too) by id, `limit` at a time after `cursor`."""
        ...

    async def get_checkpoint(self) -> str | None:
        """The stored Graph next link (an interrupted round) or delta link (a finished one)."""
        ...

    async def save_checkpoint(self, link: str | None) -> None: ...


class UsageStore(Protocol):
    """Microsoft 365 usage rows per (report date, workload, upn), and the imports made."""

    async def save_rows(self, rows: list[UsageRecord]) -> None:
        """Store each row under its key, replacing a stored one: importing twice doubles nothing."""
        ...

    async def record_import(self, imported: UsageImport) -> None:
        """Store the import of (report date, workload), replacing an earlier one of the same."""
        ...

    async def list_imports(self) -> list[UsageImport]:
        """Every import kept, by report date then workload."""
        ...

    async def rows_page(self, report_date: date, cursor: str | None,
                        limit: int) -> tuple[list[UsageRecord], str | None]:
        """The rows of one report day (all workloads), `limit` at a time after `cursor`."""
        ...

    async def rows_of(self, upn: str, chosen: list[tuple[date, str]]) -> list[UsageRecord]:
        """One user's rows in the chosen (report date, workload) imports (a worker's menu)."""
        ...

    async def summaries(self, chosen: list[tuple[date, str]],
                        thresholds: list[Threshold]) -> list[UsageSummary]:
        """Per upn in the rows of the chosen (report date, workload) imports: in which of them
        the user was active, which thresholds their figures reach (`domain.usage_records.
        summarise` is the definition)."""
        ...

    async def purge_before(self, cutoff: date) -> int:
        """Delete rows and imports of report days before `cutoff`. Returns the rows removed."""
        ...


class LeaseStore(Protocol):
    """One holder per job across instances. Every write is a compare-and-set on the stored
    version (SQLite: the version column; Cosmos: a filtered patch), so two instances racing
    for a lease cannot both win."""

    async def acquire(self, name: str, owner: str, until: datetime, now: datetime) -> Lease | None:
        """Take the lease when it is free, expired at `now`, or already `owner`'s; it is then
        held until `until`. None when someone else holds it."""
        ...

    async def renew(self, lease: Lease, until: datetime) -> Lease | None:
        """Extend a lease still held as `lease` (same owner and version). None when lost."""
        ...

    async def release(self, lease: Lease) -> bool:
        """Give the lease up if still held as `lease`. False when it was lost already."""
        ...

    async def get_lease(self, name: str) -> Lease | None: ...


class JobRunStore(Protocol):
    async def record_run(self, run: JobRun) -> None:
        """Store `run` as the job's latest run (replacing the one before)."""
        ...

    async def last_run(self, job: str) -> JobRun | None: ...

    async def list_runs(self) -> list[JobRun]:
        """The latest run of every job that has run, by job name."""
        ...


class AdoptionFacts(Protocol):
    """The adoption report's facts: the enabled directory users joined with their completed
    modules and their usage summary, as bit patterns (domain/adoption_patterns.py)."""

    async def prepare(self, query: PatternQuery) -> int:
        """Build what answering `query` needs ahead (the import calls it); harmless to repeat."""
        ...

    async def pattern_facts(self, query: PatternQuery, workers: bool = False) -> PatternFacts:
        """Workers counted per (department, pattern), everyone active per workload, and with
        `workers` each worker's pattern too (`domain.adoption_patterns.worker_patterns` is
        the definition)."""
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
    triage: TriageStore
    reports: ReportStore
    dashboard: DashboardFacts  # the dashboard's figures beyond the reports
    privacy: PrivacyStore
    campaigns: CampaignStore  # bot/store/campaign_port.py
    leases: LeaseStore
    job_runs: JobRunStore
    directory: DirectoryStore
    usage: UsageStore
    adoption: AdoptionFacts
    maintenance: MaintenanceStore

    async def open(self) -> None:
        """Connect, migrate / create containers. Raises StoreUnavailable with a clear reason."""
        ...

    async def close(self) -> None: ...

    async def health(self) -> Health: ...
