"""The dashboard's figures beyond the admin reports (domain/reports.py), from small fact
queries every store answers (`store.dashboard`), and the rules that combine them.

Definitions (the ReportFilter's UTC days inclusive, module, language):
- installed: workers with the app installed now, registered before the window ends.
- active: distinct workers with a usage event in the window; without a start date, the 30
  days before its end (or today).
- trained: distinct workers who completed a module in the window.
- open feedback: feedback in status `new` created in the window.
- quiz passed (funnel): distinct workers with a passed submitted attempt in the window.
- stuck steps: exercise_stuck events in the window per (module, step).
- first-attempt pass rate: per module, of the workers whose first submitted attempt ever falls
  in the window, the share that passed it.
- a worker's language: the one they chose, else their Teams locale's (sv-SE -> sv), else en.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple, Protocol

from pydantic import Field

from .reports import ReportFilter, ReportModel, ratio

ACTIVE_DAYS = 30
LANGUAGES = ("en", "sv", "nl")


def worker_language(chosen: str | None, teams_locale: str | None) -> str:
    """Mirrors bot.i18n.language_for, which domain/ may not import."""
    if chosen in LANGUAGES:
        return chosen
    prefix = (teams_locale or "").split("-")[0].split("_")[0].lower()
    return prefix if prefix in LANGUAGES else "en"


def active_window(flt: ReportFilter, today: date) -> ReportFilter:
    """The filter for `active`: the given window, or the ACTIVE_DAYS before its end."""
    if flt.since is not None:
        return flt
    until = flt.until or today
    return flt.model_copy(update={"since": until - timedelta(days=ACTIVE_DAYS - 1), "until": until})


class WorkerQuery(ReportModel):
    search: str | None = Field(default=None, max_length=100)  # part of the name, any case
    not_trained: bool = False  # only workers with no completed module (in the window)
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=100_000)


class Counts(NamedTuple):
    installed: int
    active: int
    trained: int
    open_feedback: int


class StuckStep(NamedTuple):
    module_id: str
    step_index: int
    count: int


class FirstAttempts(NamedTuple):
    module_id: str
    workers: int
    passed: int


class WrongChoice(NamedTuple):
    """Wrong answers to one question that chose exactly this set of options."""

    module_id: str
    question_id: str
    options: tuple[str, ...]
    count: int


class BestScore(NamedTuple):
    worker_id: str
    name: str
    module_id: str
    best_score: float
    passed: bool
    attempts: int


class WorkerRow(NamedTuple):
    worker_id: str
    name: str
    language: str
    installed: bool
    modules_done: int
    quizzes_passed: int
    last_active: datetime | None


class Page(NamedTuple):
    rows: list
    total: int


class DashboardFacts(Protocol):
    async def counts(self, flt: ReportFilter, active: ReportFilter) -> Counts:
        """`active` is the window for the active count (see active_window)."""
        ...

    async def quiz_passers(self, flt: ReportFilter) -> dict[str, int]: ...

    async def stuck_steps(self, flt: ReportFilter) -> list[StuckStep]: ...

    async def first_attempts(self, flt: ReportFilter) -> list[FirstAttempts]: ...

    async def wrong_choices(self, flt: ReportFilter) -> list[WrongChoice]: ...

    async def best_scores(self, flt: ReportFilter, offset: int, limit: int) -> Page:
        """Per (worker, module) with a submitted attempt in the window; by name, worker, module."""
        ...

    async def workers(self, flt: ReportFilter, query: WorkerQuery) -> Page:
        """WorkerRows by name then id; modules done and quizzes passed count the window."""
        ...


def top_wrong_choices(choices: list[WrongChoice]) -> dict[tuple[str, str], WrongChoice]:
    """Per (module, question) the wrong set of options chosen most often."""
    best: dict[tuple[str, str], WrongChoice] = {}
    for choice in sorted(choices, key=lambda c: (-c.count, c.options)):
        best.setdefault((choice.module_id, choice.question_id), choice)
    return best


def first_attempt_rates(rows: list[FirstAttempts]) -> dict[str, float]:
    return {row.module_id: ratio(row.passed, row.workers) for row in sorted(rows) if row.workers}


def stuck_ranking(rows: list[StuckStep], limit: int = 10) -> list[StuckStep]:
    """The steps with most "I'm stuck" presses first (ties: module, step)."""
    return sorted((r for r in rows if r.count > 0), key=lambda r: (-r.count, r.module_id, r.step_index))[:limit]

