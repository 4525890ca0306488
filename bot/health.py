"""GET /healthz (liveness: the process answers) and GET /readyz (readiness: the store is
reachable and the content is loaded; 503 when not). Both are unauthenticated, so they say only
the status, and /readyz probes the store at most once per `cache_seconds` (a Cosmos DB read
costs RU/s). Details go to the log when the status changes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot.content import Catalog
from bot.store.port import Store

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, store: Store, catalog: Catalog, cache_seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.catalog = catalog
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.probes = 0
        self._status: str | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    async def status(self) -> str:
        async with self._lock:  # concurrent callers share one probe
            if self._status is None or self.clock() - self._checked_at >= self.cache_seconds:
                self._note(await self._probe())
                self._checked_at = self.clock()
            return self._status  # type: ignore[return-value]

    async def _probe(self) -> tuple[str, str]:
        self.probes += 1
        if not self.catalog.locales:
            return "down", "no content loaded"
        try:
            health = await self.store.health()
        except Exception as exc:  # a probe must answer, whatever the store does
            return "down", f"store health check failed: {type(exc).__name__}"
        return health.status, f"store {health.backend}: {health.status} {health.detail}".strip()

    def _note(self, result: tuple[str, str]) -> None:
        status, detail = result
        if status != self._status:
            (log.info if status == "ok" else log.warning)("readiness %s: %s", status, detail)
        self._status = status


READINESS_KEY = web.AppKey("readiness", Readiness)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    status = await request.app[READINESS_KEY].status()
    return web.json_response({"status": status}, status=503 if status == "down" else 200)


def install_health(app: web.Application, store: Store, catalog: Catalog, cache_seconds: float) -> None:
    app[READINESS_KEY] = Readiness(store, catalog, cache_seconds)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
