"""`coach report usage|quizzes|feedback`: the admin reports, read from the store on the server.

The store aggregates (domain/reports.py has the definitions); this module only parses the
options, asks the store, and prints the tables (bot/report_tables.py) as a terminal table,
CSV or JSON.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.content import CONTENT_DIR, DEFAULT_LOCALE, LOCALES, Catalog, load_locale
from domain.reports import ReportFilter
from bot.report_tables import TABLE_BUILDERS, Titles, render_csv, render_json, render_rich
from bot.adoption_cli import ADOPTION_EPILOG, cmd_report_adoption
from bot.settings import Settings
from bot.cli_run import run_with_store
from bot.store.port import Store

REPORTS = ("usage", "quizzes", "feedback", "adoption")
FORMATS = ("table", "csv", "json")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MODULE = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")

EPILOG = """\
dates are UTC calendar days; --since and --until are inclusive.
usage: per module the workers who started it in the period, how many completed, the completion
  rate, the median minutes to complete, "I'm stuck" clicks and the exercises done / skipped;
  plus a weekly trend (ISO weeks).
quizzes: submitted attempts per module: attempts, workers, pass rate, average score, and the
  three most-missed questions.
feedback: counts by category and rating, average rating per module, every item newest first.

--format csv writes one file per report, UTF-8 with a byte-order mark (Excel opens it right):
  each table is a section (a title row, a header row, the data rows, an empty row); dates are
  ISO 8601 UTC, rates are fractions 0..1.
--format json is stable: sorted keys, ISO dates; {"report", "filter", "tables": {name: rows}}.
""" + ADOPTION_EPILOG


def _day(text: str) -> date:
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: use YYYY-MM-DD, for example 2026-11-01") from None


def _module(text: str) -> str:
    if not _MODULE.match(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a module id (like password-reset)")
    return text


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", help="admin reports: usage, quizzes, feedback, adoption (table, CSV or JSON)",
        description="Print an admin report from the store the settings point to (run it on the "
                    "server).", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", choices=REPORTS, help="which report")
    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day (inclusive)")
    parser.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last day (inclusive)")
    parser.add_argument("--module", type=_module, metavar="MODULE_ID", help="only this module")
    parser.add_argument("--locale", choices=LOCALES, help="only this language")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of the screen")
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="SQLite file to read (default: the SQLITE_PATH setting)")
    parser.set_defaults(func=cmd_report, report_parser=parser)
    return parser


def cmd_report(args: argparse.Namespace) -> int:
    if args.since and args.until and args.since > args.until:
        args.report_parser.error(f"--since {args.since} is after --until {args.until}")  # exits 2
    flt = ReportFilter(since=args.since, until=args.until, module_id=args.module, locale=args.locale)
    try:
        settings = Settings(**({"store": "sqlite", "sqlite_path": args.db} if args.db else {}))
    except ValueError as exc:
        print(f"coach report: configuration error: {exc}", file=sys.stderr)
        return 2
    if settings.store == "sqlite" and not Path(settings.sqlite_path).is_file():
        print(f"coach report: no database at {settings.sqlite_path} (set SQLITE_PATH or use --db)",
              file=sys.stderr)
        return 1
    if settings.store == "memory":
        print("coach report: the memory store holds nothing outside the running bot; "
              "set STORE to sqlite or cosmos", file=sys.stderr)
        return 2
    if args.report == "adoption":
        content = english_content()
        return cmd_report_adoption(settings, args.format, args.out, Titles(content), content.module_ids())
    result = run_with_store("report", settings, lambda store: fetch_report(store, args.report, flt))
    if isinstance(result, int):
        return result
    tables = TABLE_BUILDERS[args.report](result, Titles(english_content()))
    write(args.report, flt, tables, args.format, args.out)
    return 0


@functools.lru_cache(maxsize=1)
def english_content() -> Catalog:
    """Module titles and question texts come from the English tree only (an admin report)."""
    tree, _ = load_locale(CONTENT_DIR, DEFAULT_LOCALE)
    return Catalog({DEFAULT_LOCALE: tree})


async def fetch_report(store: Store, report: str, flt: ReportFilter) -> Any:
    if report == "usage":
        return await store.reports.usage_report(flt)
    if report == "quizzes":
        return await store.reports.quiz_report(flt)
    return await store.reports.feedback_report(flt)


def _heading(report: str, flt: ReportFilter) -> str:
    parts = [f"{report.capitalize()} report", f"{flt.since or 'start'} to {flt.until or 'today'} (UTC)"]
    if flt.module_id:
        parts.append(f"module {flt.module_id}")
    if flt.locale:
        parts.append(f"language {flt.locale}")
    return " · ".join(parts)


def write(report: str, flt: ReportFilter | None, tables: list, fmt: str, out: Path | None, *,
          heading: str | None = None) -> None:
    """Print `tables` (or write them to `out`) as a terminal table, CSV or JSON; `heading`
    replaces the filter's description above the terminal table."""
    if heading is None:
        assert flt is not None
        heading = _heading(report, flt)
    if fmt == "table":
        if out is None:
            console = Console()
            if not console.is_terminal:
                console = Console(width=160)
            render_rich(tables, heading, console)
        else:
            with out.open("w", encoding="utf-8") as file:
                render_rich(tables, heading, Console(file=file, width=160, no_color=True))
        return
    emit(render_csv(tables) if fmt == "csv" else render_json(tables, report, flt), out)


def emit(data: bytes, out: Path | None) -> None:
    """Bytes to stdout, or to the file `out`."""
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(data)
