"""The weekly admin digest as a job: every 15 minutes it makes sure every installed admin has
the card of the latest scheduled period (DIGEST_SCHEDULE in DIGEST_TZ). Who got one is
recorded per period and admin (dialogs/digest.py), so the runner's lease (one instance at a
time) plus that record give one card per admin per week across restarts and instances."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from domain.digest import DigestPeriod, DigestSchedule
from jobs.job import JobContext

Deliver = Callable[[DigestPeriod, str, datetime], Awaitable[str]]  # period, owner, now


class DigestJob:
    name = "digest"
    period = timedelta(minutes=15)

    def __init__(self, schedule: DigestSchedule, deliver: Deliver, owner: str = "digest"):
        self.schedule, self._deliver, self._owner = schedule, deliver, owner

    async def run(self, context: JobContext) -> str:
        now = context.now()
        return await self._deliver(self.schedule.latest(now), self._owner, now)
