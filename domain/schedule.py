"""When a campaign message may go out: now, at a moment in a named IANA zone, or at a local
time in each worker's own zone; optional quiet hours (weekdays 08:00-18:00 local only).

Pure functions over aware datetimes; every stored time is UTC. The clock is the caller's.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

QUIET_START = time(8, 0)
QUIET_END = time(18, 0)
MIN_LEAD = timedelta(minutes=1)
DEFAULT_ZONE = "UTC"


def zone(name: str | None) -> ZoneInfo:
    """The named zone; an unknown or missing name is UTC (a worker's zone is a hint)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


class ScheduleMode(StrEnum):
    NOW = "now"
    AT = "at"  # one moment, given as a local time in `zone`
    WORKER_LOCAL = "worker_local"  # `local_time` on `date` in each worker's own zone


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: ScheduleMode = ScheduleMode.NOW
    at: datetime | None = None  # AT: naive local time in `zone` (or aware)
    zone: str = DEFAULT_ZONE  # AT: the zone of `at`; WORKER_LOCAL: for workers without one
    local_date: str | None = None  # WORKER_LOCAL: YYYY-MM-DD
    local_time: time | None = None  # WORKER_LOCAL
    quiet_hours: bool = False

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_zone(value):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Stockholm)")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Schedule:
        if self.mode is ScheduleMode.AT and self.at is None:
            raise ValueError("a schedule 'at' needs a time")
        if self.mode is ScheduleMode.WORKER_LOCAL and (self.local_date is None
                                                       or self.local_time is None):
            raise ValueError("a schedule in the workers' own time needs a date and a time")
        return self

    def earliest_start(self, now: datetime) -> datetime:
        """The first moment any worker can be due (UTC): when the campaign starts sending."""
        if self.mode is ScheduleMode.NOW:
            return now
        if self.mode is ScheduleMode.AT:
            return max(now, self._at_utc())
        # The zone furthest ahead reaches the local time first: UTC+14.
        return max(now, self._local_in(timezone(timedelta(hours=14))))

    def due_for(self, worker_zone: str | None, now: datetime) -> datetime:
        """When this worker's first message is due (UTC), quiet hours applied."""
        if self.mode is ScheduleMode.NOW:
            due = now
        elif self.mode is ScheduleMode.AT:
            due = max(now, self._at_utc())
        else:
            due = max(now, self._local_in(zone(worker_zone or self.zone)))
        return self.allowed_from(due, worker_zone)

    def allowed_from(self, moment: datetime, worker_zone: str | None) -> datetime:
        """`moment`, or the next moment inside quiet hours in the worker's zone."""
        if not self.quiet_hours:
            return moment
        return next_working_moment(moment, zone(worker_zone or self.zone))

    def _at_utc(self) -> datetime:
        assert self.at is not None
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=ZoneInfo(self.zone))
        return at.astimezone(timezone.utc)

    def _local_in(self, tz: ZoneInfo | timezone) -> datetime:
        assert self.local_date is not None and self.local_time is not None
        day = datetime.fromisoformat(self.local_date).date()
        return datetime.combine(day, self.local_time, tzinfo=tz).astimezone(timezone.utc)


def next_working_moment(moment: datetime, tz: ZoneInfo) -> datetime:
    """The first moment at or after `moment` that is a weekday between 08:00 and 18:00 in tz."""
    local = moment.astimezone(tz)
    for _ in range(8):
        if local.weekday() < 5 and QUIET_START <= local.time() < QUIET_END:
            return local.astimezone(timezone.utc)
        if local.weekday() < 5 and local.time() < QUIET_START:
            local = datetime.combine(local.date(), QUIET_START, tzinfo=tz)
        else:
            local = datetime.combine(local.date() + timedelta(days=1), QUIET_START, tzinfo=tz)
    return local.astimezone(timezone.utc)


def validate_start(start: datetime, now: datetime) -> str | None:
    """Why a scheduled start is not acceptable, or None (no lead time beyond a minute)."""
    if start < now - MIN_LEAD:
        return "the start time is in the past"
    return None
