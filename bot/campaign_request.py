"""`coach campaign create` options as a campaign's fields, checked before anything is
stored: the module and its quiz, the audience (a rule or `@file`), the schedule (now, `--at`
in a named zone, or `--local-time` in each worker's zone), reminders and the end date.
Every problem is a CommandError with one line the trainer can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli_run import CommandError
from bot.content import Catalog
from domain.audience import Audience, AudienceKind, parse_recipient_file
from domain.campaigns import QuizSpec, Reminders
from domain.schedule import MIN_LEAD, Schedule, ScheduleMode, is_zone

DEFAULT_DAYS_OPEN = 14  # without --ends the campaign takes answers this long after its start
DEFAULT_REMIND_AFTER_DAYS = 3.0
_AT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
_CLOCK = re.compile(r"^\d{2}:\d{2}$")
AHEAD, BEHIND = timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))  # the extreme zones


@dataclass(frozen=True)
class CreateRequest:
    tenant: str
    name: str
    module: str
    audience: str
    questions: int | None = None
    at: str | None = None
    tz: str | None = None
    local_time: str | None = None
    date: date | None = None
    quiet_hours: bool = False
    remind_after_days: float | None = None
    max_reminders: int | None = None
    intro: str = ""
    ends: date | None = None
    created_by: str = ""


def campaign_fields(request: CreateRequest, catalog: Catalog, now: datetime) -> dict[str, Any]:
    """Everything `CampaignService.create` takes, or a CommandError."""
    if not request.tenant:
        raise CommandError("say --tenant (the Entra tenant id): the bot's TENANTID setting is empty")
    schedule = schedule_from(request, now)
    start = schedule.earliest_start(now)
    return {
        "tenant_id": request.tenant, "title": request.name, "intro": request.intro,
        "quiz": quiz_from(request, catalog), "audience": audience_from(request.audience, catalog),
        "schedule": schedule, "reminders": reminders_from(request),
        "ends_at": ends_from(request.ends, schedule.zone, start), "created_by": request.created_by,
    }


def quiz_from(request: CreateRequest, catalog: Catalog) -> QuizSpec:
    module = catalog.module("en", request.module)
    if module is None:
        raise CommandError(f"unknown module {request.module!r}: one of {', '.join(catalog.module_ids())}")
    total = len(module.quiz.questions)
    if request.questions is not None and not 1 <= request.questions <= total:
        raise CommandError(f"--questions must be 1 to {total}: the quiz of {module.id} has {total} questions")
    return QuizSpec(module_id=module.id, question_count=request.questions)


def audience_from(spec: str, catalog: Catalog) -> Audience:
    """A rule (`all`, `locale:sv`, `not-completed:MODULE`, `not-passed:MODULE`) or `@FILE`."""
    if spec.startswith("@"):
        return Audience(kind=AudienceKind.EXPLICIT, keys=_recipients(Path(spec[1:])))
    try:
        audience = Audience.parse(spec)
    except ValueError as exc:
        raise CommandError(f"bad audience {spec!r}: {first_error(exc)}") from None
    if audience.kind in (AudienceKind.NOT_COMPLETED, AudienceKind.NOT_PASSED) and \
            catalog.module("en", audience.value) is None:
        raise CommandError(f"bad audience {spec!r}: there is no module {audience.value!r}")
    return audience


def _recipients(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the audience file {path}: "
                           f"{getattr(exc, 'strerror', None) or exc}") from None
    try:
        keys = parse_recipient_file(text)
    except ValueError as exc:
        raise CommandError(f"audience file {path}: {exc}") from None
    if not keys:
        raise CommandError(f"audience file {path}: no Entra object id or UPN in it")
    return keys


def schedule_from(request: CreateRequest, now: datetime) -> Schedule:
    zone_name = request.tz or "UTC"
    if not is_zone(zone_name):
        raise CommandError(f"unknown time zone {zone_name!r}: use an IANA name like Europe/Stockholm")
    if request.at is not None and request.local_time is not None:
        raise CommandError("say either --at or --local-time, not both")
    if request.date is not None and request.local_time is None:
        raise CommandError("--date goes with --local-time")
    if request.at is not None:
        if not _AT.match(request.at):
            raise CommandError(f"--at {request.at!r}: use \"YYYY-MM-DD HH:MM\"")
        try:
            at = datetime.fromisoformat(request.at)
        except ValueError:
            raise CommandError(f"--at {request.at!r} is not a real date and time") from None
        if at.replace(tzinfo=ZoneInfo(zone_name)) < now - MIN_LEAD:
            raise CommandError(f"--at {request.at} {zone_name} is in the past")
        return Schedule(mode=ScheduleMode.AT, at=at, zone=zone_name, quiet_hours=request.quiet_hours)
    if request.local_time is not None:
        local = _clock(request.local_time)
        day = request.date or _first_day_ahead_everywhere(local, now)
        if datetime.combine(day, local, tzinfo=BEHIND) < now - MIN_LEAD:
            raise CommandError(f"--local-time {request.local_time} on {day} is in the past everywhere")
        return Schedule(mode=ScheduleMode.WORKER_LOCAL, local_date=day.isoformat(), local_time=local,
                        zone=zone_name, quiet_hours=request.quiet_hours)
    if request.tz is not None:
        raise CommandError("--tz goes with --at (or --local-time: the zone of workers without one)")
    return Schedule(quiet_hours=request.quiet_hours)


def _clock(text: str) -> time:
    try:
        if not _CLOCK.match(text):
            raise ValueError
        return time.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--local-time {text!r}: use HH:MM, for example 09:30") from None


def _first_day_ahead_everywhere(local: time, now: datetime) -> date:
    """The first day whose `local` time is still ahead in the zone furthest ahead, so no
    worker anywhere has passed it yet."""
    day = now.astimezone(AHEAD).date()
    while datetime.combine(day, local, tzinfo=AHEAD) < now:
        day += timedelta(days=1)
    return day


def reminders_from(request: CreateRequest) -> Reminders:
    if request.remind_after_days is None and request.max_reminders is None:
        return Reminders(max_count=0)
    after = request.remind_after_days if request.remind_after_days is not None else DEFAULT_REMIND_AFTER_DAYS
    count = request.max_reminders if request.max_reminders is not None else 1
    if after <= 0:
        raise CommandError("--remind-after-days must be more than 0")
    if not 0 <= count <= 10:
        raise CommandError("--max-reminders must be 0 to 10")
    return Reminders(after_days=after, max_count=count)


def ends_from(ends: date | None, zone_name: str, start: datetime) -> datetime:
    """The end of the day `ends` in the campaign's zone (UTC), default DEFAULT_DAYS_OPEN
    after the start; it must come after the start."""
    if ends is None:
        return start + timedelta(days=DEFAULT_DAYS_OPEN)
    end = datetime.combine(ends + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone_name)).astimezone(timezone.utc)
    if end <= start:
        raise CommandError(f"--ends {ends} is before the campaign starts ({start:%Y-%m-%d %H:%M} UTC)")
    return end


OPTIONS = {"title": "--name", "intro": "--intro", "ends_at": "--ends"}


def first_error(exc: ValueError) -> str:
    """One line from a pydantic ValidationError (named by the option), else the message."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    first = errors()[0]
    message = str(first.get("msg", exc)).removeprefix("Value error, ")
    field = str(first["loc"][0]) if first.get("loc") else ""
    return f"{OPTIONS[field]}: {message}" if field in OPTIONS else message
