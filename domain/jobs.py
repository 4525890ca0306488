"""Background jobs as records: the lease that lets one instance run a job, and a job's last run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class Lease:
    """`owner` may run job `name` until `expires_at`. `version` changes on every write, so a
    renewal or release by a holder that has lost the lease (it expired and was taken over)
    changes nothing."""

    name: str
    owner: str
    expires_at: datetime
    version: int


class RunOutcome(str, Enum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    STOPPED = "stopped"  # the process was asked to stop, or the lease was lost


@dataclass(frozen=True)
class JobRun:
    """The latest run of a job (one per job; the next run replaces it)."""

    job: str
    owner: str
    started_at: datetime
    outcome: RunOutcome = RunOutcome.RUNNING
    ended_at: datetime | None = None
    detail: str = ""
