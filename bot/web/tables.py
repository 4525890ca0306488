"""The dashboard's figures as report tables (bot/report_tables.py), so the page's JSON and the
CSV export come from the same rows. Titles are from the English content (an admin tool)."""

from __future__ import annotations

from domain.dashboard import Counts, FirstAttempts, Page, StuckStep, WrongChoice
from domain.dashboard import first_attempt_rates, stuck_ranking, top_wrong_choices
from domain.reports import FeedbackReport, QuizReport, UsageReport, ratio
from bot.report_tables import Table, Titles
from bot.report_tables import feedback_tables as report_feedback_tables


def overall_pass_rate(report: QuizReport) -> float:
    attempts = sum(m.attempts for m in report.modules)
    return ratio(sum(m.pass_rate * m.attempts for m in report.modules), attempts)


def overview_tables(counts: Counts, usage: UsageReport, quizzes: QuizReport, titles: Titles) -> list[Table]:
    figures = {**counts._asdict(), "pass_rate": overall_pass_rate(quizzes)}
    modules = [{"module_id": m.module_id, "module": titles.module(m.module_id), "started": m.started,
                "completed": m.completed, "completion_rate": m.completion_rate} for m in usage.modules]
    weeks = [{"week": w.week, "started": w.started, "completed": w.completed} for w in usage.weeks]
    return [Table("figures", "Overview", list(figures), [figures]),
            Table("modules", "Completion per module", ["module_id", "module", "started", "completed",
                                                       "completion_rate"], modules),
            Table("weeks", "Weekly trend", ["week", "started", "completed"], weeks)]


def module_tables(usage: UsageReport, passers: dict[str, int], stuck: list[StuckStep],
                  titles: Titles) -> list[Table]:
    funnel = [{"module_id": m.module_id, "module": titles.module(m.module_id), "started": m.started,
               "completed": m.completed, "quiz_passed": passers.get(m.module_id, 0),
               "exercises_stuck": m.exercises_stuck} for m in usage.modules]
    steps = [{"module_id": s.module_id, "module": titles.module(s.module_id), "step": s.step_index + 1,
              "step_title": titles.step(s.module_id, s.step_index), "stuck": s.count}
             for s in stuck_ranking(stuck)]
    return [Table("funnel", "Funnel per module", ["module_id", "module", "started", "completed",
                                                  "quiz_passed", "exercises_stuck"], funnel),
            Table("stuck_steps", "Steps where workers press \"I'm stuck\" most",
                  ["module_id", "module", "step", "step_title", "stuck"], steps)]


def quiz_tables(report: QuizReport, first: list[FirstAttempts], wrong: list[WrongChoice], best: Page,
                titles: Titles, page: dict[str, int]) -> list[Table]:
    first_rates = first_attempt_rates(first)
    top_wrong = top_wrong_choices(wrong)
    modules = [{"module_id": m.module_id, "module": titles.module(m.module_id), "attempts": m.attempts,
                "workers": m.workers, "pass_rate": m.pass_rate,
                "first_attempt_pass_rate": first_rates.get(m.module_id, 0.0), "average_score": m.average_score}
               for m in report.modules]
    missed = []
    for m in report.modules:
        for rank, q in enumerate(m.most_missed, start=1):
            choice = top_wrong.get((m.module_id, q.question_id))
            missed.append({"module_id": m.module_id, "module": titles.module(m.module_id), "rank": rank,
                           "question_id": q.question_id, "question": titles.question(m.module_id, q.question_id),
                           "misses": q.misses,
                           "wrong_option": titles.options(m.module_id, q.question_id, choice.options) if choice else "",
                           "wrong_option_count": choice.count if choice else 0})
    scores = [{"worker_id": b.worker_id, "name": b.name, "module_id": b.module_id,
               "module": titles.module(b.module_id), "best_score": b.best_score, "passed": b.passed,
               "attempts": b.attempts} for b in best.rows]
    return [Table("modules", "Quizzes per module", ["module_id", "module", "attempts", "workers", "pass_rate",
                                                   "first_attempt_pass_rate", "average_score"], modules),
            Table("most_missed", "Most missed questions", ["module_id", "module", "rank", "question_id", "question",
                                                           "misses", "wrong_option", "wrong_option_count"], missed),
            Table("best_scores", "Best score per worker", ["name", "module", "best_score", "passed", "attempts",
                                                           "worker_id", "module_id"], scores),
            page_table({**page, "total": best.total})]


def worker_tables(workers: Page, page: dict[str, int]) -> list[Table]:
    rows = [w._asdict() for w in workers.rows]
    return [Table("workers", "Workers", ["name", "language", "installed", "modules_done", "quizzes_passed",
                                         "last_active", "worker_id"], rows),
            page_table({**page, "total": workers.total})]


def feedback_summary(report: FeedbackReport, titles: Titles) -> list[Table]:
    """The report's summary tables; the items themselves are on the inbox (bot/web/inbox_api.py)."""
    return [t for t in report_feedback_tables(report, titles) if t.name != "items"]


def page_table(page: dict[str, int]) -> Table:
    return Table("page", "Page", ["offset", "limit", "total"], [page])
