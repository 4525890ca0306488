"""A small dataset for the dashboard, with real module and question ids from content/ and
worker-typed text that must show literally (names, feedback). Counted by hand in the module
docstring of tests/store_contract/test_dashboard.py. All in November 2026."""

from __future__ import annotations

from datetime import date

from domain.models import EventKind, FeedbackCategory, FeedbackStatus, ProgressStatus, QuizAnswer, UsageEvent
from domain.reports import ReportFilter
from bot.store.port import Store
from store_contract.dataset import attempt, feedback, nov, progress, worker

NOVEMBER = ReportFilter(since=date(2026, 11, 1), until=date(2026, 11, 30))
EVIL_NAME = "Björn <script>alert(1)</script>"
EVIL_LINK = "[click](https://evil.example)"
EVIL_SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(2)>"
FORMULA = "=HYPERLINK(\"https://evil.example\")"

WORKERS = [
    worker("w1", name="Ana Berg"),
    worker("w2", name=EVIL_NAME, teams_locale="sv-SE"),
    worker("w3", name="Chris", teams_locale="nl-NL", language="en"),
    worker("w4", name=FORMULA, installed=False),
    worker("w5", name="Eli", created_at=nov(20), updated_at=nov(20)),
]
DONE, GOING = ProgressStatus.DONE, ProgressStatus.IN_PROGRESS
PROGRESS = [  # worker, module, locale, status, started, completed
    ("w1", "outlook", "en", DONE, nov(3), nov(4)),
    ("w1", "teams", "en", GOING, nov(5), None),
    ("w2", "outlook", "sv", DONE, nov(10), nov(12)),
    ("w3", "teams", "en", GOING, nov(11), None),
    ("w5", "outlook", "en", GOING, nov(21), None),
]
STUCK = [("w1", "outlook", 1), ("w2", "outlook", 1), ("w5", "outlook", 1), ("w1", "outlook", 3),
         ("w3", "teams", 0), ("w1", "teams", 0)]
ATTEMPTS = [  # id, worker, module, locale, {question: (correct, chosen)}, (submitted, score, passed)
    ("a1", "w1", "outlook", "en", {"q1": (False, ["c"]), "q2": (False, ["a"]), "q3": (True, ["a", "b"])},
     (nov(4, 13), 40.0, False)),
    ("a2", "w1", "outlook", "en", {"q1": (True, ["a"])}, (nov(6), 100.0, True)),
    ("a3", "w2", "outlook", "sv", {"q1": (False, ["d"])}, (nov(12, 13), 80.0, True)),
    ("a4", "w5", "outlook", "en", {"q1": (False, ["c"]), "q2": (False, ["c"])}, (nov(22), 20.0, False)),
    ("a5", "w3", "teams", "en", {"q1": (True, ["a"])}, (nov(12), 90.0, True)),
]
FEEDBACK = [
    feedback("f1", "w2", "outlook", 2, FeedbackCategory.CONTENT, "sv", nov(13), text=EVIL_LINK),
    feedback("f2", None, None, 1, FeedbackCategory.APP, "en", nov(14), text=EVIL_SCRIPT),
    feedback("f3", "w1", "teams", 5, FeedbackCategory.OTHER, "en", nov(15), text="Great"),
]


async def seed_dashboard(store: Store) -> None:
    for w in WORKERS:
        await store.workers.register_worker(w)
        if not w.installed:
            await store.workers.mark_uninstalled(w.id, nov(2))
        await store.events.record_event(UsageEvent(id=f"i-{w.id}", kind=EventKind.INSTALLED, worker_id=w.id,
                                                   at=w.created_at))
    for worker_id, module_id, locale, status, started, completed in PROGRESS:
        await store.progress.save_progress(progress(
            worker_id, module_id, locale=locale, status=status, started_at=started,
            updated_at=completed or started, completed_at=completed,
            minutes_to_complete=30 if completed else None), None)
    for n, (worker_id, module_id, step) in enumerate(STUCK):
        await store.events.record_event(UsageEvent(
            id=f"s{n}", kind=EventKind.EXERCISE_STUCK, worker_id=worker_id, module_id=module_id,
            step_index=step, at=nov(15, 10, n)))
    for attempt_id, worker_id, module_id, locale, answers, (when, score, passed) in ATTEMPTS:
        await store.attempts.create_attempt(attempt(attempt_id, worker_id, module_id, locale=locale,
                                                    question_ids=list(answers), started_at=when))
        for question_id, (correct, chosen) in answers.items():
            await store.attempts.record_answer(worker_id, attempt_id, QuizAnswer(
                question_id=question_id, chosen=chosen, correct=correct, answered_at=when))
        assert (await store.attempts.submit_attempt(worker_id, attempt_id, score, passed, when)).written
    for item in FEEDBACK:
        if item.id == "f3":
            item = item.model_copy(update={"status": FeedbackStatus.DONE})
        assert await store.feedback.add_feedback(item)
