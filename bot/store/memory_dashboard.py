"""The dashboard facts (domain/dashboard.py) of the memory adapter, over its dicts."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from domain.dashboard import BestScore, Counts, FirstAttempts, Page, StuckStep, WorkerQuery, WorkerRow
from domain.dashboard import WrongChoice, worker_language
from domain.models import AttemptStatus, EventKind, FeedbackStatus, ProgressStatus, QuizAttempt
from domain.reports import ReportFilter
from bot.store.memory_reports import _Window


def _submitted(data: Any) -> list[QuizAttempt]:
    return [a for a in data.attempts.values() if a.status == AttemptStatus.SUBMITTED]


class MemoryDashboardFacts:
    def __init__(self, data: Any):
        self._data = data

    def close(self) -> None:
        pass

    async def counts(self, flt: ReportFilter, active: ReportFilter) -> Counts:
        end, d = flt.end(), self._data
        installed = sum(1 for w in d.workers.values() if w.installed and (end is None or w.created_at < end)
                        and (flt.locale is None or worker_language(w.language, w.teams_locale) == flt.locale))
        in_active, in_window = _Window(active), _Window(flt)
        active_ids = {e.worker_id for e in d.events.values()
                      if e.worker_id is not None and in_active(e.at, e.module_id, e.locale)}
        trained = {p.worker_id for p in d.progress.values()
                   if p.status == ProgressStatus.DONE and in_window(p.completed_at, p.module_id, p.locale)}
        open_feedback = sum(1 for f in d.feedback.values()
                            if f.status == FeedbackStatus.NEW and in_window(f.created_at, f.module_id, f.locale))
        return Counts(installed, len(active_ids), len(trained), open_feedback)

    async def quiz_passers(self, flt: ReportFilter) -> dict[str, int]:
        inside = _Window(flt)
        passers: dict[str, set[str]] = defaultdict(set)
        for a in _submitted(self._data):
            if a.passed and inside(a.submitted_at, a.module_id, a.locale):
                passers[a.module_id].add(a.worker_id)
        return {module_id: len(ids) for module_id, ids in passers.items()}

    async def stuck_steps(self, flt: ReportFilter) -> list[StuckStep]:
        inside = _Window(flt)
        steps = Counter((e.module_id, e.step_index) for e in self._data.events.values()
                        if e.kind == EventKind.EXERCISE_STUCK and e.module_id is not None
                        and e.step_index is not None and inside(e.at, e.module_id, e.locale))
        return [StuckStep(m, s, n) for (m, s), n in steps.items()]

    async def first_attempts(self, flt: ReportFilter) -> list[FirstAttempts]:
        first: dict[tuple[str, str], QuizAttempt] = {}
        for a in sorted(_submitted(self._data), key=lambda a: a.submitted_at):
            first.setdefault((a.worker_id, a.module_id), a)
        inside = _Window(flt)
        workers: Counter[str] = Counter()
        passed: Counter[str] = Counter()
        for a in first.values():
            if inside(a.submitted_at, a.module_id, a.locale):
                workers[a.module_id] += 1
                passed[a.module_id] += int(bool(a.passed))
        return [FirstAttempts(m, n, passed[m]) for m, n in workers.items()]

    async def wrong_choices(self, flt: ReportFilter) -> list[WrongChoice]:
        inside = _Window(flt)
        choices = Counter((a.module_id, answer.question_id, tuple(sorted(answer.chosen)))
                          for a in _submitted(self._data) if inside(a.submitted_at, a.module_id, a.locale)
                          for answer in a.answers.values() if not answer.correct)
        return [WrongChoice(m, q, options, n) for (m, q, options), n in choices.items()]

    async def best_scores(self, flt: ReportFilter, offset: int, limit: int) -> Page:
        inside = _Window(flt)
        grouped: dict[tuple[str, str], list[QuizAttempt]] = defaultdict(list)
        for a in _submitted(self._data):
            if inside(a.submitted_at, a.module_id, a.locale):
                grouped[(a.worker_id, a.module_id)].append(a)
        rows = []
        for (worker_id, module_id), attempts in grouped.items():
            worker = self._data.workers.get(worker_id)
            rows.append(BestScore(worker_id, worker.name if worker else "", module_id,
                                  max(a.score or 0.0 for a in attempts), any(a.passed for a in attempts),
                                  len(attempts)))
        rows.sort(key=lambda r: (r.name, r.worker_id, r.module_id))
        return Page(rows[offset:offset + limit], len(rows))

    async def workers(self, flt: ReportFilter, query: WorkerQuery) -> Page:
        d = self._data
        window = _Window(flt.model_copy(update={"locale": None}))
        done: Counter[str] = Counter(p.worker_id for p in d.progress.values()
                                     if p.status == ProgressStatus.DONE
                                     and window(p.completed_at, p.module_id, p.locale))
        passed: dict[str, set[str]] = defaultdict(set)
        for a in _submitted(d):
            if a.passed and window(a.submitted_at, a.module_id, a.locale):
                passed[a.worker_id].add(a.module_id)
        last: dict[str, Any] = {}
        for e in d.events.values():
            if e.worker_id is not None and (e.worker_id not in last or e.at > last[e.worker_id]):
                last[e.worker_id] = e.at
        search = (query.search or "").casefold()
        rows = [WorkerRow(w.id, w.name, worker_language(w.language, w.teams_locale), w.installed,
                          done[w.id], len(passed[w.id]), last.get(w.id))
                for w in d.workers.values()
                if (not search or search in w.name.casefold())
                and not (query.not_trained and done[w.id])]
        rows = [r for r in rows if flt.locale is None or r.language == flt.locale]
        rows.sort(key=lambda r: (r.name, r.worker_id))
        return Page(rows[query.offset:query.offset + query.limit], len(rows))
