"""The registry behind "delete my data": which aggregates of a `Store` can hold a worker's id.

Every aggregate of `Store` is named in exactly one of the two tuples (a contract test checks
this against the `Store` annotations, so a new aggregate cannot be forgotten). Each one in
WORKER_DATA implements `WorkerData` (delete_for_worker, holds_worker) on every adapter.
"""

from __future__ import annotations

from bot.store.port import Store, WorkerData

# Deletion order: attempts first (on Cosmos their deletion also takes the worker out of the
# quiz counters, which needs the attempts), the worker record last, so an interrupted
# deletion can be re-run and still finds everything it has not done yet.
# `usage` (Microsoft 365 usage rows) and `directory` (the worker's Entra entry) are about the
# worker: the rows name them by UPN, which only their directory entry links to their id, so
# usage goes before directory. Tenant-level figures stay (`usage_imports` count rows, name
# nobody). A later delta sync brings the entry back only if Entra changes the user.
# Triage before feedback: on Cosmos and in memory it finds the worker's items through them.
WORKER_DATA: tuple[str, ...] = ("attempts", "progress", "triage", "feedback", "events",
                                "campaigns", "usage", "directory", "workers")

# Aggregates that never store a worker's id: reports and dashboard figures are computed from the ones above,
# leases and job runs name instances and jobs. `adoption` reads the ones above; the per-upn
# summaries SQLite keeps for it are forgotten whenever usage rows go (usage.delete_for_worker).
NO_WORKER_DATA: tuple[str, ...] = ("reports", "dashboard", "adoption", "privacy", "leases", "job_runs",
                                   "maintenance")


def worker_data(store: Store) -> list[tuple[str, WorkerData]]:
    return [(name, getattr(store, name)) for name in WORKER_DATA]


class RegistryPrivacyStore:
    """`PrivacyStore` for any adapter: each registered aggregate deletes its own part."""

    def __init__(self, store: Store):
        self._store = store

    async def delete_worker_data(self, worker_id: str) -> None:
        for _name, aggregate in worker_data(self._store):
            await aggregate.delete_for_worker(worker_id)
