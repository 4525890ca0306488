"""Admin reports as plain tables, and the three ways to print them: rich, CSV, JSON.

A table is a name, a title and rows of raw values (ints, floats, dates, text); each format
decides how a value looks. Headers and titles are English (an admin tool) and live here only.

CSV: one file per report, UTF-8 with a byte-order mark (so Excel reads the accents right) and
CRLF line ends. Each table is a section: a row with the table's title, the header row, the
data rows, then one empty row. Dates are ISO 8601 in UTC (2026-11-20T09:30:00Z); rates are
fractions 0..1; text that Excel would take for a formula is prefixed with an apostrophe.
JSON: {"report", "filter", "tables": {name: [row, ...]}}, sorted keys, ISO dates, so the same
data always prints the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from bot.content import Catalog
from domain.reports import FeedbackReport, QuizReport, ReportFilter, UsageReport
from domain.text import strip_controls

HEADERS = {
    "module_id": "Module id", "module": "Module", "started": "Started", "completed": "Completed",
    "completion_rate": "Completion rate", "median_minutes": "Median minutes",
    "exercises_stuck": "Exercises stuck", "exercises_done": "Exercises done",
    "exercises_skipped": "Exercises skipped", "week": "ISO week", "attempts": "Attempts",
    "workers": "Workers", "pass_rate": "Pass rate", "average_score": "Average score",
    "rank": "Rank", "question_id": "Question id", "question": "Question", "misses": "Misses",
    "category": "Category", "rating": "Rating", "count": "Count", "average_rating": "Average rating",
    "created_at": "Created (UTC)", "id": "Id", "status": "Status", "locale": "Language",
    "anonymous": "Anonymous", "text": "Text",
    # the feedback inbox and the campaigns (bot/web/inbox_export.py, bot/web/campaigns_api.py)
    "assignee": "Assigned to", "reply": "Reply to the worker", "updated_at": "Last change (UTC)",
    "title": "Title", "state": "State", "starts_at": "Starts (UTC)", "sent_at": "Sent (UTC)",
    "ends_at": "Ends (UTC)", "audience": "Audience", "sent": "Sent", "waiting": "Waiting",
    "failed": "Failed", "skipped": "Skipped", "unreachable": "Unreachable",
    "reminders_sent": "Reminders sent", "created_by": "Created by", "reached": "Reached",
    "answered": "Answered", "response_rate": "Response rate", "answered_at": "Answered (UTC)",
    "score": "Score", "missed": "Missed",
    # the adoption report (bot/adoption_tables.py)
    "workload": "Workload", "trained": "Trained", "trained_active": "Trained active",
    "trained_share": "Trained active share", "untrained": "Untrained",
    "untrained_active": "Untrained active", "untrained_share": "Untrained active share",
    "tenant_users": "Users in report", "tenant_active": "Active in report",
    "evaluated": "Evaluated", "meeting": "Meeting expectation", "meeting_rate": "Meeting rate",
    "report_date": "Report date", "department": "Department", "name": "Name",
    # the dashboard's tables (bot/web/api.py)
    "installed": "Installed", "active": "Active", "open_feedback": "Open feedback",
    "quiz_passed": "Quiz passed", "step": "Step", "step_title": "Step title", "stuck": "Stuck presses",
    "first_attempt_pass_rate": "First-attempt pass rate", "wrong_option": "Wrong option chosen most",
    "wrong_option_count": "Times chosen", "worker_id": "Worker id",
    "best_score": "Best score", "passed": "Passed", "modules_done": "Modules done",
    "quizzes_passed": "Quizzes passed", "last_active": "Last active (UTC)", "language": "Language",
    "total": "Total rows", "offset": "Offset", "limit": "Page size",
    # campaigns (bot/campaign_tables.py; the shared columns are above)
    "recipients": "Recipients", "pending": "Pending", "unknown": "Unknown",
    "reason": "Reason", "key": "Id or UPN",
}
RATES = {"completion_rate", "pass_rate", "trained_share", "untrained_share", "meeting_rate",
         "first_attempt_pass_rate", "response_rate"}
TEXT_PREVIEW = 100  # characters of feedback text in the terminal table (CSV/JSON have it all)


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    screen_columns: list[str] | None = None  # the terminal view's subset, when narrower
    empty: str = "no data in this period."  # the terminal view's line when there are no rows

    def columns_on_screen(self) -> list[str]:
        return self.screen_columns or self.columns


class Titles:
    """English module titles and question texts from content/, with the id as fallback."""

    def __init__(self, catalog: Catalog):
        self._catalog = catalog

    def module(self, module_id: str | None) -> str:
        module = self._catalog.module("en", module_id) if module_id else None
        return module.title if module else (module_id or "")

    def question(self, module_id: str, question_id: str) -> str:
        module = self._catalog.module("en", module_id)
        question = module.question(question_id) if module else None
        return question.text if question else question_id

    def step(self, module_id: str, step_index: int) -> str:
        module = self._catalog.module("en", module_id)
        step = module.step(step_index) if module else None
        return step.title if step else f"step {step_index + 1}"

    def options(self, module_id: str, question_id: str, option_ids: tuple[str, ...]) -> str:
        """The texts of the chosen options, joined with " + " (an unknown id as itself)."""
        module = self._catalog.module("en", module_id)
        question = module.question(question_id) if module else None
        texts = {o.id: o.text for o in question.options} if question else {}
        return " + ".join(texts.get(option_id, option_id) for option_id in option_ids)


def usage_tables(report: UsageReport, titles: Titles) -> list[Table]:
    modules = [{"module_id": m.module_id, "module": titles.module(m.module_id), "started": m.started,
                "completed": m.completed, "completion_rate": m.completion_rate,
                "median_minutes": m.median_minutes, "exercises_stuck": m.exercises_stuck,
                "exercises_done": m.exercises_done, "exercises_skipped": m.exercises_skipped}
               for m in report.modules]
    weeks = [{"week": w.week, "started": w.started, "completed": w.completed} for w in report.weeks]
    return [Table("modules", "Usage per module", list(HEADERS)[:9], modules),
            Table("weeks", "Weekly trend", ["week", "started", "completed"], weeks)]


def quiz_tables(report: QuizReport, titles: Titles) -> list[Table]:
    modules = [{"module_id": m.module_id, "module": titles.module(m.module_id), "attempts": m.attempts,
                "workers": m.workers, "pass_rate": m.pass_rate, "average_score": m.average_score}
               for m in report.modules]
    missed = [{"module_id": m.module_id, "module": titles.module(m.module_id), "rank": rank,
               "question_id": q.question_id, "question": titles.question(m.module_id, q.question_id),
               "misses": q.misses}
              for m in report.modules for rank, q in enumerate(m.most_missed, start=1)]
    return [Table("modules", "Quizzes per module",
                  ["module_id", "module", "attempts", "workers", "pass_rate", "average_score"], modules),
            Table("most_missed", "Most missed questions per module",
                  ["module_id", "module", "rank", "question_id", "question", "misses"], missed)]


def feedback_tables(report: FeedbackReport, titles: Titles) -> list[Table]:
    items = [{"created_at": i.created_at, "id": i.id, "module_id": i.module_id or "",
              "module": titles.module(i.module_id), "category": i.category.value, "rating": i.rating,
              "status": i.status.value, "locale": i.locale, "anonymous": i.anonymous, "text": strip_controls(i.text)}
             for i in report.items]
    return [
        Table("by_category", "Feedback by category", ["category", "count"],
              [{"category": k, "count": v} for k, v in report.by_category.items()]),
        Table("by_rating", "Feedback by rating", ["rating", "count"],
              [{"rating": k, "count": v} for k, v in report.by_rating.items()]),
        Table("by_module", "Average rating per module", ["module_id", "module", "average_rating"],
              [{"module_id": k, "module": titles.module(k) if k else "(no module)", "average_rating": v}
               for k, v in report.average_rating_by_module.items()]),
        Table("items", "Feedback, newest first",
              ["created_at", "module", "category", "rating", "status", "locale", "anonymous", "text", "id",
               "module_id"], items,
              screen_columns=["created_at", "module", "category", "rating", "status", "anonymous", "text"]),
    ]


TABLE_BUILDERS: dict[str, Callable[[Any, Titles], list[Table]]] = {
    "usage": usage_tables, "quizzes": quiz_tables, "feedback": feedback_tables,
}


def iso(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


# --- terminal table -------------------------------------------------------------------------

def _cell(column: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if column in RATES:
        return f"{value * 100:.1f} %"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if column == "text" and len(text) > TEXT_PREVIEW:
        return text[:TEXT_PREVIEW].rstrip() + "…"
    return text


def render_rich(tables: list[Table], heading: str, console: Console) -> None:
    console.print(f"[bold]{escape(heading)}[/bold]")
    for table in tables:
        if not table.rows:
            console.print(f"\n{table.title}: {table.empty}")
            continue
        columns = table.columns_on_screen()
        out = RichTable(title=escape(table.title), title_justify="left", show_lines=table.name == "items")
        for column in columns:
            numeric = all(isinstance(r[column], (int, float)) and not isinstance(r[column], bool)
                          for r in table.rows if r[column] is not None)
            out.add_column(HEADERS[column], justify="right" if numeric else "left",
                           overflow="fold")
        for row in table.rows:
            out.add_row(*(Text(_cell(column, row[column])) for column in columns))  # no markup
        console.print()
        console.print(out)


# --- CSV --------------------------------------------------------------------------------------

def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return iso(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # Excel would run it as a formula
    return value


def render_csv(tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel")  # CRLF line ends, quotes where needed
    for table in tables:
        writer.writerow([table.title])
        writer.writerow([HEADERS[c] for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_value(row[c]) for c in table.columns])
        writer.writerow([])
    return buffer.getvalue().encode("utf-8-sig")


# --- JSON -------------------------------------------------------------------------------------

def _json_default(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return iso(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def render_json(tables: list[Table], report: str, flt: ReportFilter | None,
                extra: dict[str, Any] | None = None) -> bytes:
    """`flt` None: a report without a filter (a campaign's), and no "filter" key."""
    payload = {
        "report": report,
        **({"filter": flt.model_dump(mode="json")} if flt is not None else {}),
        "tables": {t.name: [{c: row[c] for c in t.columns} for row in t.rows] for t in tables},
        **(extra or {}),
    }
    return json_bytes(payload)


def json_bytes(payload: Any) -> bytes:
    """Stable JSON: sorted keys, ISO dates, UTF-8, a final newline."""
    return (json.dumps(payload, default=_json_default, sort_keys=True, ensure_ascii=False, indent=2)
            + "\n").encode("utf-8")
