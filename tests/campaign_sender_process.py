"""One campaign sender instance in a process of its own, on a SQLite file: for the crash,
graceful-stop and two-instance tests and for bench/bench_campaign.py.

    python tests/campaign_sender_process.py --sqlite PATH [--owner A] [--rate 50] ...
    python tests/campaign_sender_process.py --cosmos ENDPOINT --database NAME ...

Prints READY, sends until SIGTERM (graceful stop: finish in-flight, record every outcome),
then prints its counters as JSON on one line. SIGKILL is the crash."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.store.sqlite import SqliteStore  # noqa: E402
from bot.teams_messenger import ConnectorMessenger, connector_session  # noqa: E402
from jobs.campaign_delivery import SendPolicy  # noqa: E402
from jobs.campaign_sender import CampaignSender, SenderConfig  # noqa: E402
from teams_connector_sim import SENT_AT  # noqa: E402


class StampingMessenger(ConnectorMessenger):
    """Tells the simulator when each request left (wall clock, shared by processes), so it
    can check the tenant rate by departure even when a loaded machine delays its own loop."""

    async def _headers(self, service_url: str) -> dict[str, str]:
        return {**await super()._headers(service_url), SENT_AT: repr(time.time())}


def _flag(text: str) -> bool:
    return text.lower() in ("1", "true", "yes")


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    if args.sqlite is not None:
        return SqliteStore(args.sqlite)
    from bot.store.cosmos import CosmosStore
    from cosmos_support import cosmos_config

    return CosmosStore(cosmos_config(args.cosmos, database=args.database))


async def run(args: argparse.Namespace) -> None:
    store = _store(args)
    await store.open()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    config = SenderConfig(
        tenant_rate=args.rate, lease_seconds=args.lease, idle_seconds=args.idle,
        policy=SendPolicy(resend_unknown=args.resend_unknown, backoff_base=args.backoff,
                          backoff_cap=args.backoff * 4, lease_margin=3 * args.timeout + 1.0))
    try:
        async with connector_session() as session:
            sender = CampaignSender(store, StampingMessenger(session,
                                                             timeout_seconds=args.timeout),
                                    config=config, owner=args.owner)
            print("READY", flush=True)
            await sender.run_until_stopped(stop)
            print(json.dumps({"owner": sender.owner, "lost_leases": sender.lost_leases,
                              "handed_back": sender.run.handed_back}),
                  flush=True)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", type=Path)
    where.add_argument("--cosmos", help="endpoint of a (local) Cosmos DB server")
    parser.add_argument("--database", default="bench", help="with --cosmos")
    parser.add_argument("--idle", type=float, default=0.05, help="pause when nothing is due")
    parser.add_argument("--owner", default=None)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=15.0)
    parser.add_argument("--backoff", type=float, default=0.5)
    parser.add_argument("--resend-unknown", type=_flag, default=True)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
