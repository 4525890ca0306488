"""Install the Teams app for directory users the bot cannot reach yet (Graph installedApps).

Audiences: `all` (every enabled directory user without an installed worker record),
`department:NAME` (the same, in one department, case-insensitive), `not-installed` (only
users the bot never met: no worker record at all; someone who removed the app is left alone).
Teams then sends the bot (`coach serve`) the install event that carries the conversation
reference; `install_audience` waits for it (the worker record turns reachable in the store) up
to a timeout, and says who stayed out of reach and why."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.store.adoption_facts import paged
from bot.graph_session import graph_session
from bot.settings import Settings
from bot.store.port import Store
from domain.audience import unreachable_reason
from domain.usage_records import DirectoryEntry
from integrations.graph.install import install_for

CHUNK = 50  # installs between two progress lines
REASONS = {
    "403": "refused (403): an app permission policy blocks the app for this user, or the Graph "
           "permission TeamsAppInstallation.ReadWriteSelfForUser.All is missing",
    "404": "not found (404): the user or the catalog app does not exist, or the user has no Teams license",
}
NO_EVENT = ("installed, but no install event reached the bot within {seconds:g} s: is `coach serve` "
            "running and reachable from Teams (the bot's messaging endpoint)?")
NO_EVENT_ALREADY = ("the app was installed already, but the bot has no conversation with them: they open it "
                    "once in Teams, or an admin removes it and runs install again")


@dataclass(frozen=True)
class Failure:
    user_id: str
    upn: str
    reason: str


@dataclass
class InstallRun:
    audience: str
    dry_run: bool
    chosen: list[DirectoryEntry] = field(default_factory=list)
    reachable: int = 0  # left out: the bot already reaches them
    installed: int = 0
    already: int = 0
    failed: list[Failure] = field(default_factory=list)
    waited: bool = False
    reached: int = 0  # installed (or already) and then reachable through the install event
    unreached: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        head = f"audience {self.audience}: {len(self.chosen)} to install, {self.reachable} already reachable"
        if self.dry_run:
            return head + " (dry run: nothing installed)"
        done = head + f"; installed {self.installed}, already installed {self.already}, failed {len(self.failed)}"
        if self.waited:
            done += f"; reachable now {self.reached} of {self.reached + len(self.unreached)}"
        return done


def reason_for(detail: str) -> str:
    return REASONS.get(detail.split(" ", 1)[0], detail or "unknown error")


async def choose(store: Store, audience: str) -> InstallRun:
    run = InstallRun(audience, dry_run=True)
    department = audience[11:].strip().casefold() if audience.startswith("department:") else None
    async for entry in paged(store.directory.users_page):
        if not entry.reportable or (department is not None and entry.department.casefold() != department):
            continue
        worker = await store.workers.get_worker(entry.id)
        if worker is not None and (worker.installed or audience == "not-installed"):
            run.reachable += 1
            continue
        run.chosen.append(entry)
    return run


async def wait_for_install_events(store: Store, run: InstallRun, pending: dict[str, str], already: set[str],
                                  timeout: float, progress: Callable[[str], None], poll: float = 2.0) -> None:
    """Until every user in `pending` (id -> upn) is reachable in the store, or `timeout` s."""
    started = time.monotonic()
    waiting = dict(pending)
    progress(f"waiting up to {timeout:g} s for the install events of {len(waiting)} users")
    while waiting:
        for user_id in list(waiting):
            worker = await store.workers.get_worker(user_id)
            if worker is not None and unreachable_reason(worker, blocked=False) is None:
                del waiting[user_id]
                run.reached += 1
        elapsed = time.monotonic() - started
        if not waiting or elapsed >= timeout:
            break
        progress(f"install events: {run.reached} of {len(pending)} reachable ({elapsed:.0f} s)")
        await asyncio.sleep(min(poll, max(timeout - elapsed, 0.05)))
    run.waited = True
    run.unreached = [Failure(user_id, upn, NO_EVENT_ALREADY if user_id in already else NO_EVENT.format(seconds=timeout))
                     for user_id, upn in sorted(waiting.items(), key=lambda item: item[1])]


async def install_audience(store: Store, settings: Settings, audience: str, *, dry_run: bool,
                           per_second: float = 5.0, wait: float = 0.0,
                           progress: Callable[[str], None] = lambda _: None) -> InstallRun:
    """`wait`: seconds to wait for the install events afterwards (0: don't)."""
    run = await choose(store, audience)
    run.dry_run = dry_run
    if dry_run:
        for entry in run.chosen:
            progress(f"would install for {entry.upn} ({entry.department or '-'})")
        return run
    upns = {e.id: e.upn for e in run.chosen}
    done: dict[str, str] = {}
    already: set[str] = set()
    async with graph_session(settings) as session:
        ids = list(upns)
        for start in range(0, len(ids), CHUNK):
            if start:
                await session.graph.sleep(1 / per_second)
            for outcome in await install_for(session.graph, ids[start:start + CHUNK],
                                             settings.teams_catalog_app_id, per_second=per_second):
                if outcome.result == "installed":
                    run.installed += 1
                    done[outcome.user_id] = upns[outcome.user_id]
                elif outcome.result == "already":
                    run.already += 1
                    done[outcome.user_id] = upns[outcome.user_id]
                    already.add(outcome.user_id)
                else:
                    run.failed.append(Failure(outcome.user_id, upns[outcome.user_id], reason_for(outcome.detail)))
            progress(f"install: {min(start + CHUNK, len(ids))} of {len(ids)} done")
    if wait > 0 and done:
        await wait_for_install_events(store, run, done, already, wait, progress)
    return run
