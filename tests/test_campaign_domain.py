"""Campaign rules without I/O: schedules and time zones, quiet hours, rate limits, what a
Teams answer means, audiences from files, and results. Fixed clocks, no sleeping."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.audience import Audience, AudienceKind, matches_locale, parse_recipient_file
from domain.campaign_results import campaign_results
from domain.campaigns import (
    Campaign,
    CampaignState,
    Delivery,
    DeliveryState,
    InvalidTransition,
    QuizSpec,
)
from domain.messaging import Verdict, verdict
from domain.models import AttemptStatus, QuizAnswer, QuizAttempt, Worker
from domain.rate_limit import ConversationWindows, TenantRate, backoff
from domain.schedule import Schedule, ScheduleMode, next_working_moment, zone


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


NOW = utc(2026, 12, 1, 10, 0)  # a Tuesday


def test_now_is_due_now_and_at_is_a_moment_in_its_zone() -> None:
    assert Schedule().due_for("Asia/Tokyo", NOW) == NOW
    at = Schedule(mode=ScheduleMode.AT, at=datetime(2026, 12, 3, 9, 0), zone="Europe/Stockholm")
    assert at.due_for("America/New_York", NOW) == utc(2026, 12, 3, 8, 0)  # CET = UTC+1
    assert at.earliest_start(NOW) == utc(2026, 12, 3, 8, 0)


def test_worker_local_time_is_due_at_that_time_in_each_workers_zone() -> None:
    local = Schedule(mode=ScheduleMode.WORKER_LOCAL, local_date="2026-12-02",
                     local_time=time(9, 0), zone="Europe/London")
    assert local.due_for("Europe/Stockholm", NOW) == utc(2026, 12, 2, 8, 0)
    assert local.due_for("America/New_York", NOW) == utc(2026, 12, 2, 14, 0)
    assert local.due_for(None, NOW) == utc(2026, 12, 2, 9, 0)  # the schedule's own zone
    assert local.due_for("Not/AZone", NOW) == utc(2026, 12, 2, 9, 0)  # unknown: UTC
    assert local.earliest_start(NOW) == utc(2026, 12, 1, 19, 0)  # UTC+14 gets there first


def test_a_daylight_saving_day_keeps_the_local_time() -> None:
    local = Schedule(mode=ScheduleMode.WORKER_LOCAL, local_date="2027-03-29",
                     local_time=time(9, 0))
    assert local.due_for("Europe/Stockholm", NOW) == utc(2027, 3, 29, 7, 0)  # CEST = UTC+2


def test_quiet_hours_move_sends_to_the_next_weekday_morning_local() -> None:
    quiet = Schedule(quiet_hours=True)
    saturday = utc(2026, 12, 5, 12, 0)
    assert quiet.due_for("Europe/Stockholm", saturday) == utc(2026, 12, 7, 7, 0)
    assert quiet.due_for("Europe/Stockholm", utc(2026, 12, 1, 6, 0)) == utc(2026, 12, 1, 7, 0)
    assert quiet.due_for("Europe/Stockholm", utc(2026, 12, 1, 12, 0)) == utc(2026, 12, 1, 12, 0)
    friday_evening = utc(2026, 12, 4, 17, 30)  # 18:30 in Stockholm
    assert quiet.due_for("Europe/Stockholm", friday_evening) == utc(2026, 12, 7, 7, 0)
    assert next_working_moment(utc(2026, 12, 1, 22, 0), zone("Asia/Tokyo")) == utc(
        2026, 12, 1, 23, 0)  # 07:00 Wed in Tokyo -> 08:00


def test_bad_schedules_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Schedule(mode=ScheduleMode.AT, at=NOW, zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="needs a time"):
        Schedule(mode=ScheduleMode.AT)
    with pytest.raises(ValidationError, match="date and a time"):
        Schedule(mode=ScheduleMode.WORKER_LOCAL, local_date="2026-12-02")


def _campaign(**fields: object) -> Campaign:
    values: dict[str, object] = dict(
        id="c1", tenant_id="t", title="MFA", quiz=QuizSpec(module_id="mfa"),
        audience=Audience(kind=AudienceKind.ALL), ends_at=NOW + timedelta(days=7),
        created_at=NOW)
    values.update(fields)
    return Campaign(**values)  # type: ignore[arg-type]


def test_campaign_states_move_only_forward() -> None:
    c = _campaign().transition(CampaignState.SCHEDULED, NOW)
    assert c.starts_at == NOW
    c = c.transition(CampaignState.SENDING, NOW).transition(CampaignState.SENT, NOW)
    assert c.sent_at == NOW
    with pytest.raises(InvalidTransition):
        c.transition(CampaignState.SENDING, NOW)
    closed = c.transition(CampaignState.CLOSED, NOW)
    with pytest.raises(InvalidTransition):
        closed.transition(CampaignState.CANCELLED, NOW)
    with pytest.raises(ValidationError, match="end date"):
        _campaign(ends_at=NOW - timedelta(days=1))


@pytest.mark.parametrize(("status", "body", "expected"), [
    (201, "", Verdict.SENT), (0, "", Verdict.UNKNOWN), (502, "", Verdict.UNKNOWN),
    (504, "", Verdict.UNKNOWN), (429, "", Verdict.RETRY), (412, "", Verdict.RETRY),
    (503, "", Verdict.RETRY), (500, "", Verdict.RETRY),
    (403, '{"subCode": "MessageWritesBlocked"}', Verdict.BLOCKED), (403, "", Verdict.FAILED),
    (404, "", Verdict.GONE), (400, "", Verdict.FAILED), (413, "", Verdict.FAILED)])
def test_what_a_teams_answer_means(status: int, body: str, expected: Verdict) -> None:
    assert verdict(status, body) is expected


def test_tenant_rate_holds_the_limit_in_every_second_and_a_429_slows_it() -> None:
    rate = TenantRate(50, now=0.0)
    sent, now = [], 0.0
    for _ in range(100_000):
        if now >= 3.0:
            break
        wait = rate.wait(now)
        if wait == 0:
            sent.append(now)
        now += max(wait, 0.0001)
    assert max(sum(1 for t in sent if s - 1 < t <= s) for s in sent) == 48
    assert len(sent) >= 3 * 48 - 1
    rate.throttled(3.0, retry_after=2.0)
    rate.throttled(3.1, retry_after=2.0)  # the same burst: slowed once
    assert rate.wait(4.0) == pytest.approx(1.1) and rate.limit == 43  # paused until 5.1


def test_conversation_windows() -> None:
    windows = ConversationWindows()
    for i in range(7):
        assert windows.wait("c", i * 0.01) == 0
        windows.record("c", i * 0.01)
    assert windows.wait("c", 0.07) == pytest.approx(0.93)
    assert windows.wait("other", 0.07) == 0
    assert windows.wait("c", 1.0) == 0  # the 1 s window has moved on
    windows.record("c", 1.0)
    assert windows.wait("c", 1.01) == pytest.approx(0.99)  # 8 in 2 s


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    assert [backoff(n, base=0.5, cap=4.0, jitter=1.0) for n in (1, 2, 3, 4, 5)] == [
        0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff(3, base=0.5, cap=4.0, jitter=0.0) == 1.0


def test_recipient_files_one_per_line_or_a_csv_column() -> None:
    assert parse_recipient_file("a@x.com\n\n  B@x.com \nA@X.com\n") == ["a@x.com", "B@x.com"]
    csv = "Name,UserPrincipalName,Dept\nAda,ada@x.com,IT\n\"Lin, B\",lin@x.com,HR\n"
    assert parse_recipient_file(csv) == ["ada@x.com", "lin@x.com"]
    with pytest.raises(ValueError, match="no id or UPN column"):
        parse_recipient_file("Name,Dept\nAda,IT\n")
    assert parse_recipient_file("") == []


def test_audience_rules_parse_and_locales_match() -> None:
    assert Audience.parse("not-passed:mfa") == Audience(kind=AudienceKind.NOT_PASSED, value="mfa")
    with pytest.raises(ValueError, match="unknown audience"):
        Audience.parse("everyone")
    with pytest.raises(ValidationError):
        Audience.parse("locale:")
    sv = Worker(id="w", teams_locale="sv-FI")
    assert matches_locale(sv, "sv") and matches_locale(sv, "SV-fi") and not matches_locale(sv, "sv-se")
    assert matches_locale(Worker(id="w", teams_locale="en-US", language="nl"), "nl")


def _attempt(worker: str, at: datetime | None, score: float, campaign: str = "c1",
             missed: tuple[str, ...] = ()) -> QuizAttempt:
    answers = {q: QuizAnswer(question_id=q, chosen=["a"], correct=q not in missed)
               for q in ("q1", "q2", "q3")}
    return QuizAttempt(id=f"{worker}-{at}-{campaign}", worker_id=worker, module_id="mfa",
                       locale="en", seed=1, question_ids=list(answers), answers=answers,
                       status=AttemptStatus.SUBMITTED if at else AttemptStatus.IN_PROGRESS,
                       score=score, passed=score >= 80, submitted_at=at, campaign_id=campaign)


def test_results_count_the_first_attempt_within_the_window() -> None:
    campaign = _campaign(started_at=NOW, unreachable={"blocked": ["w9"]})
    deliveries = [Delivery(campaign_id="c1", worker_id=w, due_at=NOW, state=s, sent_at=NOW)
                  for w, s in (("w1", DeliveryState.SENT), ("w2", DeliveryState.SENT),
                               ("w3", DeliveryState.SENT), ("w4", DeliveryState.FAILED))]
    deliveries.append(Delivery(campaign_id="c1", worker_id="w3", round=1, due_at=NOW,
                               state=DeliveryState.SENT))
    attempts = [
        _attempt("w1", NOW + timedelta(hours=2), 60, missed=("q2",)),
        _attempt("w1", NOW + timedelta(hours=1), 100),  # first: counts
        _attempt("w2", NOW + timedelta(hours=3), 40, missed=("q2", "q3")),
        _attempt("w3", NOW + timedelta(days=8), 100),  # after the end date
        _attempt("w3", NOW + timedelta(hours=1), 100, campaign="other"),
    ]
    names = {"w1": "Ada", "w2": "Bo", "w3": "Cy", "w4": "Di"}
    r = campaign_results(campaign, deliveries, names, attempts)
    assert (r.audience, r.reached, r.unreachable, r.answered, r.passed) == (4, 3, 1, 2, 1)
    assert (r.response_rate, r.pass_rate, r.average_score) == (0.6667, 0.5, 70.0)
    assert [(m.question_id, m.missed) for m in r.most_missed] == [("q2", 1), ("q3", 1)]
    assert [(w.name, w.score, w.reminders_sent) for w in r.workers] == [
        ("Ada", 100.0, 0), ("Bo", 40.0, 0), ("Cy", None, 1), ("Di", None, 0)]
