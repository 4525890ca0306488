"""Usage-event retention: purge events older than USAGE_RETENTION_DAYS, at start and daily.
(Cosmos DB also expires them by TTL; the purge keeps every backend on the same rule.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from aiohttp import web

from domain.models import utcnow
from bot.store.port import Store, StoreError

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600


async def purge_once(store: Store, retention_days: int) -> int:
    cutoff = utcnow() - timedelta(days=retention_days)
    try:
        removed = await store.events.purge_events_before(cutoff)
    except StoreError as exc:
        log.warning("usage event purge failed, will retry: %s", exc)
        return 0
    if removed:
        log.info("purged %d usage events older than %d days", removed, retention_days)
    return removed


def install_retention(app: web.Application, store: Store, retention_days: int) -> None:
    """Run the purge in the background for as long as the app runs."""

    async def loop() -> None:
        while True:
            await purge_once(store, retention_days)
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    async def start_and_stop(_app: web.Application):
        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(start_and_stop)
