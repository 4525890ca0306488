"""`coach campaign ...` on real SQLite files through `main(argv)`: create → the sender sends
(a stand-in messenger) → a worker answers → status and results (table, CSV, JSON) show it;
cancel; `@file` audiences; and one-line errors with exit 2 for everything a trainer can get
wrong. The option → schedule rules are checked on a fixed clock (no sleeping)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.campaign_request import CreateRequest, campaign_fields
from bot.cli import main
from bot.cli_run import CommandError
from bot.report_cli import english_content
from bot.store.sqlite import SqliteStore
from domain.messaging import SendOutcome
from domain.models import AttemptStatus, QuizAnswer, QuizAttempt, Worker, utcnow
from domain.schedule import ScheduleMode
from jobs.campaign_sender import CampaignSender
from campaign_support import fast_config, reference

TENANT, MODULE = "tenant-1", "mfa-sign-in"
FORMULA = '=HYPERLINK("http://evil.example","click")'


class AcceptingMessenger:
    """Teams answering 201 to every message (the sender's own tests cover the faults)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, conversation: dict, activity: dict) -> SendOutcome:
        self.sent.append(conversation["conversation"]["id"])
        return SendOutcome(201, activity_id=f"m{len(self.sent)}")

    async def create_conversation(self, conversation: dict):  # never needed here
        raise AssertionError("no conversation is re-created")


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "coach.db"
    monkeypatch.setenv("STORE", "sqlite")
    monkeypatch.setenv("SQLITE_PATH", str(path))
    for name in ("TENANT_ID", "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID"):
        monkeypatch.delenv(name, raising=False)
    return path


async def _with_store(path: Path, work):
    store = SqliteStore(path)
    await store.open()
    try:
        return await work(store)
    finally:
        await store.close()


def register(path: Path, *workers: tuple[str, str, str | None]) -> None:
    """(id, name, upn) workers who installed the bot."""
    async def work(store):
        for worker_id, name, upn in workers:
            await store.workers.register_worker(Worker(
                id=worker_id, tenant_id=TENANT, name=name, upn=upn,
                conversation=reference("http://connector.invalid", worker_id)))
    asyncio.run(_with_store(path, work))


async def send_all_due(store, messenger: AcceptingMessenger) -> None:
    """Sender rounds until a round finds nothing due (a delivery handed back on a slow store
    is due again at once); one owner throughout."""
    sender = CampaignSender(store, messenger, config=fast_config(), owner="cli-test")
    for _ in range(20):
        if not await sender.run_once():
            return
    raise AssertionError("the sender kept finding due deliveries")


def send_due(path: Path) -> AcceptingMessenger:
    messenger = AcceptingMessenger()
    asyncio.run(_with_store(path, lambda store: send_all_due(store, messenger)))
    return messenger


def answer_quiz(path: Path, worker_id: str, campaign_id: str | None, wrong: set[str]) -> float:
    """A submitted attempt with every question answered, `wrong` ones wrong; its score."""
    questions = [q.id for q in english_content().module("en", MODULE).quiz.questions]
    now = utcnow()
    score = round(100 * (len(questions) - len(wrong)) / len(questions), 1)
    attempt = QuizAttempt(
        id=f"a-{worker_id}-{campaign_id}", worker_id=worker_id, module_id=MODULE, locale="en", seed=1,
        question_ids=questions, status=AttemptStatus.SUBMITTED, score=score, passed=score >= 80,
        started_at=now, submitted_at=now, campaign_id=campaign_id,
        answers={q: QuizAnswer(question_id=q, chosen=["a"], correct=q not in wrong, answered_at=now)
                 for q in questions})
    asyncio.run(_with_store(path, lambda store: store.attempts.create_attempt(attempt)))
    return score


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["campaign", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def create(capsys, *extra: str) -> str:
    code, out, err = run(capsys, "create", "--tenant", TENANT, "--name", "MFA check", "--module", MODULE,
                         *extra)
    assert code == 0, err
    return out.strip()


# --- the whole path -----------------------------------------------------------------------------

def test_create_send_answer_then_status_and_results(db, capsys, tmp_path):
    register(db, ("w1", FORMULA, None), ("w2", "Brita Berg", None), ("w3", "Gone Gunnar", None))
    asyncio.run(_with_store(db, lambda store: store.workers.mark_uninstalled("w3", utcnow())))
    campaign_id = create(capsys, "--audience", "all", "--intro", "Take it this week")
    assert len(campaign_id) == 32

    code, out, _ = run(capsys, "status", campaign_id, "--format", "json")
    assert code == 0 and json.loads(out)["state"] == "scheduled" and json.loads(out)["recipients"] == 0

    assert sorted(send_due(db).sent) == ["a:conv-w1", "a:conv-w2"]
    first_question = english_content().module("en", MODULE).quiz.questions[0].id
    score = answer_quiz(db, "w1", campaign_id, wrong={first_question})
    answer_quiz(db, "w2", None, wrong=set())  # the same quiz outside the campaign: not counted

    code, out, _ = run(capsys, "status", campaign_id, "--format", "json")
    status = json.loads(out)
    assert {k: status[k] for k in ("id", "state", "recipients", "pending", "sent", "failed", "unknown",
                                   "unreachable", "answered")} == {
        "id": campaign_id, "state": "sent", "recipients": 2, "pending": 0, "sent": 2, "failed": 0,
        "unknown": 0, "unreachable": 1, "answered": 1}
    assert status["unreachable_by_reason"] == {"uninstalled": 1}

    code, out, _ = run(capsys, "results", campaign_id, "--format", "json")
    tables = json.loads(out)["tables"]
    assert tables["totals"] == [{"audience": 2, "reached": 2, "unreachable": 1, "answered": 1,
                                 "response_rate": 0.5, "passed": 1, "pass_rate": 1.0, "average_score": score}]
    assert [(w["worker_id"], w["state"], w["score"], w["passed"]) for w in tables["workers"]] == [
        ("w1", "sent", score, True), ("w2", "sent", None, None)]  # sorted by name: "=" before "B"
    assert [(m["question_id"], m["misses"]) for m in tables["most_missed"]] == [(first_question, 1)]
    assert tables["unreachable"] == [{"reason": "uninstalled", "key": "w3"}]

    out_file = tmp_path / "results.csv"
    assert run(capsys, "results", campaign_id, "--format", "csv", "--out", str(out_file))[0] == 0
    rows = list(csv.reader(io.StringIO(out_file.read_bytes().decode("utf-8-sig"))))
    header = rows.index(["Name", "Worker id", "State", "Sent (UTC)", "Answered (UTC)", "Score", "Passed",
                         "Reminders sent"])
    assert rows[header + 1][:3] == ["'" + FORMULA, "w1", "sent"]  # a spreadsheet will not run it
    assert rows[header + 1][5:7] == [str(score), "true"]

    code, out, _ = run(capsys, "results", campaign_id)
    assert code == 0 and "Brita Berg" in out and "50.0 %" in out  # the response rate

    code, out, _ = run(capsys, "list", "--format", "json")
    [listed] = json.loads(out)["campaigns"]
    assert (listed["id"], listed["title"], listed["state"], listed["audience"]) == (
        campaign_id, "MFA check", "sent", "all")


def test_no_terminal_escape_from_a_name_or_title_reaches_the_screen(db, capsys):
    hostile = "\x1b[2J\x1b]8;;https://evil.example/\x1b\\Eve\x1b]8;;\x1b\\"
    register(db, ("w1", hostile, None))
    campaign_id = create(capsys, "--audience", "all")
    code, out, err = run(capsys, "create", "--tenant", TENANT, "--name", f"Quiz {hostile}", "--module", MODULE,
                         "--audience", "all")
    assert code == 0 and "\x1b" not in err
    send_due(db)
    for argv, seen in ((["results", campaign_id], "Eve"), (["results", campaign_id, "--format", "csv"], "Eve"),
                       (["list"], "Quiz"), (["status", out.strip()], "Eve")):
        code, shown, _ = run(capsys, *argv)
        assert code == 0 and "\x1b" not in shown and seen in shown, argv


def test_cancel_stops_a_scheduled_campaign_once(db, capsys):
    register(db, ("w1", "Ann", None))
    campaign_id = create(capsys, "--audience", "all", "--at", f"{utcnow() + timedelta(days=2):%Y-%m-%d %H:%M}",
                         "--tz", "UTC")
    code, out, _ = run(capsys, "cancel", campaign_id)
    assert code == 0 and "it was scheduled" in out
    assert send_due(db).sent == []
    code, _, err = run(capsys, "cancel", campaign_id)
    assert code == 2 and err == "coach campaign: a cancelled campaign cannot become cancelled\n"
    assert json.loads(run(capsys, "status", campaign_id, "--format", "json")[1])["state"] == "cancelled"


def test_an_audience_file_of_upns_and_ids(db, capsys, tmp_path):
    register(db, ("11111111-1111-1111-1111-111111111111", "Ann", "ann@example.com"), ("w2", "Bo", "bo@example.com"),
             ("w3", "Cy", None))
    listing = tmp_path / "audience.csv"
    listing.write_text("Display name,User principal name\nAnn,ANN@example.com\nNobody,nobody@example.com\n"
                       "Ann again,ann@example.com\n", encoding="utf-8-sig")
    campaign_id = create(capsys, "--audience", f"@{listing}")
    assert send_due(db).sent == ["a:conv-11111111-1111-1111-1111-111111111111"]
    status = json.loads(run(capsys, "status", campaign_id, "--format", "json")[1])
    assert (status["audience"], status["recipients"], status["sent"], status["unreachable"]) == (
        "explicit (2)", 1, 1, 1)
    assert status["unreachable_by_reason"] == {"unknown_worker": 1}

    plain = tmp_path / "ids.txt"
    plain.write_text("w2\n\nw3\n", encoding="utf-8")
    other = create(capsys, "--audience", f"@{plain}")
    assert sorted(send_due(db).sent) == ["a:conv-w2", "a:conv-w3"]
    assert json.loads(run(capsys, "status", other, "--format", "json")[1])["sent"] == 2


# --- errors: one line, exit 2, nothing stored ------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--module", "no-such-module", "--audience", "all"], "unknown module 'no-such-module'"),
    (["--module", MODULE, "--audience", "everyone"], "bad audience 'everyone': unknown audience 'everyone'"),
    (["--module", MODULE, "--audience", "not-passed:nope"], "bad audience 'not-passed:nope': there is no module"),
    (["--module", MODULE, "--audience", "locale:"], "bad audience 'locale:': audience locale needs a value"),
    (["--module", MODULE, "--audience", "@/no/such/file.txt"], "cannot read the audience file /no/such/file.txt"),
    (["--module", MODULE, "--audience", "all", "--at", "2030-01-01 09:00", "--tz", "Mars/Olympus"],
     "unknown time zone 'Mars/Olympus'"),
    (["--module", MODULE, "--audience", "all", "--at", "2020-01-01 09:00", "--tz", "Europe/Stockholm"],
     "--at 2020-01-01 09:00 Europe/Stockholm is in the past"),
    (["--module", MODULE, "--audience", "all", "--at", "tomorrow"], "--at 'tomorrow': use \"YYYY-MM-DD HH:MM\""),
    (["--module", MODULE, "--audience", "all", "--local-time", "9am"], "--local-time '9am': use HH:MM"),
    (["--module", MODULE, "--audience", "all", "--questions", "99"], "--questions must be 1 to"),
    (["--module", MODULE, "--audience", "all", "--ends", "2020-01-01"], "--ends 2020-01-01 is before"),
    (["--module", MODULE, "--audience", "all", "--intro", "x" * 2001], "--intro: String should have at most 2000"),
    (["--module", MODULE, "--audience", "all", "--max-reminders", "11"], "--max-reminders must be 0 to 10"),
])
def test_create_refuses_what_it_cannot_do_in_one_line(db, capsys, args, message):
    code, out, err = run(capsys, "create", "--tenant", TENANT, "--name", "N", *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"coach campaign: {message}") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert json.loads(run(capsys, "list", "--format", "json")[1]) == {"campaigns": []}


