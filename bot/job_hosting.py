"""Where the job runner lives: inside the web app (`coach serve`, the default) or in a
process of its own (`coach jobs`, with `coach serve --no-jobs` on the web replicas)."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.settings import Settings
from bot.store.factory import create_store
from bot.store.port import Store
from jobs.catalog import default_jobs
from jobs.job import Job
from jobs.runner import JobRunner

log = logging.getLogger(__name__)


def install_jobs(app: web.Application, store: Store, settings: Settings,
                 extra: list[Job] | None = None) -> None:
    """Run the jobs in the background while the app runs (after the store opened, before
    it closes: cleanup contexts unwind in reverse). `extra`: jobs that need the web app's
    parts (the digest sends through the bot's messenger)."""
    runner = JobRunner(store, default_jobs(store, settings) + (extra or []))

    async def start_and_stop(_app: web.Application):
        task = asyncio.create_task(runner.run_until_stopped())
        yield
        runner.stop.set()
        await task

    app.cleanup_ctx.append(start_and_stop)


async def run_jobs(settings: Settings, *, once: bool = False) -> None:
    """Open the store and run the jobs until SIGTERM or SIGINT (or one pass with `once`)."""
    store = create_store(settings)
    await store.open()
    try:
        runner = JobRunner(store, default_jobs(store, settings))
        if once:
            await runner.tick()
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, runner.stop.set)
        log.info("job runner %s started: %s", runner.owner,
                 ", ".join(job.name for job in runner.jobs))
        await runner.run_until_stopped()
        log.info("job runner %s stopped", runner.owner)
    finally:
        await store.close()
