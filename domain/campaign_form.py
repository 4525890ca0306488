"""The trainer's new-campaign form, read: every field checked, every problem named (a ui.yaml
key and its values), so the form comes back as typed with what to fix.

Dates are the Adaptive Card inputs' YYYY-MM-DD, times HH:MM. The end date is 23:59 of that
day in the schedule's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from domain.audience import Audience, AudienceKind
from domain.campaigns import QuizSpec, Reminders
from domain.schedule import Schedule, ScheduleMode, is_zone, validate_start, zone

MAX_INTRO = 2000
MAX_NAME = 200
MAX_REMINDERS = 10
MAX_REMIND_DAYS = 30
DEFAULT_DAYS = 14  # the end date the form proposes


@dataclass(frozen=True)
class FormModule:
    title: str
    questions: int


@dataclass
class FormReading:
    fields: dict[str, Any] = field(default_factory=dict)  # CampaignService.create's fields
    problems: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def problem(self, key: str, **values: object) -> None:
        self.problems.append((f"campaign.form.problem.{key}", values))


def default_ends(now: datetime, zone_name: str) -> str:
    return (now.astimezone(zone(zone_name)).date() + timedelta(days=DEFAULT_DAYS)).isoformat()


def read_form(values: dict[str, str], modules: dict[str, FormModule], now: datetime,
              default_zone: str) -> FormReading:
    reading = FormReading()
    module_id = values.get("module", "").strip()
    module = modules.get(module_id)
    if module is None:
        reading.problem("module")
    reading.fields["quiz"] = QuizSpec(module_id=module_id or "-",
                                      question_count=_questions(values, module, reading))
    reading.fields["audience"] = _audience(values.get("audience", ""), modules, reading)
    zone_name = values.get("zone", "").strip() or default_zone
    if not is_zone(zone_name):
        reading.problem("zone", zone=zone_name)
        zone_name = default_zone
    schedule = _schedule(values, zone_name, now, reading)
    reading.fields["schedule"] = schedule
    reading.fields["reminders"] = _reminders(values, reading)
    intro = values.get("intro", "").strip()
    if len(intro) > MAX_INTRO:
        reading.problem("intro", max=MAX_INTRO)
    reading.fields["intro"] = intro[:MAX_INTRO]
    start = schedule.earliest_start(now) if schedule else now
    reading.fields["ends_at"] = _ends(values.get("ends", ""), zone_name, start, reading)
    name = " ".join(values.get("name", "").split())
    if len(name) > MAX_NAME:
        reading.problem("name", max=MAX_NAME)
    reading.fields["title"] = name[:MAX_NAME] or (
        f"{module.title} · {start.astimezone(zone(zone_name)).date().isoformat()}"
        if module else "-")
    return reading


def _number(raw: str, low: int, high: int) -> int | None:
    try:
        value = int(float(raw.strip()))
    except ValueError:
        return None
    return value if low <= value <= high and float(raw.strip()) == value else None


def _questions(values: dict[str, str], module: FormModule | None,
               reading: FormReading) -> int | None:
    raw = values.get("questions", "").strip()
    if not raw or module is None:
        return None
    count = _number(raw, 1, module.questions)
    if count is None:
        reading.problem("questions", max=module.questions)
    return count


def _audience(raw: str, modules: dict[str, FormModule], reading: FormReading) -> Audience:
    try:
        audience = Audience.parse(raw or "all")
    except ValueError:
        reading.problem("audience")
        return Audience(kind=AudienceKind.ALL)
    if audience.kind in (AudienceKind.NOT_COMPLETED, AudienceKind.NOT_PASSED) \
            and audience.value not in modules:
        reading.problem("audience")
    return audience


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _clock(raw: str) -> time | None:
    try:
        return time.fromisoformat(raw.strip()[:5]) if len(raw.strip()) >= 4 else None
    except ValueError:
        return None


def _schedule(values: dict[str, str], zone_name: str, now: datetime,
              reading: FormReading) -> Schedule | None:
    quiet = values.get("quiet", "false") == "true"
    mode = values.get("schedule", "now")
    if mode == ScheduleMode.NOW.value:
        return Schedule(mode=ScheduleMode.NOW, zone=zone_name, quiet_hours=quiet)
    if mode not in (ScheduleMode.AT.value, ScheduleMode.WORKER_LOCAL.value):
        reading.problem("schedule")
        return None
    day, moment = _day(values.get("date", "")), _clock(values.get("time", ""))
    if day is None or moment is None:
        reading.problem("when")
        return None
    if mode == ScheduleMode.AT.value:
        schedule = Schedule(mode=ScheduleMode.AT, at=datetime.combine(day, moment), zone=zone_name,
                            quiet_hours=quiet)
    else:
        schedule = Schedule(mode=ScheduleMode.WORKER_LOCAL, local_date=day.isoformat(),
                            local_time=moment, zone=zone_name, quiet_hours=quiet)
    # A moment past is not "send now" on this form: the trainer meant another day. In the
    # workers' own zones it has passed when even the last zone (UTC-12) is past it.
    last = zone(zone_name) if mode == ScheduleMode.AT.value else timezone(timedelta(hours=-12))
    if validate_start(datetime.combine(day, moment, tzinfo=last), now) is not None:
        reading.problem("past")
    return schedule


def _reminders(values: dict[str, str], reading: FormReading) -> Reminders:
    raw_max = values.get("remind_max", "").strip() or "0"
    count = _number(raw_max, 0, MAX_REMINDERS)
    if count is None:
        reading.problem("remind_max", max=MAX_REMINDERS)
        count = 0
    raw_days = values.get("remind_after", "").strip() or "3"
    days = _number(raw_days, 1, MAX_REMIND_DAYS)
    if days is None:
        reading.problem("remind_after", max=MAX_REMIND_DAYS)
        days = 3
    return Reminders(after_days=days, max_count=count)


def _ends(raw: str, zone_name: str, start: datetime, reading: FormReading) -> datetime:
    day = _day(raw)
    if day is None:
        reading.problem("ends")
        return start + timedelta(days=DEFAULT_DAYS)
    ends = datetime.combine(day, time(23, 59), tzinfo=zone(zone_name))
    if ends <= start:
        reading.problem("ends_early")
    return ends
