"""`coach`: run the bot, run it with the local Teams client, check content, build the app package."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.campaign_cli import add_campaign_parser
from bot.cli_run import CommandError, fail, run_with_store, settings_or_exit
from bot.cli_store import add_backup_parsers
from bot.cli_usage import add_usage_parsers
from bot.content_cli import add_content_parser
from bot.report_cli import add_report_parser
from bot.digest_cli import add_digest_parser
from bot.settings import Settings
from bot.store.port import Store, StoreUnavailable

log = logging.getLogger("coach")


def _settings(**overrides: object) -> Settings:
    return settings_or_exit("", **overrides)


def _logging(verbose: bool, settings: Settings) -> None:
    from bot import logging_setup

    logging_setup.configure(settings, verbose=verbose)


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import ConfigurationError, create_app, freeze_startup_objects

    overrides: dict[str, object] = {}
    if args.anonymous:
        overrides["anonymous"] = True
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    settings = _settings(**overrides)
    _logging(args.verbose, settings)
    try:
        app = create_app(settings, jobs=not args.no_jobs)
    except ConfigurationError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    log.info("Adoption Coach starting: %s", settings.safe_summary())
    freeze_startup_objects()
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None)
    except StoreUnavailable as exc:
        return fail("", f"cannot open the {settings.store} store: {exc}")
    except OSError as exc:
        print(f"coach: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from bot.job_hosting import run_jobs
    from bot.org_profile import ProfileInvalid

    settings = _settings()
    _logging(args.verbose, settings)
    try:
        asyncio.run(run_jobs(settings, once=args.once))
    except StoreUnavailable as exc:
        return fail("", f"cannot open the {settings.store} store: {exc}")
    except ProfileInvalid as exc:
        return fail("", f"ORG_PROFILE is not valid: {exc}")
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from bot.devserver import run_dev

    settings = _settings(anonymous=True, host="127.0.0.1", **({"port": args.port} if args.port else {}))
    _logging(args.verbose, settings)
    return asyncio.run(run_dev(settings, playground_port=args.playground_port))


def cmd_manifest_build(args: argparse.Namespace) -> int:
    from bot.manifest import ManifestError, build_package

    settings = _settings()
    try:
        path = build_package(settings, Path(args.out))
    except ManifestError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def cmd_store_rebuild_counters(args: argparse.Namespace) -> int:
    from bot.store.port import RebuildProgress

    def progress(step: RebuildProgress) -> None:
        print(f"rebuild-counters: {step.phase}: {step.pages} pages, {step.documents} documents",
              flush=True)

    async def rebuild(store: Store) -> int:
        result = await store.maintenance.rebuild_counters(progress)
        if not result.rebuilt:
            raise CommandError(result.detail)
        print(f"rebuilt the report counters: {result.detail}")
        return 0
    return int(run_with_store("store", _settings(), rebuild, persistent=False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Adoption Coach: a Teams bot that trains remote workers on Microsoft 365.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="run the bot service (POST /api/messages, GET /healthz, GET /readyz)",
                                description="Run the bot. Settings come from the environment (see README).")
    serve.add_argument("--anonymous", action="store_true",
                       help="local development only: accept requests without a token (loopback host only)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, env HOST)")
    serve.add_argument("--port", type=int, help="port (default 3978, env PORT)")
    serve.add_argument("--no-jobs", action="store_true",
                       help="do not run the background jobs here (run `coach jobs` elsewhere)")
    serve.set_defaults(func=cmd_serve)

    jobs = commands.add_parser(
        "jobs", help="run only the background jobs (retention, ...) until SIGTERM/SIGINT",
        description="Run the background jobs without the web service, for deployments that "
                    "start `coach serve --no-jobs`. Any number of these may run: each job runs "
                    "on one of them at a time (a lease in the store), once per period. Stops "
                    "cleanly on SIGTERM or SIGINT: a running job is asked to stop, its lease "
                    "is released.")
    jobs.add_argument("--once", action="store_true",
                      help="run the jobs that are due once, then exit (for a scheduler)")
    jobs.set_defaults(func=cmd_jobs)

    dev = commands.add_parser("dev", help="run the bot on SQLite with the local Teams client (Agents Playground)",
                              description="Run the bot anonymously on 127.0.0.1 with the Microsoft 365 Agents "
                                          "Playground and print the address to open in a browser.")
    dev.add_argument("--port", type=int, help="bot port (default 3978)")
    dev.add_argument("--playground-port", type=int, default=56150, help="playground port (default 56150)")
    dev.set_defaults(func=cmd_dev)

    add_content_parser(commands)

    manifest = commands.add_parser("manifest", help="Teams app package tools")
    manifest_commands = manifest.add_subparsers(dest="manifest_command", metavar="ACTION", required=True)
    build = manifest_commands.add_parser("build", help="build appPackage.zip from settings",
                                         description="Fill the manifest template from settings and zip it "
                                                     "with the icons, ready to upload to Teams.")
    build.add_argument("--out", default="appPackage.zip", help="output file (default appPackage.zip)")
    build.set_defaults(func=cmd_manifest_build)

    store = commands.add_parser("store", help="storage maintenance")
    store_commands = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    rebuild = store_commands.add_parser(
        "rebuild-counters", help="Cosmos DB: recompute the report counters from the stored records",
        description="Recompute every pre-aggregated report counter from the source documents (a full "
                    "scan, page by page: run it off-peak). It prints its progress and keeps a checkpoint "
                    "in Cosmos DB, so running it again after an interruption carries on where it "
                    "stopped. The log says when it is needed (readiness: degraded). Other stores keep no "
                    "counters (exit 2).")
    rebuild.set_defaults(func=cmd_store_rebuild_counters)
    add_backup_parsers(store_commands, _settings)

    add_report_parser(commands)
    add_usage_parsers(commands)
    add_digest_parser(commands)
    add_campaign_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
