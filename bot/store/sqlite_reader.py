"""A second, read-only SQLite connection that runs report queries in its own thread, so a heavy
report never holds the event loop (a worker's turn keeps using the main connection inline).

WAL mode lets this reader see the last committed state while the main connection writes.
Errors leave as StoreUnavailable, like the main connection's (sqlite_connection.guard).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.store.port import StoreUnavailable
from bot.store.sqlite_connection import error_reason

T = TypeVar("T")


class SqliteReader:
    """One connection, one thread: reads queue behind each other. `snapshot()` keeps one read
    transaction open across several `read()` calls of the same task, so they agree."""

    def __init__(self, path: Path, busy_timeout_ms: int):
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._in_snapshot: ContextVar[bool] = ContextVar(f"sqlite_snapshot_{id(self)}", default=False)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        if self._in_snapshot.get():
            yield
            return
        async with self._lock:
            await self._call("start a read", lambda conn: conn.execute("BEGIN DEFERRED"))
            token = self._in_snapshot.set(True)
            try:
                yield
            finally:
                self._in_snapshot.reset(token)
                await self._call("end a read", lambda conn: conn.execute("ROLLBACK"))

    async def read(self, action: str, query: Callable[[sqlite3.Connection], T]) -> T:
        """`query(conn)` in the reader thread, inside the current snapshot or one of its own."""
        async with self.snapshot():
            return await self._call(action, query)

    async def data_version(self) -> int:
        """Changes whenever another connection (the store's writer, another process) commits:
        equal values mean nothing was written in between (SQLite's PRAGMA data_version)."""
        return await self._call("check for writes", lambda conn: conn.execute("PRAGMA data_version").fetchone()[0])

    async def _call(self, action: str, query: Callable[[sqlite3.Connection], T]) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-reader")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, action, query)

    def _run(self, action: str, query: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return query(self._connection())
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite store unavailable: could not {action} ({error_reason(exc)})") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms:d}")
            conn.execute("PRAGMA query_only = ON")
            conn.row_factory = sqlite3.Row
            conn.create_function("casefold", 1, lambda text: text.casefold() if isinstance(text, str) else text,
                                 deterministic=True)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.submit(self._close_connection)
            executor.shutdown(wait=True)

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
