"""A generated dataset (seeded, so every backend gets the same one) for comparing reports
across backends: five weeks over the turn of an ISO year, odd ids, every status and kind."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from domain.models import (
    EventKind,
    Feedback,
    FeedbackCategory,
    ModuleProgress,
    ProgressStatus,
    QuizAnswer,
    QuizAttempt,
    UsageEvent,
)
from domain.reports import ReportFilter
from bot.store.port import Store

START = datetime(2026, 12, 14, tzinfo=UTC)
MODULES = ["outlook", "teams", "onedrive", "sharepoint", "mfa/reset#1"]
LOCALES = ["en", "sv", "nl"]
WORKERS = [f"w{i:02d}" for i in range(30)] + ["29:odd/id?#%"]
QUESTIONS = [f"q{i}" for i in range(1, 7)]

FILTERS = [
    ReportFilter(),
    ReportFilter(since=date(2026, 12, 20), until=date(2027, 1, 3)),
    ReportFilter(since=date(2027, 1, 1)),
    ReportFilter(until=date(2026, 12, 24)),
    ReportFilter(module_id="outlook"),
    ReportFilter(module_id="mfa/reset#1", locale="sv"),
    ReportFilter(module_id="excel"),
    ReportFilter(locale="nl"),
    ReportFilter(since=date(2026, 12, 21), until=date(2026, 12, 27), module_id="teams",
                 locale="en"),
]


def _moment(rng: random.Random, days: int = 35) -> datetime:
    return START + timedelta(minutes=rng.randrange(days * 24 * 60), seconds=rng.randrange(60),
                             microseconds=rng.randrange(1_000_000))


async def load_generated_dataset(store: Store, seed: int) -> None:
    rng = random.Random(seed)
    for worker_id in WORKERS:
        for module_id in rng.sample(MODULES, rng.randint(0, 4)):
            await _progress(store, rng, worker_id, module_id)
    for n in range(150):
        await store.events.record_event(_event(rng, f"e{n}"))
    for n in range(60):
        await _attempt(store, rng, f"a{n}")
    for n in range(40):
        worker_id = rng.choice(WORKERS + [None])  # type: ignore[list-item]
        await store.feedback.add_feedback(Feedback(
            id=f"f{n}", worker_id=worker_id, module_id=rng.choice(MODULES + [None]),  # type: ignore[list-item]
            rating=rng.randint(1, 5), category=rng.choice(list(FeedbackCategory)),
            text=f"text {n}", locale=rng.choice(LOCALES), created_at=_moment(rng)))


async def apply_changes(store: Store, seed: int) -> None:
    """Reopen and move some progress, delete three workers, purge old events, add more."""
    rng = random.Random(seed + 1)
    for worker_id in rng.sample(WORKERS, 8):
        for current in await store.progress.list_progress(worker_id):
            changed = current.model_copy(update={
                "status": ProgressStatus.IN_PROGRESS, "completed_at": None,
                "minutes_to_complete": None, "locale": rng.choice(LOCALES)})
            await store.progress.save_progress(changed, current.version)
    for worker_id in ("w03", "w07", "29:odd/id?#%"):
        await store.privacy.delete_worker_data(worker_id)
    await store.events.purge_events_before(START + timedelta(days=9, hours=7))
    for n in range(150, 170):
        await store.events.record_event(_event(rng, f"e{n}"))
    for n in range(60, 70):
        await _attempt(store, rng, f"a{n}")


async def _progress(store: Store, rng: random.Random, worker_id: str, module_id: str) -> None:
    started = _moment(rng)
    saved = await store.progress.save_progress(ModuleProgress(
        worker_id=worker_id, module_id=module_id, locale=rng.choice(LOCALES),
        status=rng.choice([ProgressStatus.IN_PROGRESS, ProgressStatus.NOT_STARTED]),
        started_at=started, updated_at=started), None)
    if rng.random() < 0.6:
        minutes = rng.choice([None, 3, 7, 7, 12, 25, 40, 61])
        completed = started + timedelta(minutes=minutes or 5, hours=rng.choice([0, 0, 30, 200]))
        await store.progress.save_progress(saved.model_copy(update={
            "status": ProgressStatus.DONE, "completed_at": completed, "updated_at": completed,
            "minutes_to_complete": minutes, "step_index": 4}), saved.version)


def _event(rng: random.Random, event_id: str) -> UsageEvent:
    kind = rng.choice([EventKind.EXERCISE_STUCK] * 3 + list(EventKind))
    return UsageEvent(id=event_id, kind=kind, worker_id=rng.choice(WORKERS + [None]),  # type: ignore[list-item]
                      module_id=rng.choice(MODULES + [None]), locale=rng.choice(LOCALES),  # type: ignore[list-item]
                      at=_moment(rng), step_index=rng.randint(0, 5))


async def _attempt(store: Store, rng: random.Random, attempt_id: str) -> None:
    worker_id, module_id = rng.choice(WORKERS), rng.choice(MODULES)
    questions = rng.sample(QUESTIONS, rng.randint(2, 5))
    await store.attempts.create_attempt(QuizAttempt(
        id=attempt_id, worker_id=worker_id, module_id=module_id, locale=rng.choice(LOCALES),
        seed=rng.randrange(1000), question_ids=questions, started_at=_moment(rng, 30)))
    right = 0
    for question_id in rng.sample(questions, rng.randint(0, len(questions))):
        correct = rng.random() < 0.55
        right += correct
        await store.attempts.record_answer(worker_id, attempt_id, QuizAnswer(
            question_id=question_id, chosen=[rng.choice("abcd")], correct=correct,
            answered_at=_moment(rng)))
    if rng.random() < 0.8:
        score = 100.0 * right / len(questions)
        await store.attempts.submit_attempt(worker_id, attempt_id, score, score >= 70,
                                            _moment(rng))
