"""What the directory sync and the usage import store, and how stored rows become the
adoption report's facts (domain/adoption.py). No storage or Graph details here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .adoption import ImportFacts, WorkerFacts


@dataclass(frozen=True)
class DirectoryEntry:
    """One directory user (Entra object id = the worker id Teams sends)."""

    id: str
    upn: str = ""
    name: str = ""
    department: str = ""
    country: str = ""
    office: str = ""
    preferred_language: str = ""
    enabled: bool = True
    removed: bool = False  # gone from the directory: kept marked, out of the reports

    @property
    def reportable(self) -> bool:
        return self.enabled and not self.removed and bool(self.upn)


@dataclass(frozen=True)
class UsageRecord:
    """One user's figures in one report: the key is (report_date, workload, upn)."""

    report_date: date
    workload: str
    upn: str  # lower-cased; a 32-digit hash when the tenant conceals names
    last_activity: date | None = None
    period_days: int = 0
    metrics: Mapping[str, int] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Any activity inside the report period (the last activity date is in it)."""
        if self.last_activity is None:
            return False
        return self.last_activity > self.report_date - timedelta(days=max(self.period_days, 1))


@dataclass(frozen=True)
class UsageImport:
    """One report imported for one day: stored again on a re-import, never added twice."""

    report_date: date
    workload: str
    period_days: int
    rows: int
    concealed: bool
    imported_at: datetime


@dataclass(frozen=True)
class Completion:
    worker_id: str
    module_id: str
    completed_at: datetime


def worker_facts(entries: Iterable[DirectoryEntry],
                 completions: Iterable[Completion]) -> list[WorkerFacts]:
    """The workers the report judges: enabled directory users with a UPN, and what each completed."""
    done: dict[str, dict[str, date]] = {}
    for completion in completions:
        done.setdefault(completion.worker_id, {})[completion.module_id] = completion.completed_at.date()
    return [WorkerFacts(e.id, e.name or e.upn, e.upn, e.department or "-", done.get(e.id, {}))
            for e in entries if e.reportable]


class ImportBuilder:
    """Collects stored rows of the chosen imports (at most one per workload) into ImportFacts.
    `with_usage=False` keeps only who was active (enough for the trend of older imports)."""

    def __init__(self, chosen: Iterable[UsageImport], with_usage: bool = True):
        self.chosen = {(i.report_date, i.workload): i for i in chosen}
        self._with_usage = with_usage
        self._usage: dict[str, dict[str, Mapping[str, int]]] = {}
        self._active: dict[str, set[str]] = {}

    @property
    def days(self) -> list[date]:
        return sorted({day for day, _ in self.chosen})

    def add(self, record: UsageRecord) -> None:
        if (record.report_date, record.workload) not in self.chosen:
            return
        if self._with_usage:
            self._usage.setdefault(record.upn, {})[record.workload] = record.metrics
        if record.active:
            self._active.setdefault(record.workload, set()).add(record.upn)

    def facts(self) -> ImportFacts:
        chosen = self.chosen.values()
        return ImportFacts(max(self.days), self._usage,
                           {w: frozenset(upns) for w, upns in self._active.items()},
                           concealed=any(i.concealed for i in chosen),
                           reported={i.workload: i.rows for i in chosen})


def latest_per_workload(imports: Iterable[UsageImport]) -> list[UsageImport]:
    """The newest import of each workload: the reports' refresh days may differ by a day."""
    latest: dict[str, UsageImport] = {}
    for imported in sorted(imports, key=lambda i: i.report_date):
        latest[imported.workload] = imported
    return list(latest.values())


def report_days(imports: Iterable[UsageImport]) -> list[date]:
    """The distinct report days imported, oldest first."""
    return sorted({i.report_date for i in imports})
