"""An HTTP proxy on 127.0.0.1 in front of the local Cosmos DB server that injects faults.

A fault matches requests by method and path fragment and applies to the next `times` of them:
- `status`: answer that status (e.g. 429 with x-ms-retry-after-ms, or 503) without
  forwarding: the service never saw the request;
- `lose_reply`: forward, let the server apply it, then stall past the client's timeout: the
  request landed but the client cannot know.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass
class Fault:
    times: int
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    lose_reply_seconds: float = 0.0
    method: str | None = None
    path_contains: str = "/docs"

    def matches(self, request: web.Request) -> bool:
        return (self.times > 0 and (self.method is None or request.method == self.method)
                and self.path_contains in request.path)


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str, int]] = []  # (method, path, status answered)
        self.endpoint = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()
        self.seen.clear()

    async def start(self) -> str:
        self._session = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.endpoint = f"http://127.0.0.1:{port}/"
        return self.endpoint

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _take(self, request: web.Request) -> Fault | None:
        for fault in self.faults:
            if fault.matches(request):
                fault.times -= 1
                return fault
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        fault = self._take(request)
        if fault is not None and fault.status:
            self.seen.append((request.method, request.path, fault.status))
            payload = json.dumps({"code": "Injected", "message": f"injected {fault.status}"})
            return web.Response(status=fault.status, body=payload.encode(),
                                headers={"content-type": "application/json", **fault.headers})
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        assert self._session is not None
        async with self._session.request(request.method, self.upstream + request.path_qs,
                                         headers=headers, data=body) as upstream:
            payload = await upstream.read()
            reply_headers = {k: v for k, v in upstream.headers.items()
                             if k.lower() not in HOP_BY_HOP}
            status = upstream.status
        self.seen.append((request.method, request.path, status))
        if fault is not None and fault.lose_reply_seconds:
            await asyncio.sleep(fault.lose_reply_seconds)
        return web.Response(status=status, body=payload, headers=reply_headers)

    def count(self, method: str, path_contains: str = "/docs") -> int:
        return sum(1 for m, p, _ in self.seen if m == method and path_contains in p)
