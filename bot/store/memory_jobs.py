"""Leases and job runs in memory (one process: the leases only matter between runners in it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.jobs import JobRun, Lease


class MemoryLeaseStore:
    def __init__(self) -> None:
        self._leases: dict[str, Lease] = {}

    async def acquire(self, name: str, owner: str, until: datetime, now: datetime) -> Lease | None:
        current = self._leases.get(name)
        if current is not None and current.owner != owner and current.expires_at > now:
            return None
        version = current.version + 1 if current else 1
        lease = self._leases[name] = Lease(name, owner, until, version)
        return lease

    async def renew(self, lease: Lease, until: datetime) -> Lease | None:
        if self._leases.get(lease.name) != lease:
            return None
        renewed = self._leases[lease.name] = replace(lease, expires_at=until,
                                                     version=lease.version + 1)
        return renewed

    async def release(self, lease: Lease) -> bool:
        if self._leases.get(lease.name) != lease:
            return False
        del self._leases[lease.name]
        return True

    async def get_lease(self, name: str) -> Lease | None:
        return self._leases.get(name)


class MemoryJobRunStore:
    def __init__(self) -> None:
        self._runs: dict[str, JobRun] = {}

    async def record_run(self, run: JobRun) -> None:
        self._runs[run.job] = run

    async def last_run(self, job: str) -> JobRun | None:
        return self._runs.get(job)

    async def list_runs(self) -> list[JobRun]:
        return [self._runs[name] for name in sorted(self._runs)]
