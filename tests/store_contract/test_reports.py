"""The three reports over tests/store_contract/dataset.py, every number counted by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain.models import ExerciseMark, FeedbackCategory
from domain.reports import (
    FeedbackReport,
    MissedQuestion,
    ModuleQuizStats,
    ModuleUsage,
    QuizReport,
    ReportFilter,
    UsageReport,
    WeekUsage,
)
from bot.store.port import Store

from .dataset import load_report_dataset, nov, progress


@pytest.fixture
async def loaded(store: Store) -> Store:
    await load_report_dataset(store)
    return store


def usage(module_id: str, started: int, completed: int, rate: float, median: float | None,
          stuck: int) -> ModuleUsage:
    return ModuleUsage(module_id=module_id, started=started, completed=completed,
                       completion_rate=rate, median_minutes=median, exercises_stuck=stuck)


def weeks(*rows: tuple[str, int, int]) -> list[WeekUsage]:
    return [WeekUsage(week=w, started=s, completed=c) for w, s, c in rows]


def quiz(module_id: str, attempts: int, workers: int, pass_rate: float, average: float,
         *missed: tuple[str, int]) -> ModuleQuizStats:
    return ModuleQuizStats(module_id=module_id, attempts=attempts, workers=workers,
                           pass_rate=pass_rate, average_score=average,
                           most_missed=[MissedQuestion(question_id=q, misses=n) for q, n in missed])


async def test_empty_store_reports_nothing(store: Store) -> None:
    assert await store.reports.usage_report(ReportFilter()) == UsageReport(modules=[], weeks=[])
    assert await store.reports.quiz_report(ReportFilter()) == QuizReport(modules=[])
    assert await store.reports.feedback_report(ReportFilter()) == FeedbackReport(
        by_category={}, by_rating={}, average_rating_by_module={}, items=[])


# --- usage ----------------------------------------------------------------------------------

async def test_usage_all_time(loaded: Store) -> None:
    report = await loaded.reports.usage_report(ReportFilter())

    assert report.modules == [
        usage("onedrive", 3, 1, 0.3333, 90.0, 0),
        usage("outlook", 5, 4, 0.8, 25.0, 3),      # median of 10 20 30 40 (even count)
        usage("sharepoint", 0, 0, 0.0, None, 1),   # only stuck events
        usage("teams", 4, 3, 0.75, 15.0, 1),       # median of 5 15 60 (odd count)
    ]
    assert report.weeks == weeks(
        ("2026-W45", 1, 0), ("2026-W46", 3, 3), ("2026-W47", 5, 3), ("2026-W48", 2, 1),
        ("2026-W53", 1, 0), ("2027-W01", 0, 1))


async def test_usage_in_a_window(loaded: Store) -> None:
    flt = ReportFilter(since=date(2026, 11, 9), until=date(2026, 11, 16))

    report = await loaded.reports.usage_report(flt)

    # Cohort: P1 P2 P3 (started 11-16 23:59:59, `until` is inclusive) and T1; P5 started before.
    assert report.modules == [
        usage("outlook", 3, 3, 1.0, 20.0, 1),  # stuck: e1 at 11-09 00:00 (`since` inclusive)
        usage("teams", 1, 1, 1.0, 60.0, 0),
    ]
    # Completions count by completed_at: P5 (started outside) in W46; P3 (11-17) is outside.
    assert report.weeks == weeks(("2026-W46", 3, 3), ("2026-W47", 1, 1))


async def test_usage_by_locale(loaded: Store) -> None:
    report = await loaded.reports.usage_report(ReportFilter(locale="sv"))

    assert report.modules == [
        usage("outlook", 1, 1, 1.0, 40.0, 1),
        usage("teams", 2, 2, 1.0, 10.0, 1),    # median of 5 15
    ]
    assert report.weeks == weeks(("2026-W47", 3, 2), ("2026-W48", 0, 1))


async def test_usage_by_module(loaded: Store) -> None:
    report = await loaded.reports.usage_report(ReportFilter(module_id="teams"))

    assert report.modules == [usage("teams", 4, 3, 0.75, 15.0, 1)]
    assert report.weeks == weeks(("2026-W46", 1, 1), ("2026-W47", 3, 1), ("2026-W48", 0, 1))


async def test_usage_of_an_unknown_module_is_empty(loaded: Store) -> None:
    report = await loaded.reports.usage_report(ReportFilter(module_id="excel"))

    assert report == UsageReport(modules=[], weeks=[])


# --- quizzes --------------------------------------------------------------------------------

async def test_quizzes_all_time(loaded: Store) -> None:
    report = await loaded.reports.quiz_report(ReportFilter())

    # a5 is still in progress: neither it nor its wrong answers count.
    assert report.modules == [
        quiz("outlook", 4, 3, 0.25, 57.5, ("q4", 3), ("q1", 2), ("q2", 2)),  # q3 (2) loses the tie
        quiz("teams", 3, 3, 0.6667, 71.6667, ("t2", 2), ("t1", 1), ("t4", 1)),
    ]


async def test_quizzes_in_a_window(loaded: Store) -> None:
    flt = ReportFilter(since=date(2026, 11, 17), until=date(2026, 11, 20))

    report = await loaded.reports.quiz_report(flt)

    # a3 at 11-17 00:00 and a7 at 11-20 23:30 are inside; a8 (11-25) is not.
    assert report.modules == [
        quiz("outlook", 2, 2, 0.5, 65.0, ("q4", 2), ("q2", 1), ("q3", 1)),
        quiz("teams", 2, 2, 0.5, 62.5, ("t2", 2), ("t1", 1)),
    ]


async def test_quizzes_by_locale(loaded: Store) -> None:
    report = await loaded.reports.quiz_report(ReportFilter(locale="sv"))

    assert report.modules == [
        quiz("outlook", 1, 1, 1.0, 80.0, ("q2", 1), ("q4", 1)),
        quiz("teams", 1, 1, 0.0, 50.0, ("t1", 1), ("t2", 1)),
    ]


async def test_quizzes_by_module(loaded: Store) -> None:
    report = await loaded.reports.quiz_report(ReportFilter(module_id="outlook"))

    assert report.modules == [quiz("outlook", 4, 3, 0.25, 57.5, ("q4", 3), ("q1", 2), ("q2", 2))]


# --- feedback -------------------------------------------------------------------------------

async def test_feedback_all_time(loaded: Store) -> None:
    report = await loaded.reports.feedback_report(ReportFilter())

    assert report.by_category == {"app": 1, "content": 3, "device": 1, "other": 1, "policy": 1}
    assert report.by_rating == {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
    assert report.average_rating_by_module == {"": 4.5, "outlook": 3.6667, "teams": 2.0}
    assert [i.id for i in report.items] == ["f7", "f6", "f5", "f4", "f3", "f2", "f1"]
    assert [i.id for i in report.items if i.anonymous] == ["f5", "f3"]
    first = report.items[0]
    assert (first.module_id, first.category, first.rating, first.locale) == (
        "outlook", FeedbackCategory.CONTENT, 5, "en")


async def test_feedback_in_a_window(loaded: Store) -> None:
    flt = ReportFilter(since=date(2026, 11, 12), until=date(2026, 11, 18))

    report = await loaded.reports.feedback_report(flt)

    assert report.by_category == {"app": 1, "content": 1, "policy": 1}
    assert report.by_rating == {2: 1, 3: 1, 5: 1}
    assert report.average_rating_by_module == {"": 5.0, "outlook": 2.0, "teams": 3.0}
    assert [i.id for i in report.items] == ["f4", "f3", "f2"]  # f4 at 11-18 23:59:59


async def test_feedback_by_locale(loaded: Store) -> None:
    report = await loaded.reports.feedback_report(ReportFilter(locale="sv"))

    assert report.by_category == {"app": 1, "device": 1}
    assert report.by_rating == {1: 1, 2: 1}
    assert report.average_rating_by_module == {"outlook": 2.0, "teams": 1.0}
    assert [i.id for i in report.items] == ["f5", "f2"]


async def test_feedback_by_module(loaded: Store) -> None:
    report = await loaded.reports.feedback_report(ReportFilter(module_id="teams"))

    assert report.by_category == {"content": 1, "device": 1}
    assert report.by_rating == {1: 1, 3: 1}
    assert report.average_rating_by_module == {"teams": 2.0}
    assert [i.id for i in report.items] == ["f5", "f4"]


async def test_all_filters_together(loaded: Store) -> None:
    flt = ReportFilter(since=date(2026, 11, 10), until=date(2026, 11, 30),
                       module_id="outlook", locale="en")

    assert (await loaded.reports.usage_report(flt)).modules == [
        usage("outlook", 2, 1, 0.5, 10.0, 1)]  # P2 P4; e2
    assert (await loaded.reports.quiz_report(flt)).modules == [
        quiz("outlook", 3, 2, 0.0, 50.0, ("q1", 2), ("q3", 2), ("q4", 2))]  # a1 a2 a4
    assert [i.id for i in (await loaded.reports.feedback_report(flt)).items] == ["f7"]


async def test_usage_counts_the_exercises_done_and_skipped_of_the_cohort(store: Store) -> None:
    done, skipped = ExerciseMark.DONE, ExerciseMark.SKIPPED
    for worker_id, module_id, locale, started, marks in [
            ("w1", "outlook", "en", nov(3), {1: done, 3: skipped}),
            ("w2", "outlook", "sv", nov(10), {1: done, 3: done, 5: skipped}),
            ("w3", "teams", "en", nov(10), {2: skipped}),
            ("w4", "teams", "en", nov(11), {})]:
        await store.progress.save_progress(progress(worker_id, module_id, locale=locale, started_at=started,
                                                    exercises=marks), None)
    stored = await store.progress.get_progress("w1", "outlook")
    assert stored.exercises == {1: done, 3: skipped}  # kept as written, on every backend

    def marks(report) -> dict[str, tuple[int, int]]:
        return {m.module_id: (m.exercises_done, m.exercises_skipped) for m in report.modules}

    assert marks(await store.reports.usage_report(ReportFilter())) == {"outlook": (3, 2), "teams": (0, 1)}
    window = ReportFilter(since=date(2026, 11, 9))
    assert marks(await store.reports.usage_report(window)) == {"outlook": (2, 1), "teams": (0, 1)}
    assert marks(await store.reports.usage_report(ReportFilter(locale="en"))) == {"outlook": (1, 1), "teams": (0, 1)}

    # Back to a skipped exercise and done after all: it moves from skipped to done.
    stored.exercises[3] = done
    await store.progress.save_progress(stored, stored.version)
    assert marks(await store.reports.usage_report(ReportFilter(module_id="outlook"))) == {"outlook": (4, 1)}
