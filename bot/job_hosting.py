"""Where the job runner lives: inside the web app (`coach serve`, the default) or in a
process of its own (`coach jobs`, with `coach serve --no-jobs` on the web replicas). Both run
the same jobs and services (the campaign sender) and stop the same way on SIGTERM: no new
work, what is in flight finishes and its outcome is recorded, the leases are released."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.outbound import GuardedConnections
from bot.settings import Settings
from bot.cli_run import opened_store
from bot.store.port import Store
from bot.teams_messenger import ConnectorMessenger, messenger_for
from jobs.campaign_delivery import CardBuilder
from jobs.catalog import default_jobs, default_services
from jobs.job import Job
from jobs.runner import JobRunner

log = logging.getLogger(__name__)


def job_runner(store: Store, settings: Settings, messenger: ConnectorMessenger, card: CardBuilder,
               extra: list[Job] | None = None) -> JobRunner:
    """`card`: the campaign card a worker gets, in their language."""
    return JobRunner(store, default_jobs(store, settings) + (extra or []),
                     services=default_services(store, settings, messenger, card=card))


def install_jobs(app: web.Application, store: Store, settings: Settings,
                 messenger: ConnectorMessenger, card: CardBuilder,
                 extra: list[Job] | None = None) -> None:
    """Run the jobs in the background while the app runs (after the store opened, before
    it closes: cleanup contexts unwind in reverse). `extra`: jobs that need the web app's
    parts (the digest sends through the bot's messenger)."""
    runner = job_runner(store, settings, messenger, card, extra)

    async def start_and_stop(_app: web.Application):
        task = asyncio.create_task(runner.run_until_stopped())
        yield
        runner.stop.set()
        await task

    app.cleanup_ctx.append(start_and_stop)


async def run_jobs(settings: Settings, *, once: bool = False) -> None:
    """Open the store and run the jobs until SIGTERM or SIGINT (or one pass with `once`)."""
    from functools import partial

    from bot.agent import connection_manager
    from bot.content import load_catalog
    from bot.org_profile import load_profile
    from dialogs.campaign_invite import campaign_activity

    catalog, _ = load_catalog(profile=load_profile(settings.org_profile),
                              expectations_file=settings.org_expectations)

    async with opened_store(settings) as store:
        messenger = messenger_for(settings, GuardedConnections(connection_manager(settings)))
        try:
            runner = job_runner(store, settings, messenger, partial(campaign_activity, catalog))
            if once:
                await runner.run_once()
                return
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, runner.stop.set)
            log.info("job runner %s started: %s", runner.owner,
                     ", ".join(job.name for job in [*runner.jobs, *runner.services]))
            await runner.run_until_stopped()
            log.info("job runner %s stopped", runner.owner)
        finally:
            await messenger.close()
