"""`coach campaign create|list|status|cancel|results`: trainer quiz campaigns from the command
line, against the store the settings name (the bot's own: the sender picks a scheduled
campaign up when it is due). The use cases are jobs/campaign_service.py's; this module parses
options and prints. Problems are one line on stderr and exit 2 (1 when the store fails)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.campaign_request import CreateRequest, campaign_fields, first_error
from bot.campaign_tables import StatusFacts, list_table, results_tables, status_heading, status_tables
from bot.cli_run import CommandError, run_with_store, settings_or_exit
from bot.report_cli import _day, emit, english_content, write
from bot.report_tables import Titles, json_bytes, render_json
from bot.store.port import Store
from domain.campaign_results import first_campaign_attempts
from jobs.campaign_service import CampaignError, CampaignService
from jobs.clock import SystemClock

EPILOG = """\
audiences: all (every worker who installed the bot) | locale:LANG (sv, or a Teams locale like
  sv-FI) | not-completed:MODULE | not-passed:MODULE (never took or never passed its quiz) |
  @FILE (Entra object ids and/or UPNs, one per line, or a CSV with an id or upn column).
  Workers who uninstalled or blocked the bot, or whom the bot never met, are counted as
  unreachable and never sent to.
schedule: now (default) | --at "YYYY-MM-DD HH:MM" --tz ZONE (one moment) | --local-time HH:MM
  (that time in each worker's own zone, on --date or the first day nobody has passed it yet).
example:
  coach campaign create --name "MFA check" --module mfa-sign-in --audience not-passed:mfa-sign-in \\
      --at "2026-12-07 09:00" --tz Europe/Stockholm --remind-after-days 2 --max-reminders 1
  coach campaign status ID --format json
  coach campaign results ID --format csv --out mfa.csv
"""

Work = Callable[[Store, CampaignService], Awaitable[int]]


def _run(work: Work) -> int:
    settings = settings_or_exit("campaign")

    async def with_service(store: Store) -> int:
        try:
            return await work(store, CampaignService(store, SystemClock()))
        except CampaignError as exc:
            raise CommandError(str(exc)) from None
    return int(run_with_store("campaign", settings, with_service))


# --- create ---------------------------------------------------------------------------------

def cmd_create(args: argparse.Namespace) -> int:
    settings = settings_or_exit("campaign")
    request = CreateRequest(
        tenant=args.tenant or settings.tenant_id, name=args.name, module=args.module,
        audience=args.audience, questions=args.questions, at=args.at, tz=args.tz,
        local_time=args.local_time, date=args.date, quiet_hours=args.quiet_hours,
        remind_after_days=args.remind_after_days, max_reminders=args.max_reminders,
        intro=args.intro or "", ends=args.ends, created_by=f"cli:{_user()}")

    async def create(store: Store, service: CampaignService) -> int:
        fields = campaign_fields(request, english_content(), service.clock.now())
        try:
            draft = await service.create(**fields)
        except ValidationError as exc:
            raise CommandError(first_error(exc)) from None
        campaign = await service.schedule(draft.id)
        print(campaign.id)
        print(f"scheduled {campaign.title!r}: module {campaign.quiz.module_id}, audience "
              f"{campaign.audience.label()}, starts {campaign.starts_at:%Y-%m-%d %H:%M} UTC, ends "
              f"{campaign.ends_at:%Y-%m-%d %H:%M} UTC", file=sys.stderr)
        return 0
    return _run(create)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "unknown"


# --- list, status, cancel, results -----------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    async def show(store: Store, service: CampaignService) -> int:
        table = list_table(await store.campaigns.list_campaigns(None))
        if args.format == "json":
            emit(json_bytes({"campaigns": table.rows}), None)
        elif not table.rows:
            print("no campaigns yet: coach campaign create --help")
        else:
            write("campaigns", None, [table], "table", None, heading="Campaigns")
        return 0
    return _run(show)


def cmd_status(args: argparse.Namespace) -> int:
    async def show(store: Store, service: CampaignService) -> int:
        status = await service.status(args.id)
        attempts = await store.campaigns.campaign_attempts(args.id)
        facts = StatusFacts(status.campaign, status.counts,
                            len(first_campaign_attempts(status.campaign, attempts)))
        if args.format == "json":
            emit(json_bytes(facts.as_json()), None)
        else:
            write("status", None, status_tables(facts), "table", None,
                  heading=status_heading(status.campaign))
        return 0
    return _run(show)


def cmd_cancel(args: argparse.Namespace) -> int:
    async def cancel(store: Store, service: CampaignService) -> int:
        before = await service.status(args.id)
        campaign = await service.cancel(args.id)
        print(f"cancelled campaign {campaign.id} {campaign.title!r} (it was {before.campaign.state.value}); "
              "nothing more is sent")
        return 0
    return _run(cancel)


def cmd_results(args: argparse.Namespace) -> int:
    async def show(store: Store, service: CampaignService) -> int:
        results = await service.results(args.id)
        campaign = (await service.status(args.id)).campaign
        tables = results_tables(results, campaign, Titles(english_content()))
        extra: dict[str, Any] = {"campaign": {"id": campaign.id, "title": campaign.title,
                                              "state": campaign.state.value,
                                              "module_id": campaign.quiz.module_id}}
        try:
            if args.format == "json":
                emit(render_json(tables, "campaign", None, extra), args.out)
            else:
                write("campaign", None, tables, args.format, args.out, heading=status_heading(campaign))
        except OSError as exc:
            raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        return 0
    return _run(show)


# --- the parser -------------------------------------------------------------------------------

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return value


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _days(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days") from None


def add_campaign_parser(commands: Any) -> None:
    campaign = commands.add_parser(
        "campaign", help="trainer quiz campaigns: create, list, status, cancel, results",
        description="Quiz campaigns: a module's quiz pushed 1:1 to an audience of workers, at "
                    "Teams' rate limit, with reminders. The bot's campaign sender sends a "
                    "scheduled campaign when it is due.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = campaign.add_subparsers(dest="campaign_command", metavar="ACTION", required=True)

    create = actions.add_parser(
        "create", help="create and schedule a campaign; prints its id",
        description="Create a campaign and schedule it. Prints the campaign id on stdout (a "
                    "summary on stderr). It starts sending when due: now, --at, or --local-time.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    create.add_argument("--name", required=True, help="the campaign's name (workers see it on the card)")
    create.add_argument("--module", required=True, metavar="MODULE_ID", help="the module whose quiz is sent")
    create.add_argument("--audience", required=True, metavar="SPEC",
                        help="all | locale:LANG | not-completed:MODULE | not-passed:MODULE | @FILE")
    create.add_argument("--questions", type=_positive_int, metavar="K",
                        help="ask K of the quiz's questions (default all)")
    create.add_argument("--at", metavar='"YYYY-MM-DD HH:MM"', help="send at this time in --tz")
    create.add_argument("--tz", metavar="ZONE",
                        help="IANA zone of --at (default UTC); with --local-time: for workers without one")
    create.add_argument("--local-time", metavar="HH:MM", help="send at this time in each worker's own zone")
    create.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day of --local-time")
    create.add_argument("--quiet-hours", action="store_true",
                        help="send only on weekdays 08:00-18:00 in each worker's zone")
    create.add_argument("--remind-after-days", type=_days, metavar="D",
                        help="remind who has not answered D days after (default 3 with --max-reminders)")
    create.add_argument("--max-reminders", type=_count, metavar="R",
                        help="at most R reminders, 0-10 (default 1 with --remind-after-days, else 0)")
    create.add_argument("--intro", metavar="TEXT", help="your line above the quiz on the card")
    create.add_argument("--ends", type=_day, metavar="YYYY-MM-DD",
                        help="last day answers count (in --tz; default 14 days after the start)")
    create.add_argument("--tenant", metavar="TENANT_ID",
                        help="the Entra tenant of the audience (default: the bot's TENANTID setting)")
    create.set_defaults(func=cmd_create)

    listing = actions.add_parser("list", help="every campaign, newest first",
                                 description="List every campaign: id, name, state, module, audience, dates.")
    listing.add_argument("--format", choices=("table", "json"), default="table", help="default table")
    listing.set_defaults(func=cmd_list)

    status = actions.add_parser(
        "status", help="a campaign's progress: recipients, sent, failed, answered, ...",
        description="Where a campaign stands. --format json prints {id, title, state, module_id, "
                    "audience, starts_at, ends_at, created_at, recipients, pending, sent, failed, "
                    "unknown, skipped, unreachable, answered, reminders_sent, unreachable_by_reason} "
                    "(counts are of the campaign message; unknown = may have reached the worker).")
    status.add_argument("id", metavar="ID", help="the campaign id")
    status.add_argument("--format", choices=("table", "json"), default="table", help="default table")
    status.set_defaults(func=cmd_status)

    cancel = actions.add_parser("cancel", help="stop a campaign: nothing more is sent",
                                description="Cancel a campaign. What was sent stays sent; the "
                                            "sender sends nothing more (it checks before every send).")
    cancel.add_argument("id", metavar="ID", help="the campaign id")
    cancel.set_defaults(func=cmd_cancel)

    results = actions.add_parser(
        "results", help="who answered and how they scored, with totals",
        description="A campaign's results: per worker (name, state, sent at, answered at, score, "
                    "passed; their first submitted attempt within the campaign) and totals (reach, "
                    "response rate, pass rate, average score, most missed questions). CSV is "
                    "UTF-8 with a byte-order mark, one section per table, text that a spreadsheet "
                    "would run as a formula prefixed with an apostrophe; JSON has sorted keys.")
    results.add_argument("id", metavar="ID", help="the campaign id")
    results.add_argument("--format", choices=("table", "csv", "json"), default="table", help="default table")
    results.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of the screen")
    results.set_defaults(func=cmd_results)

