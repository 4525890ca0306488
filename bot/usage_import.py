"""Usage import: the five Microsoft 365 user-detail reports, from Graph or from CSV files the
admin center exported, streamed into the store in batches. Each CSV is known by its columns;
re-importing a report day replaces its rows (nothing doubles)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from itertools import islice
from pathlib import Path

import aiohttp

from bot.store.port import UsageStore
from domain.usage_records import UsageImport, UsageRecord
from integrations.graph.client import GraphClient
from integrations.graph.reports_api import download_report
from integrations.graph.usage_reports import (
    REPORTS, ReportSpec, UnknownReport, UsageRow, read_file, recognise)

BATCH = 5000
CONCEALED_HELP = (
    "Microsoft 365 conceals user names in its usage reports (the default since 2021): the user "
    "column holds a hash, so the figures cannot be matched to workers and only tenant-level "
    "figures are shown. To show names, a Global or Reports administrator turns it off in the "
    "Microsoft 365 admin center > Settings > Org settings > Reports ('Display concealed user, "
    "group, and site names in all reports'), then imports again.")


@dataclass
class FileImport:
    source: str  # the file name, or the Graph function
    workload: str = ""
    report_date: date | None = None
    rows: int = 0
    concealed: bool = False
    skipped: str = ""  # why the file was not imported


def _record(row: UsageRow) -> UsageRecord:
    return UsageRecord(row.report_date, row.workload, row.upn, row.last_activity,
                       row.period_days, row.metrics)


def _batches(rows: Iterable[UsageRow], size: int) -> Iterator[list[UsageRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


async def import_file(store: UsageStore, path: Path, source: str | None = None,
                      now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                      progress: Callable[[FileImport], None] | None = None) -> FileImport:
    """Stream one report CSV into the store; a CSV that is no usage report is skipped."""
    outcome = FileImport(source or path.name)
    spec, outcome.skipped = _recognised(path)
    if spec is None:
        return outcome
    outcome.workload = spec.workload
    counts: dict[date, int] = {}
    period = 0
    for batch in _batches(read_file(path), BATCH):
        await store.save_rows([_record(row) for row in batch])
        for row in batch:
            counts[row.report_date] = counts.get(row.report_date, 0) + 1
            outcome.concealed |= row.concealed
        period = batch[0].period_days
        outcome.rows += len(batch)
        if progress:
            progress(outcome)
    for day, rows in counts.items():
        await store.record_import(UsageImport(day, outcome.workload, period, rows, outcome.concealed, now()))
    outcome.report_date = max(counts) if counts else None
    return outcome


def _recognised(path: Path) -> tuple[ReportSpec | None, str]:
    """The report a CSV holds, by its header; or None and why not."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return recognise(next(csv.reader(handle), [])), ""
    except UnknownReport as exc:
        return None, str(exc)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return None, f"cannot read it as UTF-8 CSV ({type(exc).__name__})"


async def import_folder(store: UsageStore, folder: Path,
                        progress: Callable[[FileImport], None] | None = None) -> list[FileImport]:
    """Every *.csv in `folder` (file names vary: each is recognised by its columns)."""
    return [await import_file(store, path, progress=progress)
            for path in sorted(folder.iterdir()) if path.is_file() and path.suffix.lower() == ".csv"]


async def import_from_graph(graph: GraphClient, downloads: aiohttp.ClientSession, store: UsageStore, *,
                            period: str | None = None, day: date | None = None,
                            progress: Callable[[FileImport], None] | None = None) -> list[FileImport]:
    """All five reports for a period (D7|D30|D90|D180) or a day, each downloaded to a temporary
    file, then streamed in."""
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="coach-usage-") as folder:
        for spec in REPORTS:
            path = await download_report(graph, downloads, spec, Path(folder) / f"{spec.workload}.csv",
                                         period=period, day=day)
            outcomes.append(await import_file(store, path, source=spec.graph_function, progress=progress))
            path.unlink()
    return outcomes
