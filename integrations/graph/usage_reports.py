"""Microsoft 365 usage reports: which report a CSV is (by its columns), and its rows as records.

The same CSV comes from Graph (`/reports/get...UserDetail`) and from the admin center's
export, whose file names vary: a file is recognised by its header, never by its name. Columns
are read by name, so the columns Microsoft adds over time are ignored, and a BOM is dropped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


class UnknownReport(ValueError):
    """The header matches none of the usage reports we read."""


@dataclass(frozen=True)
class ReportSpec:
    workload: str  # teams | onedrive | sharepoint | email | apps
    graph_function: str
    required: frozenset[str]  # columns that identify the report
    absent: frozenset[str] = frozenset()  # columns it must not have (tells OneDrive from SharePoint)
    counts: dict[str, str] = field(default_factory=dict)  # column -> metric, integer counts
    flags: dict[str, str] = field(default_factory=dict)  # column -> metric, Yes/No


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec("teams", "getTeamsUserActivityUserDetail", frozenset({"Team Chat Message Count"}),
               counts={"Team Chat Message Count": "team_chat_messages",
                       "Private Chat Message Count": "private_chat_messages",
                       "Call Count": "calls", "Meeting Count": "meetings",
                       "Meetings Organized Count": "meetings_organized",
                       "Meetings Attended Count": "meetings_attended"}),
    ReportSpec("sharepoint", "getSharePointActivityUserDetail",
               frozenset({"Viewed Or Edited File Count", "Visited Page Count"}),
               counts={"Viewed Or Edited File Count": "files_viewed_edited",
                       "Synced File Count": "files_synced",
                       "Shared Internally File Count": "files_shared_internally",
                       "Shared Externally File Count": "files_shared_externally",
                       "Visited Page Count": "pages_visited"}),
    ReportSpec("onedrive", "getOneDriveActivityUserDetail",
               frozenset({"Viewed Or Edited File Count"}), absent=frozenset({"Visited Page Count"}),
               counts={"Viewed Or Edited File Count": "files_viewed_edited",
                       "Synced File Count": "files_synced",
                       "Shared Internally File Count": "files_shared_internally",
                       "Shared Externally File Count": "files_shared_externally"}),
    ReportSpec("email", "getEmailActivityUserDetail", frozenset({"Send Count", "Receive Count"}),
               counts={"Send Count": "sent", "Receive Count": "received", "Read Count": "read",
                       "Meeting Created Count": "meetings_created",
                       "Meeting Interacted Count": "meetings_interacted"}),
    ReportSpec("apps", "getM365AppUserDetail", frozenset({"Last Activation Date", "Outlook", "Word"}),
               flags={name: name.lower() for name in (
                   "Windows", "Mac", "Mobile", "Web", "Outlook", "Word", "Excel", "PowerPoint",
                   "OneNote", "Teams")}),
)
WORKLOADS = tuple(spec.workload for spec in REPORTS)
UPN = "User Principal Name"
_HASHED = re.compile(r"^[0-9A-Fa-f]{32}$")


@dataclass(frozen=True)
class UsageRow:
    workload: str
    report_date: date  # "Report Refresh Date": the day the figures are as of
    period_days: int
    upn: str  # lower-cased; a hash when names are concealed
    user_id: str  # Teams' report has it; "" elsewhere
    last_activity: date | None
    metrics: dict[str, int]

    @property
    def concealed(self) -> bool:
        return is_concealed(self.upn)


def is_concealed(upn: str) -> bool:
    """Microsoft conceals names by default: the UPN column then holds a 32-digit hash."""
    return "@" not in upn and bool(_HASHED.match(upn))


def recognise(header: Iterable[str]) -> ReportSpec:
    columns = {name.strip().lstrip("\ufeff") for name in header}
    for spec in REPORTS:
        if spec.required <= columns and not (spec.absent & columns):
            return spec
    raise UnknownReport("the columns match no Microsoft 365 usage report we read "
                        f"(first columns: {', '.join(sorted(columns)[:6])})")


def _day(text: str | None) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _count(text: str | None) -> int:
    try:
        return max(0, int(float((text or "0").strip() or "0")))
    except ValueError:
        return 0


def _flag(text: str | None) -> int:
    return 1 if (text or "").strip().casefold() in ("yes", "true", "1") else 0


def rows(lines: Iterable[str]) -> Iterator[UsageRow]:
    """The records of one report CSV, given its lines (a file object streams it)."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip().lstrip("\ufeff") for name in header]
    spec = recognise(header)
    index = {name: i for i, name in enumerate(header)}

    def cell(row: list[str], name: str) -> str | None:
        i = index.get(name)
        return row[i] if i is not None and i < len(row) else None

    for row in reader:
        upn = (cell(row, UPN) or "").strip()
        report_date = _day(cell(row, "Report Refresh Date"))
        if not upn or report_date is None or (cell(row, "Is Deleted") or "").strip().casefold() == "true":
            continue
        metrics = {metric: _count(cell(row, column)) for column, metric in spec.counts.items()}
        metrics.update({metric: _flag(cell(row, column)) for column, metric in spec.flags.items()})
        yield UsageRow(
            workload=spec.workload, report_date=report_date,
            period_days=_count(cell(row, "Report Period")) or 0,
            upn=upn if is_concealed(upn) else upn.casefold(),
            user_id=(cell(row, "User Id") or "").strip(),
            last_activity=_day(cell(row, "Last Activity Date")), metrics=metrics)


def read_file(path: Path) -> Iterator[UsageRow]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from rows(handle)


def report_of_file(path: Path) -> ReportSpec | None:
    """Which report a CSV file holds, by its header; None when it is none of ours."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    try:
        return recognise(header or [])
    except UnknownReport:
        return None
