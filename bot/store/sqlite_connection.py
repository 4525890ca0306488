"""The one sqlite3 connection of a SqliteStore: opening (pragmas, migrations), transactions,
and turning every sqlite3 error into StoreUnavailable with a message free of SQL and data.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from bot.store.port import StoreUnavailable
from bot.store.sqlite_migrations import SchemaTooNew, migrate

P = ParamSpec("P")
T = TypeVar("T")

_REASONS = {
    "SQLITE_BUSY": "the database is locked by another connection",
    "SQLITE_LOCKED": "the database is locked by another connection",
    "SQLITE_IOERR": "disk I/O error",
    "SQLITE_FULL": "the disk is full",
    "SQLITE_CANTOPEN": "the database file cannot be opened",
    "SQLITE_NOTADB": "the file is not an SQLite database",
    "SQLITE_CORRUPT": "the database file is corrupt",
    "SQLITE_READONLY": "the database is read-only",
    "SQLITE_PERM": "permission denied",
}


def error_reason(exc: sqlite3.Error) -> str:
    """A short cause, from the error code only: sqlite3 messages may quote SQL."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    primary = "_".join(name.split("_")[:2])
    return _REASONS.get(primary) or (name or type(exc).__name__)


def _unavailable(action: str, exc: sqlite3.Error) -> StoreUnavailable:
    return StoreUnavailable(f"SQLite store unavailable: could not {action} ({error_reason(exc)})")


def guard(action: str) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    def decorate(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(method)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await method(*args, **kwargs)
            except sqlite3.Error as exc:
                raise _unavailable(action, exc) from exc
        return guarded
    return decorate


class SqliteConnection:
    """Opened once, shared by every aggregate of one SqliteStore."""

    def __init__(self, path: Path, busy_timeout_ms: int):
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable("SQLite store unavailable: it is not open")
        return self._conn

    def open(self) -> None:
        if self._conn is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"SQLite store unavailable: cannot create the folder "
                                   f"{self.path.parent} ({exc.strerror})") from exc
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms:d}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailable(f"SQLite store unavailable: {self.path} cannot use "
                                       f"WAL journal mode (got {mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except sqlite3.Error as exc:
            _close_quietly(conn)
            raise StoreUnavailable(f"SQLite store unavailable: could not open {self.path} "
                                   f"({error_reason(exc)})") from exc
        except SchemaTooNew as exc:
            _close_quietly(conn)
            raise StoreUnavailable(f"SQLite store unavailable: {self.path}: {exc}") from exc
        except StoreUnavailable:
            _close_quietly(conn)
            raise
        self._conn = conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # statistics only; closing matters more
        conn.close()

    @contextmanager
    def transaction(self, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """IMMEDIATE for writes; DEFERRED for a consistent snapshot of several reads."""
        conn = self.conn
        conn.execute(f"BEGIN {mode}")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _close_quietly(conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except sqlite3.Error:
            pass
