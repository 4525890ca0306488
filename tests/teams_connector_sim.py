"""A local stand-in for the Teams Bot Connector, for campaign tests and bench/bench_campaign.py.

An aiohttp app on a free loopback port. It enforces the tenant limit (requests per second per
tenant, counted over the last second, all requests included) and the per-conversation windows
(7/1 s, 8/2 s, 60/30 s, 1800/3600 s), answering 429 with Retry-After when a request would
exceed them; it injects 500/503 (not delivered), 502/504 and timeouts (delivered or not, as
configured) and dropped replies (the connection closed once the request arrived: no answer,
as with a timeout, but without waiting for one) at seeded rates, and answers 403 MessageWritesBlocked / 404 ConversationNotFound for
a seeded share of conversations (a 404 conversation works again once re-created with
POST /v3/conversations). It records every delivered message per conversation, and the
largest number of requests any tenant made within one second.

In-process: `async with ConnectorSim(config) as sim: sim.url ...`.
Own process: `python tests/teams_connector_sim.py --rate 50 ...` prints `READY <url>`, then
serves `GET /_sim/stats` until stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import hashlib
import json
import random
import subprocess
import sys
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SENT_AT = "X-Sim-Sent-At"  # optional: when the client sent the request (time.time())
WINDOWS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))


@dataclass
class SimConfig:
    tenant_rate: int = 50  # requests per second per tenant
    seed: int = 1
    error_rate: float = 0.0  # 503 (not delivered)
    gateway_rate: float = 0.0  # 502 / 504
    timeout_rate: float = 0.0  # hang until the client gives up
    drop_rate: float = 0.0  # close the connection without an answer
    faults_deliver: bool = True  # a 502/504/timeout request was delivered all the same
    blocked_share: float = 0.0  # conversations answering 403 MessageWritesBlocked
    gone_share: float = 0.0  # conversations answering 404 until re-created
    hang_seconds: float = 30.0
    retry_after: float = 1.0


@dataclass
class SimStats:
    requests: int = 0
    delivered: int = 0
    throttled: int = 0
    faults: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    max_tenant_per_second: int = 0
    created_conversations: int = 0
    first_delivery_at: float | None = None
    last_delivery_at: float | None = None


class ConnectorSim:
    def __init__(self, config: SimConfig | None = None):
        self.config = config or SimConfig()
        self.stats = SimStats()
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._rng = random.Random(self.config.seed)
        self._tenant_times: dict[str, deque[float]] = defaultdict(deque)
        self._conversation_times: dict[str, list[float]] = defaultdict(list)
        self._recreated: dict[str, str] = {}  # re-created conversation ids
        self._departures: dict[str, list[float]] = defaultdict(list)  # tenant -> SENT_AT
        self._arrivals: list[float] = []  # loop time of every activity request
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_get("/_sim/stats", self._stats)
        return app

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ConnectorSim:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- what tests read
    def delivered_to(self, conversation_id: str) -> int:
        return len(self.messages.get(conversation_id, []))

    def deliveries_by_key(self) -> dict[str, int]:
        """Delivered messages per `value.delivery` key the sender puts in its cards."""
        counts: dict[str, int] = defaultdict(int)
        for items in self.messages.values():
            for activity in items:
                counts[_delivery_key(activity)] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self.stats).items()}
        data["faults"] = dict(self.stats.faults)
        data["conversations"] = len(self.messages)
        data["max_sent_per_second"] = max((_max_in_a_second(times)
                                           for times in self._departures.values()), default=0)
        data["sent_per_second"] = {tenant: _per_second(times)
                                   for tenant, times in self._departures.items()}
        data["arrivals_per_second"] = _per_second(self._arrivals)
        return data

    # --- handlers
    async def _activity(self, request: web.Request) -> web.StreamResponse:
        loop_now = asyncio.get_running_loop().time()
        cid = request.match_info["cid"]
        body = await request.json()
        tenant = (body.get("conversation") or {}).get("tenantId", "")
        self.stats.requests += 1
        self._arrivals.append(loop_now)
        if SENT_AT in request.headers:
            self._departures[tenant].append(float(request.headers[SENT_AT]))
        if wait := self._throttle(tenant, cid, loop_now):
            self.stats.throttled += 1
            return web.json_response({"error": {"code": "TooManyRequests"}}, status=429,
                                     headers={"Retry-After": f"{wait:.3f}"})
        if cid not in self._recreated and self._sticky(cid, "blocked", self.config.blocked_share):
            self.stats.faults["403"] += 1
            return web.json_response({"error": {"code": "Forbidden", "message":
                                      "The bot is not part of the conversation roster."},
                                      "subCode": "MessageWritesBlocked"}, status=403)
        if cid not in self._recreated and self._sticky(cid, "gone", self.config.gone_share):
            self.stats.faults["404"] += 1
            return web.json_response({"error": {"code": "ConversationNotFound"}}, status=404)
        draw = self._rng.random()
        c = self.config
        if draw < c.error_rate:
            self.stats.faults["503"] += 1
            return web.json_response({"error": {"code": "ServiceUnavailable"}}, status=503)
        if draw < c.error_rate + c.gateway_rate:
            status = 502 if self._rng.random() < 0.5 else 504
            self.stats.faults[str(status)] += 1
            if c.faults_deliver:
                self._deliver(cid, body, loop_now)
            return web.json_response({"error": {"code": "BadGateway"}}, status=status)
        if draw < c.error_rate + c.gateway_rate + c.timeout_rate:
            self.stats.faults["timeout"] += 1
            if c.faults_deliver:
                self._deliver(cid, body, loop_now)
            await asyncio.sleep(c.hang_seconds)
            return web.Response(status=504)
        if draw < c.error_rate + c.gateway_rate + c.timeout_rate + c.drop_rate:
            self.stats.faults["dropped"] += 1
            if c.faults_deliver:
                self._deliver(cid, body, loop_now)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=504)  # never reaches the client
        self._deliver(cid, body, loop_now)
        return web.json_response({"id": f"act-{self.stats.delivered}"}, status=201)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        members = body.get("members") or []
        if not members or not body.get("bot") or not body.get("tenantId"):
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        user = members[0].get("id", "")
        new_id = f"a:recreated-{hashlib.sha256(user.encode()).hexdigest()[:16]}"
        self._recreated[new_id] = new_id
        self.stats.created_conversations += 1
        return web.json_response({"id": new_id}, status=201)

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({**self.summary(),
                                  "by_key": self.deliveries_by_key()})

    # --- rules
    def _throttle(self, tenant: str, cid: str, now: float) -> float:
        times = self._tenant_times[tenant]
        while times and times[0] <= now - 1.0:
            times.popleft()
        times.append(now)  # every request counts against the tenant, throttled ones too
        self.stats.max_tenant_per_second = max(self.stats.max_tenant_per_second, len(times))
        if len(times) > self.config.tenant_rate:
            return self.config.retry_after
        sent = self._conversation_times[cid]
        for limit, seconds in WINDOWS:
            start = bisect.bisect_right(sent, now - seconds)
            if len(sent) - start >= limit:
                return max(self.config.retry_after, sent[len(sent) - limit] + seconds - now)
        sent.append(now)
        return 0.0

    def _sticky(self, cid: str, kind: str, share: float) -> bool:
        if share <= 0:
            return False
        digest = hashlib.sha256(f"{self.config.seed}:{kind}:{cid}".encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32 < share

    def _deliver(self, cid: str, body: dict[str, Any], now: float) -> None:
        self.stats.delivered += 1
        self.stats.first_delivery_at = self.stats.first_delivery_at or now
        self.stats.last_delivery_at = now
        self.messages[cid].append(body)


class SimProcess:
    """The simulator in a process of its own, so its clock and counts are not disturbed by
    whatever blocks the test's event loop (SQLite calls, other senders)."""

    def __init__(self, config: SimConfig):
        self.config = config
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        args = [sys.executable, str(Path(__file__).resolve())]
        for name, value in asdict(self.config).items():
            args += ["--" + name.replace("_", "-"), str(value)]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the connector simulator did not start: {line!r}")
        self.url = line.split()[1]
        return self.url

    async def stats(self) -> dict[str, Any]:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            async with session.get(f"{self.url}/_sim/stats") as response:
                return await response.json()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.stdin:
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> SimProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _per_second(times: list[float]) -> list[int]:
    """Requests in each whole second from the first one: where a rate went."""
    if not times:
        return []
    start = min(times)
    counts = [0] * (int(max(times) - start) + 1)
    for moment in times:
        counts[int(moment - start)] += 1
    return counts


def _max_in_a_second(times: list[float]) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def _delivery_key(activity: dict[str, Any]) -> str:
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content") or {}
        for action in content.get("actions") or []:
            key = (action.get("data") or {}).get("delivery")
            if key:
                return key
    return "?"


async def _serve(config: SimConfig, port: int) -> None:
    sim = ConnectorSim(config)
    url = await sim.start(port)
    print(f"READY {url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await sim.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local Teams Bot Connector simulator.")
    parser.add_argument("--port", type=int, default=0)
    for name, value in asdict(SimConfig()).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, type=lambda s: s.lower() in ("1", "true", "yes"),
                                default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    args = vars(parser.parse_args(argv))
    port = args.pop("port")
    asyncio.run(_serve(SimConfig(**args), port))


if __name__ == "__main__":
    main()