def test_create_needs_a_tenant_and_unknown_ids_are_one_line(db, capsys):
    code, _, err = run(capsys, "create", "--name", "N", "--module", MODULE, "--audience", "all")
    assert code == 2 and "say --tenant" in err
    for action in (["status", "nope"], ["cancel", "nope"], ["results", "nope"]):
        code, out, err = run(capsys, *action)
        assert (code, out, err) == (2, "", "coach campaign: no campaign 'nope'\n")
    campaign_id = create(capsys, "--audience", "all")
    for fmt in ("csv", "table"):
        code, out, err = run(capsys, "results", campaign_id, "--format", fmt, "--out", "/no/such/dir/r.csv")
        assert (code, out, err) == (2, "", "coach campaign: cannot write /no/such/dir/r.csv: No such file or directory\n")


def test_every_action_has_help_and_bad_options_exit_2(db, capsys):
    for action in ([], ["create"], ["list"], ["status"], ["cancel"], ["results"]):
        with pytest.raises(SystemExit) as exited:
            main(["campaign", *action, "--help"])
        assert exited.value.code == 0
        assert "usage: coach campaign" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["campaign", "results", "x", "--format", "xlsx"])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["campaign", "create", "--name", "N", "--module", MODULE, "--audience", "all", "--ends", "soon"])
    assert exited.value.code == 2 and "is not a date" in capsys.readouterr().err


