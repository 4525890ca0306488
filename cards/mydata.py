"""Cards of "my data": what is stored about the worker, the delete confirmation, the receipt."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.content import Module
from domain.models import (
    AttemptStatus, Feedback, ModuleProgress, ProgressStatus, QuizAttempt, UsageEvent, Worker,
)
from domain.progress import exercise_counts
from bot.i18n import Texts
from domain.triage import TriageReply
from domain.usage_records import DirectoryEntry

from .actions import DeleteMyData, ShowMenu, ShowMyData, ShowMyEvents
from .common import card, container, escaped, execute, fact_set, heading, nonce, submit, text

MAX_ROWS = 20  # per section; a card must stay well under Teams' message size limit
MAX_QUOTE = 140
EVENTS_PER_PAGE = 50  # lines of the full usage history per card


@dataclass(frozen=True)
class MyData:
    """Everything stored about one worker, as the store returned it."""

    worker: Worker
    progress: list[ModuleProgress]
    attempts: list[QuizAttempt]
    feedback: list[Feedback]
    events: list[UsageEvent]  # oldest first
    replies: dict[str, TriageReply] = field(default_factory=dict)  # feedback id -> IT's reply
    directory: DirectoryEntry | None = None  # the worker's Entra entry, from the directory sync
    usage_figures: bool = False  # Microsoft 365 usage report rows name the worker
    campaign_messages: bool = False  # campaign deliveries (or a block) name the worker


def _section(title: str, lines: list[str], empty: str, t: Texts) -> dict:
    shown = lines[:MAX_ROWS]
    items = [text(f"**{title}**")]
    if not shown:
        items.append(text(empty, subtle=True, spacing="Small"))
    items += [text(line, spacing="Small") for line in shown]
    if len(lines) > MAX_ROWS:
        items.append(text(t("mydata.more", count=t.number(len(lines) - MAX_ROWS)), subtle=True, spacing="Small"))
    return container(items, spacing="Medium", separator=True)


def _title(modules: dict[str, Module], module_id: str | None) -> str:
    module = modules.get(module_id or "")
    return module.title if module else (module_id or "-")


def _about(t: Texts, worker: Worker) -> dict:
    chosen = (t(f"language.name.{worker.language}") if worker.language else
              t("mydata.about.language_auto", language=worker.teams_locale))
    facts = [(t("mydata.about.name"), worker.name or "-"),
             (t("mydata.about.teams_locale"), worker.teams_locale),
             (t("mydata.about.language"), chosen),
             (t("mydata.about.since"), t.date(worker.created_at))]
    facts += [(t(f"mydata.about.{key}"), value) for key, value in
              (("upn", worker.upn), ("time_zone", worker.time_zone)) if value]
    return container([text(f"**{t('mydata.about')}**"), fact_set(facts)], spacing="Medium", separator=True)


def _elsewhere(t: Texts, data: MyData) -> list[str]:
    """What came from the organisation's systems rather than from the chat."""
    lines = []
    entry = data.directory
    if entry is not None:
        details = [entry.upn, entry.department, entry.office, entry.country, entry.preferred_language]
        lines.append(t("mydata.elsewhere.directory", details=escaped(" · ".join(d for d in details if d) or "-")))
    if data.usage_figures:
        lines.append(t("mydata.elsewhere.usage"))
    if data.campaign_messages:
        lines.append(t("mydata.elsewhere.campaigns"))
    return lines


def _usage(t: Texts, events: list[UsageEvent], n: str) -> dict:
    items = [text(f"**{t('mydata.usage')}**")]
    if not events:
        items.append(text(t("mydata.usage.none"), subtle=True, spacing="Small"))
        return container(items, spacing="Medium", separator=True)
    items.append(text(t("mydata.usage.summary", count=t.number(len(events)), date=t.date(events[0].at)),
                      spacing="Small"))
    items.append({"type": "ActionSet", "actions": [
        execute(t("mydata.usage.show"), ShowMyEvents(page=0, n=n))]})
    return container(items, spacing="Medium", separator=True)


def _progress_line(t: Texts, modules: dict[str, Module], p: ModuleProgress) -> str:
    module = modules.get(p.module_id)
    if p.status == ProgressStatus.DONE:
        state = t("mydata.progress.done", date=t.date(p.completed_at))
    else:
        state = t("mydata.progress.in_progress", step=p.step_index + 1,
                  total=len(module.steps) if module else "?", date=t.date(p.started_at))
    if p.exercises:
        done, skipped = exercise_counts(p, sorted(p.exercises))
        state += " · " + t("mydata.progress.exercises", done=done, skipped=skipped)
    return f"{_title(modules, p.module_id)}: {state}"


