"""Install the Teams app for workers who never opened it (Graph `installedApps`), so the bot
gets their conversation and can reach them. 409 means it is installed already."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .client import GraphClient, GraphError


@dataclass(frozen=True)
class InstallOutcome:
    user_id: str
    result: str  # installed | already | failed
    detail: str = ""


async def install_for(graph: GraphClient, user_ids: Iterable[str], catalog_app_id: str, *,
                      per_second: float = 5.0) -> list[InstallOutcome]:
    """One install request per user, paced (Graph throttles app installs per tenant)."""
    body = {"teamsApp@odata.bind": f"{graph.url('appCatalogs/teamsApps')}/{catalog_app_id}"}
    outcomes = []
    for index, user_id in enumerate(user_ids):
        if index:
            await graph.sleep(1 / per_second)
        try:
            response = await graph.request("POST", f"users/{user_id}/teamwork/installedApps",
                                           json=body, ok=(409,))
        except GraphError as exc:
            outcomes.append(InstallOutcome(user_id, "failed", f"{exc.status} {exc.code}".strip()))
            continue
        async with response:
            outcomes.append(InstallOutcome(user_id, "already" if response.status == 409 else "installed"))
    return outcomes
