"""Admin report shapes and their definitions. Every store computes these same numbers.

Definitions (all dates are UTC calendar days; `since` and `until` are inclusive):
- usage: a module's cohort is the progress records whose `started_at` falls in the window
  (and whose `locale` matches, when filtered). `started` = cohort size; `completed` = cohort
  members whose status is done; `completion_rate` = completed / started (0 when none);
  `median_minutes` = median of the completed members' `minutes_to_complete` (mean of the two
  middle values for an even count; None when none); `exercises_stuck` = exercise_stuck usage
  events in the window. Weekly trend: ISO weeks (`2026-W47`), started by `started_at` and
  completed by `completed_at`, both inside the window.
- quizzes: submitted attempts whose `submitted_at` is in the window. `workers` = distinct
  workers; `pass_rate` = passed / attempts; `average_score` = mean score (0..100);
  `most_missed` = the three question ids answered wrongly most often (ties: question id order).
- feedback: items whose `created_at` is in the window; counts by category and by rating,
  average rating per module (items without a module count under ""), items newest first.
Rates and averages are rounded to 4 decimals so every backend prints the same value.
The reports are computed once, in domain/report_rules.py, from fact queries every store
answers (domain/report_facts.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel, ConfigDict

from .models import FeedbackCategory, FeedbackStatus


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportFilter(ReportModel):
    since: date | None = None
    until: date | None = None
    module_id: str | None = None
    locale: str | None = None

    def start(self) -> datetime | None:
        return datetime.combine(self.since, time.min, timezone.utc) if self.since else None

    def end(self) -> datetime | None:
        """Exclusive upper bound: the start of the day after `until`."""
        if not self.until:
            return None
        return datetime.combine(self.until + timedelta(days=1), time.min, timezone.utc)


class ModuleUsage(ReportModel):
    module_id: str
    started: int
    completed: int
    completion_rate: float
    median_minutes: float | None
    exercises_stuck: int


class WeekUsage(ReportModel):
    week: str
    started: int
    completed: int


class UsageReport(ReportModel):
    modules: list[ModuleUsage]
    weeks: list[WeekUsage]


class MissedQuestion(ReportModel):
    question_id: str
    misses: int


class ModuleQuizStats(ReportModel):
    module_id: str
    attempts: int
    workers: int
    pass_rate: float
    average_score: float
    most_missed: list[MissedQuestion]


class QuizReport(ReportModel):
    modules: list[ModuleQuizStats]


class FeedbackItem(ReportModel):
    id: str
    created_at: datetime
    module_id: str | None
    category: FeedbackCategory
    rating: int
    status: FeedbackStatus
    locale: str
    anonymous: bool
    text: str


class FeedbackReport(ReportModel):
    by_category: dict[str, int]
    by_rating: dict[int, int]
    average_rating_by_module: dict[str, float]
    items: list[FeedbackItem]


def iso_week(day: date) -> str:
    """`2026-W47`: the ISO week of a day (or of a datetime's own calendar day)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0
