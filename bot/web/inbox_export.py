"""The feedback inbox as a report table (bot/report_tables.py), for `?format=csv`: every item
the filter matches, newest first, with its triage, in the same formula-safe CSV as the other
dashboard exports. Also the admins an item can be assigned to, with their names."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from bot.report_tables import Table, Titles, render_csv
from bot.store.port import Store
from domain.triage import MAX_PAGE, InboxFilter, InboxItem

CSV_ALL_ROWS = 100_000  # like the report exports: every row the filter matches, up to this many
COLUMNS = ["created_at", "module", "category", "rating", "status", "assignee", "locale",
           "anonymous", "text", "reply", "updated_at", "id", "module_id"]


async def every_item(store: Store, flt: InboxFilter) -> list[InboxItem]:
    items: list[InboxItem] = []
    cursor: str | None = None
    while len(items) < CSV_ALL_ROWS:
        page = await store.triage.list_inbox(flt, cursor, MAX_PAGE)
        items += page.items
        if page.cursor is None:
            break
        cursor = page.cursor
    return items[:CSV_ALL_ROWS]


def inbox_table(items: list[InboxItem], titles: Titles) -> Table:
    rows = [{"created_at": i.feedback.created_at, "module": titles.module(i.feedback.module_id)
             if i.feedback.module_id else "", "category": i.feedback.category.value,
             "rating": i.feedback.rating, "status": i.triage.status.value,
             "assignee": i.triage.assignee or "", "locale": i.feedback.locale,
             "anonymous": i.feedback.worker_id is None, "text": i.feedback.text,
             "reply": i.triage.reply.text if i.triage.reply else "",
             "updated_at": i.triage.updated_at, "id": i.feedback.id,
             "module_id": i.feedback.module_id or ""} for i in items]
    return Table("inbox", "Feedback inbox, newest first", COLUMNS, rows)


def csv_answer(items: list[InboxItem], titles: Titles) -> web.Response:
    filename = f"coach-feedback-{date.today().isoformat()}.csv"
    return web.Response(body=render_csv([inbox_table(items, titles)]), content_type="text/csv",
                        charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def admins(store: Store, admin_ids: list[str], signed_in: dict[str, str]) -> list[dict[str, Any]]:
    """Whom an item can be assigned to: the admins who signed in to this instance (the caller
    first), and ADMIN_IDS, named by their Teams name when they use the bot."""
    people = {key: name or key for key, name in signed_in.items()}
    for admin_id in admin_ids:
        if admin_id not in people:
            worker = await store.workers.get_worker(admin_id)
            people[admin_id] = (worker.name if worker else "") or admin_id
    return [{"id": key, "name": name} for key, name in people.items()]
