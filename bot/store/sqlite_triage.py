"""The feedback inbox on SQLite: `feedback` LEFT JOIN `triage` (migration 6), keyset-paged
newest first; a triage write is one transaction that also sets the feedback's status."""

from __future__ import annotations

import sqlite3

from domain.models import Feedback
from domain.triage import (
    InboxFilter,
    InboxItem,
    InboxPage,
    Triage,
    decode_cursor,
    encode_cursor,
    untouched,
)
from bot.store.port import ConcurrencyConflict
from bot.store.sqlite_connection import SqliteConnection, guard
from bot.store.sqlite_migrations import decode_time, encode_time

_SELECT = """SELECT f.*, t.record AS triage FROM feedback f
             LEFT JOIN triage t ON t.feedback_id = f.id"""


def feedback_of(row: sqlite3.Row) -> Feedback:
    return Feedback(id=row["id"], worker_id=row["worker_id"], module_id=row["module_id"],
                    rating=row["rating"], category=row["category"], text=row["text"],
                    locale=row["locale"], status=row["status"],
                    created_at=decode_time(row["created_at"]))


def _item(row: sqlite3.Row) -> InboxItem:
    feedback = feedback_of(row)
    triage = (Triage.model_validate_json(row["triage"]) if row["triage"]
              else untouched(feedback))
    return InboxItem(feedback, triage)


def _where(flt: InboxFilter, cursor: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for column, value in (("f.status", flt.status), ("f.category", flt.category),
                          ("f.module_id", flt.module_id), ("f.rating", flt.rating),
                          ("f.locale", flt.locale)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value.value if hasattr(value, "value") else value)
    if flt.since is not None:
        clauses.append("f.created_at >= ?")
        params.append(encode_time(flt.since))
    if flt.until is not None:
        clauses.append("f.created_at < ?")
        params.append(encode_time(flt.until))
    if cursor:
        moment, feedback_id = decode_cursor(cursor)
        clauses.append("(f.created_at < ? OR (f.created_at = ? AND f.id < ?))")
        params += [encode_time(moment), encode_time(moment), feedback_id]
    return " AND ".join(clauses) or "1", params


class SqliteTriageStore:
    def __init__(self, db: SqliteConnection):
        self._db = db

    async def list_inbox(self, flt: InboxFilter, cursor: str | None, limit: int) -> InboxPage:
        where, params = _where(flt, cursor)  # ValueError for a bad cursor, before the guard
        return await self._list(where, params, limit)

    @guard("list the feedback inbox")
    async def _list(self, where: str, params: list[object], limit: int) -> InboxPage:
        rows = self._db.conn.execute(
            f"{_SELECT} WHERE {where} ORDER BY f.created_at DESC, f.id DESC LIMIT {limit + 1:d}",
            params).fetchall()
        items = [_item(r) for r in rows[:limit]]
        return InboxPage(items, encode_cursor(items[-1]) if len(rows) > limit else None)

    @guard("read a feedback item")
    async def get_item(self, feedback_id: str) -> InboxItem | None:
        row = self._db.conn.execute(f"{_SELECT} WHERE f.id = ?", (feedback_id,)).fetchone()
        return _item(row) if row else None

    @guard("save the triage of a feedback item")
    async def save_triage(self, triage: Triage, expected_version: int) -> Triage:
        conflict = ConcurrencyConflict(f"feedback {triage.feedback_id} changed since it was read")
        with self._db.transaction() as conn:
            owner = conn.execute("SELECT worker_id FROM feedback WHERE id = ?",
                                 (triage.feedback_id,)).fetchone()
            if owner is None:
                raise conflict
            saved = triage.model_copy(update={"version": expected_version + 1,
                                              "worker_id": owner["worker_id"]})
            record = saved.model_dump_json()
            if expected_version == 0:
                written = conn.execute(
                    """INSERT INTO triage (feedback_id, worker_id, record, version)
                       VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING""",
                    (saved.feedback_id, saved.worker_id, record)).rowcount
            else:
                written = conn.execute(
                    "UPDATE triage SET record = ?, version = ? WHERE feedback_id = ? AND version = ?",
                    (record, saved.version, saved.feedback_id, expected_version)).rowcount
            if written != 1:
                raise conflict
            conn.execute("UPDATE feedback SET status = ? WHERE id = ?",
                         (saved.status.value, saved.feedback_id))
        return saved

    @guard("list a worker's feedback triage")
    async def list_for_worker(self, worker_id: str) -> list[Triage]:
        rows = self._db.conn.execute("SELECT record FROM triage WHERE worker_id = ?", (worker_id,))
        return [Triage.model_validate_json(r["record"]) for r in rows]

    @guard("delete a worker's data")
    async def delete_for_worker(self, worker_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM triage WHERE worker_id = ?", (worker_id,))

    @guard("look for a worker's data")
    async def holds_worker(self, worker_id: str) -> bool:
        row = self._db.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM triage WHERE worker_id = ?)", (worker_id,)).fetchone()
        return bool(row[0])
