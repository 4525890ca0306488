"""A trainer campaign at Teams' real rate, against the local connector simulator.

Scenarios (each: a fresh store, the simulator and the sender in processes of their own; the
sender is running, as in production, before the campaign becomes due):
  rate   3,000 recipients, simulator limit 50 req/s, 5 % injected 503s and 1 % timeouts
         (a timed-out message was delivered all the same: the worst case); sender at
         TEAMS_TENANT_RATE=50. Reports messages/hour vs the 180,000/hour ceiling (goal >= 95 %)
         end to end (due -> campaign sent) and while sending (first -> last delivery), the
         share of Teams' 50 requests/s the sender used, time to first delivery, duplicates,
         losses.
  kill   the same, with kill -9 of the sender a third of the way and a new one started at
         once (it resumes when the dead one's leases expire: --lease seconds).
  ceiling  the sender's own ceiling: limits raised, no faults (goal >= 500 msgs/s on SQLite).
Stores: SQLite (a file) and the local Cosmos DB server (tests/cosmos_server.js, started here).
Usage: python -m bench.bench_campaign [--only rate,kill,ceiling] [--stores sqlite,cosmos]
       [--recipients 3000] [--ceiling-recipients 5000]
Results: bench/results/campaign.json (keyed scenario, or scenario:cosmos).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bot.store.port import Store  # noqa: E402
from bot.store.sqlite import SqliteStore  # noqa: E402
from domain.campaigns import CampaignState, DeliveryState  # noqa: E402
from campaign_processes import SenderProcess  # noqa: E402
from campaign_support import register_workers, scheduled_campaign, wait_for_state  # noqa: E402
from teams_connector_sim import SimConfig, SimProcess  # noqa: E402

CEILING_PER_HOUR = 180_000
TEAMS_REQUESTS_PER_SECOND = 50
RESULTS = ROOT / "bench" / "results" / "campaign.json"


class Backend:
    """Where a scenario keeps its data: a SQLite file, or a database on the Cosmos server."""

    def __init__(self, kind: str, cosmos_endpoint: str = ""):
        self.kind, self.endpoint = kind, cosmos_endpoint

    def fresh(self, name: str) -> tuple[Store, Path | list[str]]:
        if self.kind == "sqlite":
            path = Path(tempfile.mkdtemp(prefix="bench-campaign-")) / "coach.db"
            return SqliteStore(path), path
        from bot.store.cosmos import CosmosStore
        from cosmos_support import cosmos_config

        database = f"bench-{name}-{os.getpid()}-{int(time.time())}"
        return (CosmosStore(cosmos_config(self.endpoint, database=database)),
                ["--cosmos", self.endpoint, "--database", database])


async def scenario(name: str, backend: Backend, recipients: int, sim_config: SimConfig,
                   sender: dict, kill_at: float | None = None) -> dict:
    store, where = backend.fresh(name)
    await store.open()
    try:
        with SimProcess(sim_config) as sim:
            ids = await register_workers(store, sim.url, recipients)
            process = SenderProcess(where, f"{name}-1", **sender)  # running, nothing due yet
            await scheduled_campaign(store)
            started = time.monotonic()
            restarted_at = None
            if kill_at is not None:
                while (await sim.stats())["delivered"] < recipients * kill_at:
                    await asyncio.sleep(0.05)
                process.kill()
                restarted_at = time.monotonic() - started
                process = SenderProcess(where, f"{name}-2", **sender)
            await wait_for_state(store, "camp-1", {CampaignState.SENT}, 600)
            elapsed = time.monotonic() - started
            counters = process.stop()
            stats = await sim.stats()
        rows = await store.campaigns.list_deliveries("camp-1", limit=10**7)
    finally:
        await store.close()
    by_key = stats["by_key"]
    reached = sum(1 for w in ids if by_key.get(f"camp-1:{w}:0", 0) >= 1)
    states = {s.value: sum(1 for d in rows if d.state is s) for s in DeliveryState}
    sending = max(1e-9, (stats["last_delivery_at"] or 0) - (stats["first_delivery_at"] or 0))
    per_hour, sending_per_hour = reached / elapsed * 3600, reached / sending * 3600
    return {
        "scenario": name, "store": backend.kind, "recipients": recipients,
        "seconds": round(elapsed, 1), "sending_seconds": round(sending, 1),
        "messages_per_hour": round(per_hour), "of_ceiling": round(per_hour / CEILING_PER_HOUR, 3),
        "sending_messages_per_hour": round(sending_per_hour),
        "sending_of_ceiling": round(sending_per_hour / CEILING_PER_HOUR, 3),
        "requests_of_teams_budget": round(stats["requests"] / sending
                                          / TEAMS_REQUESTS_PER_SECOND, 3),
        "messages_per_second": round(reached / elapsed, 1),
        "first_delivery_s": round(stats["first_delivery_at"] - started, 2)
        if stats["first_delivery_at"] else None,
        "lost": recipients - reached,
        "duplicates": sum(n - 1 for n in by_key.values() if n > 1),
        "duplicates_outside_uncertain": sum(
            1 for d in rows if by_key.get(f"camp-1:{d.worker_id}:0", 0) > 1 and not d.uncertain),
        "requests": stats["requests"], "throttled_429": stats["throttled"],
        "faults": stats["faults"], "max_sent_per_second": stats["max_sent_per_second"],
        "max_seen_per_second": stats["max_tenant_per_second"], "states": states,
        "handed_back": counters.get("handed_back"),
        "killed_and_restarted_at_s": round(restarted_at, 1) if restarted_at else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        # where the rate went: requests leaving the sender in each second
        "sent_per_second": next(iter(stats["sent_per_second"].values()), []),
    }


async def main(args: argparse.Namespace) -> None:
    faults = dict(error_rate=0.05, timeout_rate=0.01, faults_deliver=True, hang_seconds=30.0)
    # Production-like: idle poll 1 s (the default), messenger timeout 3 s (15 s in production),
    # a short lease so the kill run resumes in seconds.
    real = dict(rate=50, lease=args.lease, timeout=3.0, backoff=0.5, idle=1.0)
    plans = {
        "rate": lambda b: scenario("rate", b, args.recipients,
                                   SimConfig(tenant_rate=50, **faults), real),
        "kill": lambda b: scenario("kill", b, args.recipients,
                                   SimConfig(tenant_rate=50, **faults), real, kill_at=1 / 3),
        "ceiling": lambda b: scenario("ceiling", b, args.ceiling_recipients,
                                      SimConfig(tenant_rate=1_000_000),
                                      dict(rate=1_000_000, lease=60, timeout=5.0, backoff=0.1,
                                           idle=0.05)),
    }
    results, servers = [], []
    try:
        for kind in args.stores.split(","):
            endpoint = ""
            if kind == "cosmos":
                from bench.bench_turn import start_cosmos_server

                server, endpoint = start_cosmos_server()
                servers.append(server)
            for name in args.only.split(","):
                result = await plans[name](Backend(kind, endpoint))
                print(json.dumps(result), flush=True)
                results.append(result)
    finally:
        for server in servers:
            if server.stdin:
                server.stdin.close()
            server.wait(timeout=10)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous.update({r["scenario"] + ("" if r["store"] == "sqlite" else ":" + r["store"]): r
                     for r in results})
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Campaign sending benchmark (see module doc).")
    parser.add_argument("--only", default="rate,kill,ceiling")
    parser.add_argument("--stores", default="sqlite", help="comma separated: sqlite,cosmos")
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--ceiling-recipients", type=int, default=5000)
    parser.add_argument("--lease", type=float, default=15.0)
    asyncio.run(main(parser.parse_args()))
