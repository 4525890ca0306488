"""`coach report`: numbers checked by hand on a small SQLite dataset, CSV read back, JSON
stable, and clear errors for bad options."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.cli import main
from domain.models import (
    EventKind, Feedback, FeedbackCategory, ModuleProgress, ProgressStatus, QuizAnswer, QuizAttempt, UsageEvent,
)
from bot.store.sqlite import SqliteStore
from chat import real_catalog

PR, TEAMS = "password-reset", "teams"
WINDOW = ["--since", "2026-11-01", "--until", "2026-11-30"]


def day(month: int, day_: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day_, hour, tzinfo=timezone.utc)


def progress(worker: str, module: str, started: datetime, done: datetime | None = None,
             minutes: int | None = None, locale: str = "en") -> ModuleProgress:
    return ModuleProgress(worker_id=worker, module_id=module, started_at=started, updated_at=done or started,
                          status=ProgressStatus.DONE if done else ProgressStatus.IN_PROGRESS,
                          completed_at=done, minutes_to_complete=minutes, locale=locale)


def attempt(attempt_id: str, worker: str, module: str, right: dict[str, bool]) -> QuizAttempt:
    return QuizAttempt(id=attempt_id, worker_id=worker, module_id=module, locale="en", seed=1,
                       question_ids=list(right), started_at=day(10, 1),
                       answers={q: QuizAnswer(question_id=q, chosen=["a"], correct=ok, answered_at=day(10, 1))
                                for q, ok in right.items()})


async def build(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    for record in [
        progress("w1", PR, day(11, 2), day(11, 3), 10), progress("w2", PR, day(11, 3), day(11, 10), 20),
        progress("w3", PR, day(11, 4)), progress("w4", PR, day(11, 10), day(11, 10, 18), 40),
        progress("w1", TEAMS, day(11, 9), day(11, 16), 5), progress("w2", TEAMS, day(11, 10), day(11, 10, 11), 7),
        progress("w5", PR, day(10, 20), day(10, 21), 3),  # before the window
    ]:
        await store.progress.save_progress(record, None)
    for n, (module, at) in enumerate([(PR, day(11, 2)), (PR, day(11, 5)), (PR, day(11, 10)),
                                      (PR, day(10, 20)), (TEAMS, day(11, 9))]):
        await store.events.record_event(UsageEvent(id=f"stuck-{n}", kind=EventKind.EXERCISE_STUCK,
                                                   worker_id="w1", module_id=module, step_index=1, at=at))
    for record, submitted, score, passed in [
        (attempt("a1", "w1", PR, {"q1": False, "q2": True, "q3": False}), day(11, 3), 33.3, False),
        (attempt("a2", "w1", PR, {"q1": False, "q2": True, "q3": True}), day(11, 5), 66.7, False),
        (attempt("a3", "w2", PR, {"q1": True, "q2": True, "q3": True}), day(11, 6), 100.0, True),
        (attempt("a4", "w3", PR, {"q1": False}), None, 0, False),  # never submitted
        (attempt("a5", "w4", PR, {"q2": False}), day(10, 25), 0.0, False),  # before the window
        (attempt("a6", "w1", TEAMS, {"q1": False, "q2": False, "q3": True}), day(11, 12), 33.3, False),
    ]:
        await store.attempts.create_attempt(record)
        if submitted:
            await store.attempts.submit_attempt(record.worker_id, record.id, score, passed, submitted)
    for item in [
        Feedback(id="f1", worker_id="w1", module_id=PR, rating=5, category=FeedbackCategory.CONTENT,
                 text="Clear steps.", created_at=day(11, 2)),
        Feedback(id="f2", worker_id=None, module_id=PR, rating=3, category=FeedbackCategory.POLICY,
                 text="Blocked at home.", created_at=day(11, 4)),
        Feedback(id="f3", worker_id="w2", rating=4, category=FeedbackCategory.APP, text="=SUM(A1)",
                 created_at=day(11, 7)),
        Feedback(id="f4", worker_id="w3", module_id=TEAMS, rating=1, category=FeedbackCategory.DEVICE,
                 text="Åsa's laptop, \"quoted\", ÄÖ 🚀\nsecond line", created_at=day(11, 8), locale="sv"),
        Feedback(id="f5", worker_id="w3", rating=2, category=FeedbackCategory.OTHER, created_at=day(10, 1)),
    ]:
        await store.feedback.add_feedback(item)
    await store.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "coach.db"
    asyncio.run(build(path))
    return path


def run_json(db: Path, tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "report.json"
    assert main(["report", *args, "--db", str(db), "--format", "json", "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def title(module_id: str) -> str:
    return real_catalog().module("en", module_id).title


def question(module_id: str, question_id: str) -> str:
    return real_catalog().module("en", module_id).question(question_id).text


def test_usage_numbers(db: Path, tmp_path: Path) -> None:
    report = run_json(db, tmp_path, "usage", *WINDOW)

    assert report["tables"]["modules"] == [
        {"module_id": PR, "module": title(PR), "started": 4, "completed": 3, "completion_rate": 0.75,
         "median_minutes": 20.0, "exercises_stuck": 3},
        {"module_id": TEAMS, "module": title(TEAMS), "started": 2, "completed": 2, "completion_rate": 1.0,
         "median_minutes": 6.0, "exercises_stuck": 1},
    ]
    assert report["tables"]["weeks"] == [
        {"week": "2026-W45", "started": 3, "completed": 1},
        {"week": "2026-W46", "started": 3, "completed": 3},
        {"week": "2026-W47", "started": 0, "completed": 1},
    ]


def test_usage_filtered_by_module(db: Path, tmp_path: Path) -> None:
    report = run_json(db, tmp_path, "usage", "--module", TEAMS)

    assert [(m["module_id"], m["started"]) for m in report["tables"]["modules"]] == [(TEAMS, 2)]
    assert report["filter"] == {"since": None, "until": None, "module_id": TEAMS, "locale": None}


def test_quiz_numbers_and_most_missed_in_english(db: Path, tmp_path: Path) -> None:
    report = run_json(db, tmp_path, "quizzes", *WINDOW)

    assert report["tables"]["modules"] == [
        {"module_id": PR, "module": title(PR), "attempts": 3, "workers": 2, "pass_rate": 0.3333,
         "average_score": 66.6667},
        {"module_id": TEAMS, "module": title(TEAMS), "attempts": 1, "workers": 1, "pass_rate": 0.0,
         "average_score": 33.3},
    ]
    missed = [(m["module_id"], m["rank"], m["question_id"], m["misses"], m["question"])
              for m in report["tables"]["most_missed"]]
    assert missed == [
        (PR, 1, "q1", 2, question(PR, "q1")), (PR, 2, "q3", 1, question(PR, "q3")),
        (TEAMS, 1, "q1", 1, question(TEAMS, "q1")), (TEAMS, 2, "q2", 1, question(TEAMS, "q2")),
    ]


def test_feedback_numbers_and_items_newest_first(db: Path, tmp_path: Path) -> None:
    report = run_json(db, tmp_path, "feedback", *WINDOW)
    tables = report["tables"]

    assert tables["by_category"] == [{"category": c, "count": 1} for c in ("app", "content", "device", "policy")]
    assert tables["by_rating"] == [{"rating": r, "count": 1} for r in (1, 3, 4, 5)]
    assert tables["by_module"] == [
        {"module_id": "", "module": "(no module)", "average_rating": 4.0},
        {"module_id": PR, "module": title(PR), "average_rating": 4.0},
        {"module_id": TEAMS, "module": title(TEAMS), "average_rating": 1.0},
    ]
    assert [i["id"] for i in tables["items"]] == ["f4", "f3", "f2", "f1"]
    assert tables["items"][2]["anonymous"] is True and tables["items"][2]["status"] == "new"
    assert tables["items"][0]["created_at"] == "2026-11-08T10:00:00Z"


def test_locale_filter(db: Path, tmp_path: Path) -> None:
    report = run_json(db, tmp_path, "feedback", "--locale", "sv")

    assert [i["id"] for i in report["tables"]["items"]] == ["f4"]


def test_json_is_stable_and_sorted(db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture) -> None:
    outputs = []
    for _ in range(2):
        assert main(["report", "quizzes", "--db", str(db), "--format", "json"]) == 0
        outputs.append(capsysbinary.readouterr().out)

    assert outputs[0] == outputs[1]
    parsed = json.loads(outputs[0])
    assert outputs[0].decode() == json.dumps(parsed, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_csv_has_a_bom_and_reads_back(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "feedback.csv"
    assert main(["report", "feedback", *WINDOW, "--db", str(db), "--format", "csv", "--out", str(out)]) == 0

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    sections, current = {}, []
    for row in rows:
        if not row:
            sections[current[0][0]] = current[1:]
            current = []
        else:
            current.append(row)
    assert list(sections) == ["Feedback by category", "Feedback by rating", "Average rating per module",
                              "Feedback, newest first"]
    assert sections["Feedback by category"] == [["Category", "Count"], ["app", "1"], ["content", "1"],
                                                ["device", "1"], ["policy", "1"]]
    header, *items = sections["Feedback, newest first"]
    first = dict(zip(header, items[0]))
    assert first["Text"] == "Åsa's laptop, \"quoted\", ÄÖ 🚀\nsecond line"
    assert first["Created (UTC)"] == "2026-11-08T10:00:00Z" and first["Module"] == title(TEAMS)
    assert dict(zip(header, items[1]))["Text"] == "'=SUM(A1)"  # not run as a formula by Excel


def test_csv_of_usage_has_both_tables(db: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture) -> None:
    assert main(["report", "usage", *WINDOW, "--db", str(db), "--format", "csv"]) == 0

    text = capsysbinary.readouterr().out.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert ["Usage per module"] in rows and ["Weekly trend"] in rows
    assert [PR, title(PR), "4", "3", "0.75", "20.0", "3"] in rows


def test_table_format_prints_titles(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    assert main(["report", "quizzes", "--db", str(db), "--out", str(out)]) == 0

    text = out.read_text(encoding="utf-8")
    assert "Quizzes per module" in text and title(PR) in text and "25.0 %" in text  # 1 of 4 passed
    assert "Most missed questions per module" in text


@pytest.mark.parametrize("args", [
    ["--since", "2026-13-01"], ["--until", "yesterday"], ["--since", "2026/11/01"], ["--since", "20261101"],
])
def test_bad_dates_exit_2_with_a_clear_message(db: Path, args: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "usage", "--db", str(db), *args])

    assert exit_.value.code == 2
    assert "use YYYY-MM-DD" in capsys.readouterr().err


def test_since_after_until_exits_2(db: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "usage", "--db", str(db), "--since", "2026-11-30", "--until", "2026-11-01"])

    assert exit_.value.code == 2
    assert "is after --until" in capsys.readouterr().err


def test_a_missing_database_is_an_error_not_an_empty_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nowhere.db"

    assert main(["report", "usage", "--db", str(missing)]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not missing.exists()
