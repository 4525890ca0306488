"""Job leases and job runs on Cosmos DB, in the `jobs` container (partition key /id): one small
document per lease (`lease:<job>`) and per job's latest run (`run:<job>`).

Every lease write is one patch with a filter predicate that the server checks in the same
request (free or expired or ours; or: still this owner and version), so racing instances
cannot both win and no read comes first. A release marks the lease free (no owner, expired)
rather than deleting it, because a delete cannot carry such a condition."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.jobs import JobRun, Lease, RunOutcome
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_docs import encode_time, safe_key, sql_literal

FREE_SINCE = datetime(1970, 1, 1, tzinfo=UTC)


def lease_id(name: str) -> str:
    return f"lease:{safe_key(name)}"


def run_id(job: str) -> str:
    return f"run:{safe_key(job)}"


def _lease(doc: Doc) -> Lease | None:
    if not doc.get("owner"):
        return None
    return Lease(name=doc["name"], owner=doc["owner"],
                 expires_at=datetime.fromisoformat(doc["expiresAt"]), version=doc["version"])


def _hold(owner: str, until: datetime) -> list[Doc]:
    return [{"op": "set", "path": "/owner", "value": owner},
            {"op": "set", "path": "/expiresAt", "value": encode_time(until)},
            {"op": "incr", "path": "/version", "value": 1}]


def _still_held(lease: Lease) -> str:
    return f"FROM c WHERE c.owner = {sql_literal(lease.owner)} AND c.version = {lease.version:d}"


class CosmosLeaseStore:
    def __init__(self, jobs: Docs):
        self._docs = jobs

    async def acquire(self, name: str, owner: str, until: datetime, now: datetime) -> Lease | None:
        action = f"acquire the lease of job {name}"
        doc_id = lease_id(name)
        condition = (f"FROM c WHERE c.owner = {sql_literal(owner)}"
                     f" OR c.expiresAt <= {sql_literal(encode_time(now) or '')}")
        stored, won = await self._docs.patch_where(doc_id, doc_id, _hold(owner, until),
                                                   condition, action)
        if stored is None:
            fresh = {"id": doc_id, "type": "lease", "name": name, "owner": owner,
                     "expiresAt": encode_time(until), "version": 1}
            if await self._docs.create_once(fresh, doc_id, action):
                return _lease(fresh)
            return None  # another instance created it first: theirs
        return _lease(stored) if won else None

    async def renew(self, lease: Lease, until: datetime) -> Lease | None:
        doc_id = lease_id(lease.name)
        stored, won = await self._docs.patch_where(
            doc_id, doc_id, _hold(lease.owner, until), _still_held(lease),
            f"renew the lease of job {lease.name}")
        return _lease(stored) if stored is not None and won else None

    async def release(self, lease: Lease) -> bool:
        doc_id = lease_id(lease.name)
        _stored, won = await self._docs.patch_where(
            doc_id, doc_id, _hold("", FREE_SINCE), _still_held(lease),
            f"release the lease of job {lease.name}")
        return won

    async def get_lease(self, name: str) -> Lease | None:
        doc = await self._docs.read(lease_id(name), lease_id(name), f"read the lease of {name}")
        return _lease(doc) if doc else None


class CosmosJobRunStore:
    def __init__(self, jobs: Docs):
        self._docs = jobs

    async def record_run(self, run: JobRun) -> None:
        doc_id = run_id(run.job)
        await self._docs.upsert({
            "id": doc_id, "type": "run", "job": run.job, "owner": run.owner,
            "startedAt": encode_time(run.started_at), "outcome": run.outcome.value,
            "endedAt": encode_time(run.ended_at), "detail": run.detail,
        }, f"record a run of job {run.job}")

    async def last_run(self, job: str) -> JobRun | None:
        doc = await self._docs.read(run_id(job), run_id(job), f"read the last run of {job}")
        return _run(doc) if doc else None

    async def list_runs(self) -> list[JobRun]:
        docs = await self._docs.query("SELECT * FROM c WHERE c.type = 'run'", {}, "list job runs")
        return sorted((_run(d) for d in docs), key=lambda r: r.job)


def _run(doc: Doc) -> JobRun:
    ended = doc.get("endedAt")
    return JobRun(job=doc["job"], owner=doc["owner"],
                  started_at=datetime.fromisoformat(doc["startedAt"]),
                  outcome=RunOutcome(doc["outcome"]),
                  ended_at=datetime.fromisoformat(ended) if ended else None,
                  detail=doc.get("detail", ""))
