"""Record builders and the small fixed dataset the report tests count by hand.

Weeks (ISO): 2026-11-02 = W45 Mon, 11-09 = W46 Mon, 11-16 = W47 Mon, 11-23 = W48 Mon,
2026-12-31 = 2026-W53 Thu, 2027-01-04 = 2027-W01 Mon.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from domain.models import (
    EventKind,
    Feedback,
    FeedbackCategory,
    ModuleProgress,
    ProgressStatus,
    QuizAnswer,
    QuizAttempt,
    UsageEvent,
    Worker,
)
from bot.store.port import Store
from domain.usage_records import DirectoryEntry, UsageRecord


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


def nov(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return at(2026, 11, day, hour, minute, second)


def worker(worker_id: str, **fields: object) -> Worker:
    values: dict[str, object] = dict(tenant_id="t1", name=f"Name {worker_id}", teams_locale="en-US",
                                     created_at=nov(1), updated_at=nov(1))
    values.update(fields)
    return Worker(id=worker_id, **values)  # type: ignore[arg-type]


def progress(worker_id: str, module_id: str, **fields: object) -> ModuleProgress:
    return ModuleProgress(worker_id=worker_id, module_id=module_id, **fields)  # type: ignore[arg-type]


def attempt(attempt_id: str, worker_id: str, module_id: str = "outlook", **fields: object) -> QuizAttempt:
    values: dict[str, object] = dict(locale="en", seed=7, question_ids=["q1", "q2", "q3", "q4", "q5"],
                                     started_at=nov(2))
    values.update(fields)
    return QuizAttempt(id=attempt_id, worker_id=worker_id, module_id=module_id, **values)  # type: ignore[arg-type]


def answer(question_id: str, correct: bool, chosen: str = "a", when: datetime | None = None) -> QuizAnswer:
    return QuizAnswer(question_id=question_id, chosen=[chosen], correct=correct,
                      answered_at=when or nov(2, 13))


def stuck(event_id: str, module_id: str | None, locale: str, when: datetime,
          worker_id: str | None = "w9", kind: EventKind = EventKind.EXERCISE_STUCK) -> UsageEvent:
    return UsageEvent(id=event_id, kind=kind, worker_id=worker_id, module_id=module_id,
                      step_index=1, locale=locale, at=when)


def feedback(feedback_id: str, worker_id: str | None, module_id: str | None, rating: int,
             category: FeedbackCategory, locale: str, when: datetime, text: str = "") -> Feedback:
    return Feedback(id=feedback_id, worker_id=worker_id, module_id=module_id, rating=rating,
                    category=category, locale=locale, created_at=when, text=text)


DONE, IN_PROGRESS = ProgressStatus.DONE, ProgressStatus.IN_PROGRESS

# (worker, module, locale, status, started_at, completed_at, minutes)
PROGRESS = [
    ("w1", "outlook", "en", DONE, nov(9, 9), nov(9, 9, 20), 20),                  # P1
    ("w2", "outlook", "en", DONE, nov(10, 10), nov(16, 8), 10),                   # P2
    ("w3", "outlook", "sv", DONE, nov(16, 23, 59, 59), nov(17, 1), 40),          # P3
    ("w4", "outlook", "en", IN_PROGRESS, nov(17, 12), None, None),                # P4
    ("w5", "outlook", "en", DONE, nov(2, 8), nov(10, 8), 30),                     # P5
    ("w1", "teams", "en", DONE, nov(11, 8), nov(11, 9), 60),                      # T1
    ("w2", "teams", "sv", DONE, nov(18, 8), nov(18, 9), 15),                      # T2
    ("w3", "teams", "sv", DONE, nov(19, 8), nov(23, 9), 5),                       # T3
    ("w6", "teams", "en", IN_PROGRESS, nov(20, 8), None, None),                   # T4
    ("w1", "onedrive", "nl", IN_PROGRESS, nov(25, 8), None, None),                # O1
    ("w2", "onedrive", "nl", ProgressStatus.NOT_STARTED, nov(26, 8), None, None), # O2
    ("w7", "onedrive", "en", DONE, at(2026, 12, 31, 10), at(2027, 1, 4, 9), 90),  # Y1
]

EVENTS = [
    stuck("e1", "outlook", "en", nov(9, 0), worker_id="w1"),
    stuck("e2", "outlook", "en", nov(17, 10)),
    stuck("e3", "outlook", "sv", nov(17, 11)),
    stuck("e4", "teams", "sv", nov(18, 10)),
    stuck("e5", "sharepoint", "en", nov(20, 10)),
    stuck("e6", "outlook", "en", nov(10, 10), kind=EventKind.STEP_VIEWED),
    stuck("e7", None, "en", nov(10, 11)),
]

# (attempt, worker, module, locale, {question: correct}, submitted (at, score, passed) or None)
ATTEMPTS = [
    ("a1", "w1", "outlook", "en", {"q1": False, "q2": True, "q3": False}, (nov(10), 40.0, False)),
    ("a2", "w1", "outlook", "en", {"q1": False, "q2": False, "q3": True, "q4": False},
     (nov(12), 60.0, False)),
    ("a3", "w2", "outlook", "sv", {"q1": True, "q2": False, "q3": True, "q4": False},
     (nov(17, 0, 0), 80.0, True)),
    ("a4", "w3", "outlook", "en", {"q3": False, "q4": False}, (nov(18), 50.0, False)),
    ("a5", "w4", "outlook", "en", {"q1": False, "q5": False}, None),
    ("a6", "w2", "teams", "sv", {"t1": False, "t2": False}, (nov(20), 50.0, False)),
    ("a7", "w5", "teams", "en", {"t2": False, "t1": True, "t3": True}, (nov(20, 23, 30), 75.0, True)),
    ("a8", "w6", "teams", "en", {"t4": False}, (nov(25), 90.0, True)),
]

C = FeedbackCategory
FEEDBACK = [
    feedback("f1", "w1", "outlook", 4, C.CONTENT, "en", nov(9, 8)),
    feedback("f2", "w2", "outlook", 2, C.APP, "sv", nov(12, 9)),
    feedback("f3", None, None, 5, C.POLICY, "en", nov(12, 12)),
    feedback("f4", "w3", "teams", 3, C.CONTENT, "en", nov(18, 23, 59, 59)),
    feedback("f5", None, "teams", 1, C.DEVICE, "sv", nov(20)),
    feedback("f6", "w1", None, 4, C.OTHER, "en", nov(25)),
    feedback("f7", "w4", "outlook", 5, C.CONTENT, "en", nov(26)),
]


async def load_report_dataset(store: Store) -> None:
    """Writes the dataset above through the port, as the bot would."""
    for worker_id, module_id, locale, status, started, completed, minutes in PROGRESS:
        await store.progress.save_progress(progress(
            worker_id, module_id, locale=locale, status=status, started_at=started,
            updated_at=completed or started, completed_at=completed,
            minutes_to_complete=minutes), None)
    for event in EVENTS:
        assert await store.events.record_event(event)
    for attempt_id, worker_id, module_id, locale, answers, submitted in ATTEMPTS:
        await store.attempts.create_attempt(attempt(
            attempt_id, worker_id, module_id, locale=locale, question_ids=list(answers)))
        for question_id, correct in answers.items():
            assert (await store.attempts.record_answer(worker_id, attempt_id,
                                                       answer(question_id, correct))).written
        if submitted:
            when, score, passed = submitted
            assert (await store.attempts.submit_attempt(
                worker_id, attempt_id, score, passed, when)).written
    for item in FEEDBACK:
        assert await store.feedback.add_feedback(item)
    await load_usage_dataset(store)


DIRECTORY = [
    DirectoryEntry("w1", "w1@contoso.example", "Name w1", "Sales", "SE", "Malmö", "sv-SE"),
    DirectoryEntry("w2", "w2@contoso.example", "Name w2", "HR", "NL", "Utrecht", "nl-NL"),
]


def usage_row(day: date, workload: str, upn: str, last: date | None = None, **metrics: int) -> UsageRecord:
    return UsageRecord(day, workload, upn, last, 30, metrics)


USAGE = [
    usage_row(date(2026, 11, 28), "teams", "w1@contoso.example", date(2026, 11, 27), team_chat_messages=3),
    usage_row(date(2026, 11, 28), "email", "w1@contoso.example", None, sent=0),
    usage_row(date(2026, 11, 28), "teams", "w2@contoso.example", date(2026, 11, 20), meetings=2),
]


async def load_usage_dataset(store: Store) -> None:
    """Directory entries and usage rows of w1 and w2."""
    await store.directory.save_users(DIRECTORY)
    await store.usage.save_rows(USAGE)


async def triage_dataset_items(store: Store) -> None:
    """A reply on f1 (w1) and f2 (w2), a note on anonymous f3: the triage aggregate holds both."""
    from domain.triage import TriageChange, apply_change

    for feedback_id, change in (("f1", TriageChange(reply="Thanks, fixed")),
                                ("f2", TriageChange(reply="We will look")),
                                ("f3", TriageChange(note="Policy team"))):
        item = await store.triage.get_item(feedback_id)
        assert item is not None
        await store.triage.save_triage(apply_change(item.triage, change, "admin-1", nov(27)),
                                       item.triage.version)
