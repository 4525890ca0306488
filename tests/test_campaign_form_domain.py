"""Reading the new-campaign form and "Remind me tomorrow": pure rules, fixed clocks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.audience import Audience, AudienceKind
from domain.campaign_form import FormModule, read_form
from domain.campaign_invite import question_count, quiz_minutes, remind_tomorrow
from domain.campaigns import Campaign, QuizSpec
from domain.roles import Role, RoleRule
from domain.schedule import Schedule, ScheduleMode

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)  # a Monday
MODULES = {"mfa": FormModule("Sign in with MFA", 8), "outlook": FormModule("Outlook", 6)}
GOOD = {"module": "mfa", "audience": "not-passed:outlook", "questions": "5", "schedule": "now",
        "zone": "Europe/Stockholm", "remind_after": "2", "remind_max": "3", "ends": "2026-11-30",
        "intro": "  Hi team  ", "name": ""}


def problems(**changes: str) -> list[str]:
    return [key.rsplit(".", 1)[1] for key, _ in read_form({**GOOD, **changes}, MODULES, NOW,
                                                          "UTC").problems]


def test_a_good_form_gives_the_campaigns_fields() -> None:
    fields = read_form(GOOD, MODULES, NOW, "UTC").fields
    assert fields["quiz"] == QuizSpec(module_id="mfa", question_count=5)
    assert (fields["audience"].kind, fields["audience"].value) == (AudienceKind.NOT_PASSED, "outlook")
    assert (fields["reminders"].after_days, fields["reminders"].max_count) == (2, 3)
    assert fields["intro"] == "Hi team" and fields["title"] == "Sign in with MFA · 2026-11-16"
    assert fields["ends_at"] == datetime(2026, 11, 30, 22, 59, tzinfo=timezone.utc)  # 23:59 CET


@pytest.mark.parametrize("changes, expected", [
    ({"module": "nope"}, ["module"]),
    ({"questions": "9"}, ["questions"]), ({"questions": "2.5"}, ["questions"]),
    ({"questions": ""}, []), ({"audience": "not-completed:nope"}, ["audience"]),
    ({"audience": "everyone"}, ["audience"]), ({"zone": "Mars/Olympus"}, ["zone"]),
    ({"schedule": "at", "date": "", "time": "09:00"}, ["when"]),
    ({"schedule": "at", "date": "2026-11-16", "time": "09:30", "zone": "UTC"}, []),
    ({"schedule": "at", "date": "2026-11-16", "time": "08:30", "zone": "UTC"}, ["past"]),
    # 09:30 has passed in Stockholm, not yet in UTC-12: some workers still get it today
    ({"schedule": "worker_local", "date": "2026-11-16", "time": "09:30"}, []),
    ({"schedule": "worker_local", "date": "2026-11-14", "time": "09:30"}, ["past"]),
    ({"schedule": "sometime"}, ["schedule"]), ({"remind_max": "11"}, ["remind_max"]),
    ({"remind_after": "0"}, ["remind_after"]), ({"ends": "2026-11-15"}, ["ends_early"]),
    ({"ends": "soon"}, ["ends"]), ({"intro": "x" * 2001}, ["intro"]), ({"name": "x" * 201}, ["name"]),
])
def test_each_problem_is_named(changes: dict, expected: list[str]) -> None:
    assert problems(**changes) == expected


def campaign(**fields: object) -> Campaign:
    values: dict = dict(id="c", tenant_id="t", title="T", quiz=QuizSpec(module_id="mfa"),
                        audience=Audience(kind=AudienceKind.ALL), created_at=NOW,
                        ends_at=NOW + timedelta(days=7))
    values.update(fields)
    return Campaign(**values)


def test_remind_tomorrow_is_the_same_local_time_and_respects_quiet_hours_and_the_end() -> None:
    friday_evening = datetime(2026, 11, 20, 19, 30, tzinfo=timezone.utc)  # 20:30 in Stockholm
    assert remind_tomorrow(campaign(), friday_evening, "Europe/Stockholm") == \
        friday_evening + timedelta(days=1)
    quiet = campaign(schedule=Schedule(mode=ScheduleMode.NOW, quiet_hours=True))
    monday_8 = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)
    assert remind_tomorrow(quiet, friday_evening, "Europe/Stockholm") == monday_8
    assert remind_tomorrow(campaign(ends_at=NOW + timedelta(hours=23)), NOW, None) is None


def test_question_count_and_minutes() -> None:
    assert question_count(campaign(), 8) == 8
    assert question_count(campaign(quiz=QuizSpec(module_id="m", question_count=12)), 8) == 8
    assert [quiz_minutes(n) for n in (1, 2, 3, 10)] == [1, 1, 2, 5]


@pytest.mark.parametrize("oid, app_roles, role", [
    ("a", (), Role.ADMIN), ("t", (), Role.TRAINER), ("x", (), Role.WORKER),
    ("t", ("Coach.Admin",), Role.ADMIN), ("x", ("Coach.Trainer",), Role.TRAINER), (None, (), Role.WORKER),
])
def test_one_role_rule(oid, app_roles, role) -> None:
    assert RoleRule.of(["a"], ["t"]).role(oid, app_roles) is role
    assert role.trains is (role is not Role.WORKER)
