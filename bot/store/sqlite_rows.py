"""What every SQLite table of worker data shares: "delete my data" and the erasure audit."""

from __future__ import annotations

import sqlite3

from bot.store.sqlite_connection import SqliteConnection, guard


class WorkerRows:
    """`WorkerData` over one table whose `_column` holds the worker's id."""

    _table: str
    _column = "worker_id"
    _rollups: tuple[str, ...] = ()  # tables the triggers keep per worker (sqlite_rollups.py)

    def __init__(self, db: SqliteConnection):
        self._db = db

    @guard("delete a worker's data")
    async def delete_for_worker(self, worker_id: str) -> None:
        with self._db.transaction() as conn:
            self._delete(conn, worker_id)

    def _delete(self, conn: sqlite3.Connection, worker_id: str) -> None:
        conn.execute(f"DELETE FROM {self._table} WHERE {self._column} = ?", (worker_id,))

    @guard("look for a worker's data")
    async def holds_worker(self, worker_id: str) -> bool:
        tables = [(self._table, self._column)] + [(table, "worker_id") for table in self._rollups]
        return any(self._db.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = ?)",
                                         (worker_id,)).fetchone()[0] for table, column in tables)
