"""`coach directory sync`, `coach usage import`, `coach install`: Microsoft Graph from the
command line, against the store the settings name. Progress goes to stdout as it happens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.graph_session import GraphNotConfigured, graph_session
from bot.cli_run import fail, settings_or_exit
from bot.cli_run import run_with_store as shared_run_with_store
from bot.report_cli import _day
from bot.settings import Settings
from bot.store.port import Store
from integrations.graph.client import GraphError
from integrations.graph.reports_api import PERIODS

T = TypeVar("T")

PERMISSIONS = {"directory": "User.Read.All", "usage": "Reports.Read.All",
               "install": "TeamsAppInstallation.ReadWriteSelfForUser.All"}


def run_with_store(command: str, settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T | int:
    """The shared store runner (bot/cli_run.py) plus Graph's problems: a one-line message and
    exit code 1 or 2 (never a traceback)."""
    try:
        return shared_run_with_store(command, settings, work)
    except GraphNotConfigured as exc:
        return fail(command, str(exc))
    except GraphError as exc:
        hint = f" (the app needs the {PERMISSIONS[command]} application permission)" if exc.status == 403 else ""
        return fail(command, f"{exc}{hint}", 1)
    except Exception as exc:  # azure-identity: a wrong secret, an unreachable authority
        if type(exc).__module__.startswith(("azure.", "aiohttp")):
            return fail(command, "cannot get a Graph token or reach Graph: "
                                 f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}", 1)
        raise


# --- directory sync ------------------------------------------------------------------------

def cmd_directory_sync(args: argparse.Namespace) -> int:
    from bot.directory_sync import SyncResult, sync_directory

    settings = settings_or_exit("directory")

    def progress(step: SyncResult) -> None:
        print(f"directory sync ({step.mode}): page {step.pages}, {step.users} users, "
              f"{step.removed} removed", flush=True)

    async def work(store: Store) -> int:
        async with graph_session(settings) as session:
            result = await sync_directory(session.graph, store.directory, progress)
        print(f"directory sync done ({result.mode}): {result.users} users saved, "
              f"{result.removed} marked removed, {result.pages} pages")
        return 0
    return int(run_with_store("directory", settings, work))


# --- usage import --------------------------------------------------------------------------

def cmd_usage_import(args: argparse.Namespace) -> int:
    from bot.usage_import import CONCEALED_HELP, FileImport, import_folder, import_from_graph

    if args.from_csv is not None and not args.from_csv.is_dir():
        print(f"coach usage: no folder at {args.from_csv}", file=sys.stderr)
        return 2
    settings = settings_or_exit("usage")

    def progress(step: FileImport) -> None:
        print(f"  {step.source}: {step.rows} rows", flush=True)

    async def work(store: Store) -> list[FileImport]:
        if args.from_csv is not None:
            outcomes = await import_folder(store.usage, args.from_csv, progress)
        else:
            async with graph_session(settings) as session:
                period = None if args.date else (args.period or "D7")
                outcomes = await import_from_graph(session.graph, session.downloads, store.usage,
                                                   period=period, day=args.date, progress=progress)
        await _prepare_report(settings, store)
        return outcomes
    outcomes = run_with_store("usage", settings, work)
    if isinstance(outcomes, int):
        return outcomes
    for o in outcomes:
        if o.skipped:
            print(f"skipped {o.source}: {o.skipped}")
        else:
            print(f"imported {o.source}: {o.workload}, report date {o.report_date or '-'}, {o.rows} rows"
                  f"{', names concealed' if o.concealed else ''}")
    if any(o.concealed for o in outcomes):
        print(f"note: {CONCEALED_HELP}")
    if not any(not o.skipped for o in outcomes):
        print("coach usage: no usage report was found", file=sys.stderr)
        return 1
    return 0


async def _prepare_report(settings: Settings, store: Store) -> None:
    """Store the summary the adoption report reads, so the next report only counts (with bad
    expectations the report says why; the import itself stands)."""
    from bot.adoption_service import configured_expectations, prepare_adoption

    expectations = configured_expectations(settings.org_expectations)
    if expectations is not None:
        await prepare_adoption(store, expectations)


# --- install -------------------------------------------------------------------------------

def _audience(text: str) -> str:
    if text in ("all", "not-installed") or (text.startswith("department:") and text[11:].strip()):
        return text
    raise argparse.ArgumentTypeError(f"'{text}' is not an audience: all, department:NAME or not-installed")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds from 0 to 86400")
    return value


def cmd_install(args: argparse.Namespace) -> int:
    from bot.app_install import install_audience

    settings = settings_or_exit("install")
    if not settings.teams_catalog_app_id and not args.dry_run:
        print("coach install: set TEAMS_CATALOG_APP_ID (the app's id in the Teams app catalog)",
              file=sys.stderr)
        return 2

    async def work(store: Store) -> Any:
        return await install_audience(store, settings, args.audience, dry_run=args.dry_run,
                                      per_second=args.per_second, wait=args.wait,
                                      progress=lambda line: print(line, flush=True))
    result = run_with_store("install", settings, work)
    if isinstance(result, int):
        return result
    print(result.summary())
    for failure in result.failed:
        print(f"  could not install for {failure.upn or failure.user_id}: {failure.reason}")
    for failure in result.unreached:
        print(f"  still not reachable: {failure.upn or failure.user_id}: {failure.reason}")
    return 1 if result.failed or result.unreached else 0


def add_usage_parsers(commands: Any) -> None:
    directory = commands.add_parser("directory", help="Microsoft Graph directory: sync users")
    actions = directory.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    sync = actions.add_parser(
        "sync", help="read the directory from Graph (everyone first, then only changes)",
        description="Read directory users from Microsoft Graph (/users/delta: id, UPN, name, department, "
                    "office, country, preferred language, enabled) into the store. The first run reads "
                    "everyone; later runs read only the changes since the last. An interrupted run "
                    "resumes from the page it stopped at. Needs the User.Read.All application permission.")
    sync.set_defaults(func=cmd_directory_sync)

    usage = commands.add_parser("usage", help="Microsoft 365 usage reports: import")
    actions = usage.add_subparsers(dest="usage_command", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", help="import the five user-detail usage reports (Graph or CSV files)",
        description="Import the Teams, OneDrive, SharePoint, email and Microsoft 365 apps user-detail "
                    "reports. From Graph (Reports.Read.All) for a period or a day, or from the CSV files "
                    "exported in the Microsoft 365 admin center (each file is known by its columns; "
                    "other files are reported and skipped). Importing a report day again replaces it. "
                    "Concealed names (the Microsoft default) are detected: then only tenant-level "
                    "figures are available.")
    source = imp.add_mutually_exclusive_group()
    source.add_argument("--period", choices=PERIODS, help="Graph: the last 7/30/90/180 days (default D7)")
    source.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="Graph: one day (within the last 30)")
    source.add_argument("--from-csv", type=Path, metavar="DIR", help="read the *.csv files in DIR instead of Graph")
    imp.set_defaults(func=cmd_usage_import)

    install = commands.add_parser(
        "install", help="install the Teams app for directory users who never opened it",
        description="Install the app (TEAMS_CATALOG_APP_ID) through Graph for directory users who have "
                    "no installed worker record yet, so the bot can reach them. Paced; 409 counts as "
                    "already installed. Then waits for the install events (Teams sends them to the running "
                    "bot, which stores each user's conversation) and lists who could not be installed "
                    "or reached, and why. Run `coach directory sync` first. Needs "
                    "TeamsAppInstallation.ReadWriteSelfForUser.All.")
    install.add_argument("--audience", type=_audience, required=True, metavar="SPEC",
                         help="all (every enabled directory user without an installed worker record) | "
                              "department:NAME (the same, one department) | not-installed (only users the "
                              "bot never met; who removed the app is left alone)")
    install.add_argument("--dry-run", action="store_true", help="list who would get it; install nothing")
    install.add_argument("--per-second", type=float, default=5.0, metavar="N",
                         help="install requests per second (default 5)")
    install.add_argument("--wait", type=_seconds, default=300.0, metavar="SECONDS",
                         help="then wait this long for the install events that make each user reachable "
                              "(the bot, `coach serve`, receives them; default 300; 0: don't wait)")
    install.set_defaults(func=cmd_install)
