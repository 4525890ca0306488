"""The dashboard facts (domain/dashboard.py) computed in Python from the records themselves:
the memory adapter passes all of its records, the Cosmos adapter the documents its queries
found (already narrowed to the window where the container can filter), so both count alike.
Every function applies the whole filter itself; what it is given may hold more."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from domain.dashboard import BestScore, Counts, FirstAttempts, Page, StuckStep, WorkerQuery, WorkerRow
from domain.dashboard import WrongChoice, worker_language
from domain.models import AttemptStatus, EventKind, Feedback, FeedbackStatus, ModuleProgress, ProgressStatus
from domain.models import QuizAttempt, UsageEvent, Worker
from domain.reports import ReportFilter
from bot.store.memory_reports import _Window


def submitted(attempts: Iterable[QuizAttempt]) -> list[QuizAttempt]:
    return [a for a in attempts if a.status == AttemptStatus.SUBMITTED]


def installed(workers: Iterable[Worker], flt: ReportFilter) -> int:
    end = flt.end()
    return sum(1 for w in workers if w.installed and (end is None or w.created_at < end)
               and (flt.locale is None or worker_language(w.language, w.teams_locale) == flt.locale))


def counts(workers: Iterable[Worker], events: Iterable[UsageEvent], progress: Iterable[ModuleProgress],
           feedback: Iterable[Feedback], flt: ReportFilter, active: ReportFilter) -> Counts:
    in_active, in_window = _Window(active), _Window(flt)
    active_ids = {e.worker_id for e in events
                  if e.worker_id is not None and in_active(e.at, e.module_id, e.locale)}
    trained = {p.worker_id for p in progress
               if p.status == ProgressStatus.DONE and in_window(p.completed_at, p.module_id, p.locale)}
    open_feedback = sum(1 for f in feedback
                        if f.status == FeedbackStatus.NEW and in_window(f.created_at, f.module_id, f.locale))
    return Counts(installed(workers, flt), len(active_ids), len(trained), open_feedback)


def quiz_passers(attempts: Iterable[QuizAttempt], flt: ReportFilter) -> dict[str, int]:
    inside = _Window(flt)
    passers: dict[str, set[str]] = defaultdict(set)
    for a in submitted(attempts):
        if a.passed and inside(a.submitted_at, a.module_id, a.locale):
            passers[a.module_id].add(a.worker_id)
    return {module_id: len(ids) for module_id, ids in passers.items()}


def stuck_steps(events: Iterable[UsageEvent], flt: ReportFilter) -> list[StuckStep]:
    inside = _Window(flt)
    steps = Counter((e.module_id, e.step_index) for e in events
                    if e.kind == EventKind.EXERCISE_STUCK and e.module_id is not None
                    and e.step_index is not None and inside(e.at, e.module_id, e.locale))
    return [StuckStep(m, s, n) for (m, s), n in steps.items()]


def first_attempts(attempts: Iterable[QuizAttempt], flt: ReportFilter) -> list[FirstAttempts]:
    """`attempts` must hold every submitted attempt of the module(s), whenever submitted."""
    first: dict[tuple[str, str], QuizAttempt] = {}
    for a in sorted(submitted(attempts), key=lambda a: a.submitted_at):
        first.setdefault((a.worker_id, a.module_id), a)
    inside = _Window(flt)
    workers: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for a in first.values():
        if inside(a.submitted_at, a.module_id, a.locale):
            workers[a.module_id] += 1
            passed[a.module_id] += int(bool(a.passed))
    return [FirstAttempts(m, n, passed[m]) for m, n in workers.items()]


def wrong_choices(attempts: Iterable[QuizAttempt], flt: ReportFilter) -> list[WrongChoice]:
    inside = _Window(flt)
    choices = Counter((a.module_id, answer.question_id, tuple(sorted(answer.chosen)))
                      for a in submitted(attempts) if inside(a.submitted_at, a.module_id, a.locale)
                      for answer in a.answers.values() if not answer.correct)
    return [WrongChoice(m, q, options, n) for (m, q, options), n in choices.items()]


def best_scores(attempts: Iterable[QuizAttempt], names: dict[str, str], flt: ReportFilter,
                offset: int, limit: int) -> Page:
    inside = _Window(flt)
    grouped: dict[tuple[str, str], list[QuizAttempt]] = defaultdict(list)
    for a in submitted(attempts):
        if inside(a.submitted_at, a.module_id, a.locale):
            grouped[(a.worker_id, a.module_id)].append(a)
    rows = [BestScore(worker_id, names.get(worker_id, ""), module_id, max(a.score or 0.0 for a in tried),
                      any(a.passed for a in tried), len(tried))
            for (worker_id, module_id), tried in grouped.items()]
    rows.sort(key=lambda r: (r.name, r.worker_id, r.module_id))
    return Page(rows[offset:offset + limit], len(rows))


def worker_page(workers: Iterable[Worker], progress: Iterable[ModuleProgress], attempts: Iterable[QuizAttempt],
                flt: ReportFilter, query: WorkerQuery) -> Page:
    """The rows of one page, their `last_active` still None (see with_last_active)."""
    window = _Window(flt.model_copy(update={"locale": None}))
    done: Counter[str] = Counter(p.worker_id for p in progress
                                 if p.status == ProgressStatus.DONE and window(p.completed_at, p.module_id, p.locale))
    passed: dict[str, set[str]] = defaultdict(set)
    for a in submitted(attempts):
        if a.passed and window(a.submitted_at, a.module_id, a.locale):
            passed[a.worker_id].add(a.module_id)
    search = (query.search or "").casefold()
    rows = [WorkerRow(w.id, w.name, worker_language(w.language, w.teams_locale), w.installed,
                      done[w.id], len(passed[w.id]), None)
            for w in workers
            if (not search or search in w.name.casefold()) and not (query.not_trained and done[w.id])]
    rows = [r for r in rows if flt.locale is None or r.language == flt.locale]
    rows.sort(key=lambda r: (r.name, r.worker_id))
    return Page(rows[query.offset:query.offset + query.limit], len(rows))


def last_active(events: Iterable[UsageEvent]) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for e in events:
        if e.worker_id is not None and (e.worker_id not in last or e.at > last[e.worker_id]):
            last[e.worker_id] = e.at
    return last


def with_last_active(page: Page, last: dict[str, datetime]) -> Page:
    return Page([row._replace(last_active=last.get(row.worker_id)) for row in page.rows], page.total)