def _attempt_state(t: Texts, a: QuizAttempt) -> str:
    if a.status == AttemptStatus.SUBMITTED:
        return t("mydata.quiz.submitted", score=t.percent(a.score or 0), date=t.date(a.submitted_at),
                 result=t("mydata.quiz.passed" if a.passed else "mydata.quiz.failed"))
    if a.status == AttemptStatus.ABANDONED:
        return t("mydata.quiz.abandoned", date=t.date(a.started_at))
    return t("mydata.quiz.in_progress", date=t.date(a.started_at))


def my_data_card(t: Texts, modules: dict[str, Module], data: MyData) -> dict:
    n = nonce()
    progress_lines = [_progress_line(t, modules, p) for p in data.progress]
    attempt_lines = [f"{_title(modules, a.module_id)}: {_attempt_state(t, a)}"
                     for a in sorted(data.attempts, key=lambda a: a.started_at, reverse=True)]
    feedback_lines = []
    for f in data.feedback:
        status = t(f"mydata.feedback.status.{f.status.value}")
        line = (t("mydata.feedback.question", date=t.date(f.created_at), status=status)
                if f.rating is None else
                t("mydata.feedback.item", date=t.date(f.created_at), rating=f.rating,
                  category=t(f"feedback.category.{f.category.value}"), status=status))
        if f.module_id:
            line += f" · {_title(modules, f.module_id)}"
        if f.text:
            quote = f.text if len(f.text) <= MAX_QUOTE else f.text[:MAX_QUOTE].rstrip() + "…"
            line += f"\n\n  _{escaped(quote)}_"
        if reply := data.replies.get(f.id):
            line += "\n\n  " + t("mydata.feedback.reply", date=t.date(reply.at),
                                 text=escaped(reply.text))
        feedback_lines.append(line)
    return card(
        [heading(t("mydata.title")), text(t("mydata.intro"), subtle=True),
         _about(t, data.worker), _usage(t, data.events, n),
         _section(t("mydata.progress"), progress_lines, t("mydata.progress.none"), t),
         _section(t("mydata.quizzes"), attempt_lines, t("mydata.quizzes.none"), t),
         _section(t("mydata.feedback"), feedback_lines, t("mydata.feedback.none"), t),
         _section(t("mydata.elsewhere"), _elsewhere(t, data), t("mydata.elsewhere.none"), t)],
        [execute(t("mydata.delete"), DeleteMyData(confirmed=False, n=n),
                 style="destructive"),
         submit(t("common.menu"), ShowMenu(n=n))],
    )


def _event_line(t: Texts, modules: dict[str, Module], event: UsageEvent) -> str:
    parts = [t.date(event.at), t(f"mydata.event.{event.kind.value}")]
    if event.module_id:
        parts.append(_title(modules, event.module_id))
    if event.step_index is not None:
        parts.append(t("mydata.event.step", step=event.step_index + 1))
    if event.detail:
        parts.append(event.detail)
    return " · ".join(parts)


def my_events_card(t: Texts, modules: dict[str, Module], events: list[UsageEvent], page: int) -> dict:
    """One page of the full usage history, oldest first, with a button for the next page."""
    n = nonce()
    first = page * EVENTS_PER_PAGE
    shown = events[first:first + EVENTS_PER_PAGE]
    body = [heading(t("mydata.export.title", first=t.number(min(first + 1, len(events))),
                      last=t.number(first + len(shown)), count=t.number(len(events))))]
    body += [text(_event_line(t, modules, e), spacing="None", size="Small") for e in shown]
    actions = []
    if first + len(shown) < len(events):
        actions.append(submit(t("mydata.export.more"), ShowMyEvents(page=page + 1, n=n), style="positive"))
    actions += [submit(t("mydata.title"), ShowMyData(n=n)), submit(t("common.menu"), ShowMenu(n=n))]
    return card(body, actions)


def confirm_delete_card(t: Texts) -> dict:
    n = nonce()
    return card(
        [heading(t("mydata.confirm.title")), text(t("mydata.confirm.body"))],
        [execute(t("mydata.confirm.yes"), DeleteMyData(confirmed=True, n=n),
                 style="destructive"),
         execute(t("mydata.confirm.no"), ShowMyData(n=n))],
    )


def deleted_card(t: Texts) -> dict:
    n = nonce()
    return card([text(t("mydata.deleted"), weight="Bolder")],
                [submit(t("common.menu"), ShowMenu(n=n))])