def test_the_memory_store_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("STORE", "memory")
    code, _, err = run(capsys, "list")
    assert code == 2 and "the memory store keeps nothing" in err


# --- options -> schedule, on a fixed clock ----------------------------------------------------

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # a Tuesday


def fields(**options: object) -> dict:
    request = CreateRequest(tenant=TENANT, name="N", module=MODULE, audience="all", **options)  # type: ignore[arg-type]
    return campaign_fields(request, english_content(), NOW)


def test_at_is_a_moment_in_the_named_zone_and_ends_at_the_end_of_the_day_there():
    got = fields(at="2026-12-07 09:00", tz="Europe/Stockholm", ends=date(2026, 12, 11))
    schedule = got["schedule"]
    assert schedule.mode is ScheduleMode.AT
    assert schedule.earliest_start(NOW) == datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # CET = UTC+1
    assert got["ends_at"] == datetime(2026, 12, 11, 23, 0, tzinfo=timezone.utc)


def test_now_by_default_open_two_weeks_and_within_a_minute_is_not_the_past():
    got = fields()
    assert got["schedule"].mode is ScheduleMode.NOW and got["ends_at"] == NOW + timedelta(days=14)
    assert got["reminders"].max_count == 0
    assert fields(at="2026-12-01 11:59", tz="UTC")["schedule"].earliest_start(NOW) == NOW
    with pytest.raises(CommandError, match="in the past"):
        fields(at="2026-12-01 11:58", tz="UTC")


