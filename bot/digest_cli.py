"""`coach digest send --now`: send the weekly admin digest now, for trying it. It covers the
seven days up to now and counts as this week's card: an admin who had it already is skipped
(the same per-admin record as the scheduled job), and it holds the job's lease while it runs,
so it never races the scheduled run on another instance."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from bot.cli_run import fail, opened_store, settings_or_exit
from bot.settings import Settings
from bot.store.port import StoreUnavailable
from domain.digest import DigestPeriod
from domain.models import utcnow
from jobs.digest import DigestJob
from jobs.runner import new_owner


async def send_now(settings: Settings) -> str:
    from bot.agent import CoachAgent
    from bot.content import load_catalog
    from bot.org_profile import load_profile

    catalog, _ = load_catalog(profile=load_profile(settings.org_profile))
    async with opened_store(settings) as store:
        owner, now = new_owner(), utcnow()
        lease = await store.leases.acquire(DigestJob.name, owner, now + timedelta(minutes=2), now)
        if lease is None:
            raise RuntimeError("the digest job is running on another instance: try again in a minute")
        try:
            agent = CoachAgent(settings, store, catalog)
            try:
                return await agent.send_digests(DigestPeriod.ending(now), owner, now)
            finally:
                await agent.messenger.close()
        finally:
            await store.leases.release(lease)


def cmd_digest_send(args: argparse.Namespace) -> int:
    if not args.now:
        return fail("digest", "say --now to send the digest now (the job sends it on DIGEST_SCHEDULE)")
    settings = settings_or_exit("digest")
    if not settings.admin_ids:
        return fail("digest", "ADMIN_IDS is empty: nobody to send the digest to")
    try:
        print(asyncio.run(send_now(settings)))
    except (StoreUnavailable, RuntimeError) as exc:
        return fail("digest", str(exc))
    return 0


def add_digest_parser(commands: argparse._SubParsersAction) -> None:
    digest = commands.add_parser("digest", help="the weekly admin digest")
    actions = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    send = actions.add_parser(
        "send", help="send the digest card to every admin who installed the bot",
        description="Send the weekly digest card (the seven days up to now) to every admin in "
                    "ADMIN_IDS who installed the bot. An admin who already had this week's card "
                    "is skipped. The scheduled job sends it at DIGEST_SCHEDULE in DIGEST_TZ.")
    send.add_argument("--now", action="store_true", help="send it now")
    send.set_defaults(func=cmd_digest_send)
