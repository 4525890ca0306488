"""Cards of "my data": what is stored about the worker, the delete confirmation, the receipt."""

from __future__ import annotations

from datetime import datetime

from bot.content import Module
from domain.models import AttemptStatus, Feedback, ModuleProgress, ProgressStatus, QuizAttempt
from bot.i18n import Texts

from .actions import DeleteMyData, ShowMenu, ShowMyData
from .common import card, container, execute, heading, nonce, submit, text

MAX_ROWS = 20  # per section; a card must stay well under Teams' message size limit
MAX_QUOTE = 140


def local_date(moment: datetime | None) -> str:
    """A date the Teams client formats in the reader's own locale."""
    if moment is None:
        return "-"
    return "{{DATE(" + moment.strftime("%Y-%m-%dT%H:%M:%SZ") + ", COMPACT)}}"


def _section(title: str, lines: list[str], empty: str, t: Texts) -> dict:
    shown = lines[:MAX_ROWS]
    items = [text(f"**{title}**")]
    if not shown:
        items.append(text(empty, subtle=True, spacing="Small"))
    items += [text(line, spacing="Small") for line in shown]
    if len(lines) > MAX_ROWS:
        items.append(text(t("mydata.more", count=len(lines) - MAX_ROWS), subtle=True, spacing="Small"))
    return container(items, spacing="Medium", separator=True)


def _title(modules: dict[str, Module], module_id: str | None) -> str:
    module = modules.get(module_id or "")
    return module.title if module else (module_id or "-")


def my_data_card(t: Texts, modules: dict[str, Module], progress: list[ModuleProgress],
                 attempts: list[QuizAttempt], feedback: list[Feedback]) -> dict:
    n = nonce()
    progress_lines = []
    for p in progress:
        module = modules.get(p.module_id)
        if p.status == ProgressStatus.DONE:
            state = t("mydata.progress.done", date=local_date(p.completed_at))
        else:
            state = t("mydata.progress.in_progress", step=p.step_index + 1,
                      total=len(module.steps) if module else "?", date=local_date(p.started_at))
        progress_lines.append(f"{_title(modules, p.module_id)}: {state}")
    attempt_lines = []
    for a in sorted(attempts, key=lambda a: a.started_at, reverse=True):
        if a.status == AttemptStatus.SUBMITTED:
            state = t("mydata.quiz.submitted", score=f"{a.score or 0:g}", date=local_date(a.submitted_at),
                      result=t("mydata.quiz.passed" if a.passed else "mydata.quiz.failed"))
        else:
            state = t("mydata.quiz.in_progress", date=local_date(a.started_at))
        attempt_lines.append(f"{_title(modules, a.module_id)}: {state}")
    feedback_lines = []
    for f in feedback:
        line = t("mydata.feedback.item", date=local_date(f.created_at), rating=f.rating,
                 category=t(f"feedback.category.{f.category.value}"),
                 status=t(f"mydata.feedback.status.{f.status.value}"))
        if f.module_id:
            line += f" · {_title(modules, f.module_id)}"
        if f.text:
            quote = f.text if len(f.text) <= MAX_QUOTE else f.text[:MAX_QUOTE].rstrip() + "…"
            line += f"\n\n  _{quote}_"
        feedback_lines.append(line)
    return card(
        [heading(t("mydata.title")), text(t("mydata.intro"), subtle=True),
         _section(t("mydata.progress"), progress_lines, t("mydata.progress.none"), t),
         _section(t("mydata.quizzes"), attempt_lines, t("mydata.quizzes.none"), t),
         _section(t("mydata.feedback"), feedback_lines, t("mydata.feedback.none"), t)],
        [execute(t("mydata.delete"), DeleteMyData(confirmed=False, n=n),
                 style="destructive"),
         submit(t("common.menu"), ShowMenu(n=n))],
    )


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
    return card([text(t("mydata.deleted"), color="Good", weight="Bolder")],
                [submit(t("common.menu"), ShowMenu(n=n))])
