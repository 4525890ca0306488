"""The weekly admin digest: when it is due (DIGEST_SCHEDULE in DIGEST_TZ) and what it says.

A period is the week that ends at a scheduled moment: the digest sent on Monday 08:00 covers
the seven days before it, compared with the seven days before those."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .campaigns import Campaign, CampaignState
from .models import Feedback
from .reports import QuizReport, UsageReport, iso_week

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
WEEK = timedelta(days=7)
TOP_ITEMS = 3


@dataclass(frozen=True)
class DigestSchedule:
    weekday: int  # 0 = Monday
    at: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, schedule: str, tz: str) -> DigestSchedule:
        """`MON 08:00` and an IANA zone name; ValueError with a message otherwise."""
        day, _, clock = schedule.strip().upper().partition(" ")
        if day[:3] not in DAYS:
            raise ValueError(f"DIGEST_SCHEDULE must be like 'MON 08:00', not {schedule!r}")
        try:
            at = time.fromisoformat(clock.strip())
        except ValueError:
            raise ValueError(f"DIGEST_SCHEDULE must be like 'MON 08:00', not {schedule!r}") from None
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"DIGEST_TZ {tz!r} is not a known time zone") from None
        return cls(DAYS.index(day[:3]), at, zone)

    def latest(self, now: datetime) -> DigestPeriod:
        """The period of the latest scheduled moment at or before `now`."""
        local = now.astimezone(self.tz)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        moment = datetime.combine(day, self.at, self.tz)
        if moment > local:
            moment = datetime.combine(day - WEEK, self.at, self.tz)
        return DigestPeriod.ending(moment.astimezone(timezone.utc))


@dataclass(frozen=True)
class DigestPeriod:
    key: str  # e.g. 2026-W49: the ISO week the digest is sent in
    start: datetime  # of the week it covers (UTC)
    end: datetime  # exclusive: the scheduled moment

    @classmethod
    def ending(cls, end: datetime) -> DigestPeriod:
        return cls(iso_week(end), end - WEEK, end)

    def before(self) -> DigestPeriod:
        return DigestPeriod.ending(self.start)

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def days(self) -> tuple[date, date]:
        """The whole UTC days of the period, for the day-based reports (first, last)."""
        return self.start.date(), (self.end - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class FinishedCampaign:
    title: str  # as the trainer typed it
    reached: int
    answered: int
    response_rate: float  # answered / reached, 0..1


def finished_at(campaign: Campaign) -> datetime | None:
    """When a campaign finished: every first message went out (sent), or, for one closed
    before that, when it closed. Each campaign finishes once, so it is in one digest only."""
    if campaign.sent_at is not None:
        return campaign.sent_at
    return campaign.finished_at if campaign.state is CampaignState.CLOSED else None


@dataclass(frozen=True)
class DigestSummary:
    period: DigestPeriod
    new_feedback: int
    top_items: list[Feedback]
    completions: int
    completions_before: int
    pass_rate: float | None  # 0..1; None when no quiz was submitted
    pass_rate_before: float | None
    campaigns_finished: list[FinishedCampaign] = field(default_factory=list)

    @property
    def pass_rate_change(self) -> float | None:
        """Percentage points against the week before (None if either week had no quiz)."""
        if self.pass_rate is None or self.pass_rate_before is None:
            return None
        return round((self.pass_rate - self.pass_rate_before) * 100, 1)


def top_items(items: list[Feedback]) -> list[Feedback]:
    """Questions first (someone waits for an answer), then the lowest ratings, newest first."""
    return sorted(items, key=lambda f: (f.rating or 0, -f.created_at.timestamp(), f.id))[:TOP_ITEMS]


def completions(report: UsageReport) -> int:
    """Modules completed in the report's window (the weekly trend counts by completed_at)."""
    return sum(w.completed for w in report.weeks)


def pass_rate(report: QuizReport) -> float | None:
    attempts = sum(m.attempts for m in report.modules)
    passed = sum(round(m.pass_rate * m.attempts) for m in report.modules)
    return round(passed / attempts, 4) if attempts else None
