"""What the directory sync and the usage import store, and how stored rows become the
adoption report's facts (domain/adoption.py). No storage or Graph details here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from .adoption import Expectations, Threshold, WorkerFacts


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


class UsageSummary(NamedTuple):
    """One user across the chosen imports: bit i of `active` = active in chosen[i], bit j of
    `met` = thresholds[j] holds for their figures."""

    upn: str
    active: int
    met: int


def summarise(records: Iterable[UsageRecord], chosen: Sequence[tuple[date, str]],
              thresholds: Sequence[Threshold]) -> list[UsageSummary]:
    """The summary fact from stored rows (memory and Cosmos; SQLite computes it in SQL from
    the `active` column this module's rule filled in and the same comparisons)."""
    index = {key: i for i, key in enumerate(chosen)}
    found: dict[str, list[int]] = {}
    for record in records:
        i = index.get((record.report_date, record.workload))
        if i is None:
            continue
        bits = found.setdefault(record.upn, [0, 0])
        bits[0] |= record.active << i
        usage = {record.workload: record.metrics}
        for j, threshold in enumerate(thresholds):
            if threshold.workload == record.workload and threshold.met_by(usage):
                bits[1] |= 1 << j
    return [UsageSummary(upn, active, met) for upn, (active, met) in found.items()]


def thresholds_of(expectations: Expectations) -> list[Threshold]:
    return sorted({t for e in expectations.by_module.values() for alts in e.requirements for t in alts},
                  key=lambda t: (t.workload, t.metric, t.at_least))


def latest_per_workload(imports: Iterable[UsageImport]) -> list[UsageImport]:
    """The newest import of each workload: the reports' refresh days may differ by a day."""
    latest: dict[str, UsageImport] = {}
    for imported in sorted(imports, key=lambda i: i.report_date):
        latest[imported.workload] = imported
    return list(latest.values())


def report_days(imports: Iterable[UsageImport]) -> list[date]:
    """The distinct report days imported, oldest first."""
    return sorted({i.report_date for i in imports})