def test_local_time_picks_the_first_day_no_worker_has_passed_yet():
    # 12:00 UTC is 02:00 on Dec 2 at UTC+14: 09:00 there has not come yet anywhere.
    schedule = fields(local_time="09:00")["schedule"]
    assert (schedule.mode, schedule.local_date) == (ScheduleMode.WORKER_LOCAL, "2026-12-02")
    assert schedule.due_for("Europe/Stockholm", NOW) == datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)
    assert schedule.due_for("America/New_York", NOW) == datetime(2026, 12, 2, 14, 0, tzinfo=timezone.utc)
    # 01:00 at UTC+14 (11:00 UTC the day before) has passed: the next day.
    assert fields(local_time="01:00")["schedule"].local_date == "2026-12-03"
    with pytest.raises(CommandError, match="in the past everywhere"):
        fields(local_time="09:00", date=date(2026, 11, 29))


def test_reminders_and_options_that_go_together():
    assert fields(remind_after_days=2.0)["reminders"].model_dump() == {"after_days": 2.0, "max_count": 1}
    assert fields(max_reminders=3)["reminders"].model_dump() == {"after_days": 3.0, "max_count": 3}
    for bad, message in [({"at": "2026-12-07 09:00", "local_time": "09:00"}, "either --at or --local-time"),
                         ({"tz": "Europe/Stockholm"}, "--tz goes with --at"),
                         ({"date": date(2026, 12, 7)}, "--date goes with --local-time"),
                         ({"remind_after_days": 0.0}, "more than 0")]:
        with pytest.raises(CommandError, match=message):
            fields(**bad)


def test_make_run_says_how_to_try_a_campaign_in_its_tenant():
    import yaml

    from bot.devserver import PLAYGROUND_CONFIG, campaign_hint

    tenant = yaml.safe_load((PLAYGROUND_CONFIG / ".m365agentsplayground.yml").read_text())["tenantId"]
    hint = campaign_hint()
    assert f"coach campaign create --tenant {tenant} --name 'MFA check' --module {MODULE} --audience all" in hint
    assert "coach campaign status ID" in hint and "coach campaign results ID" in hint
