"""Backups of the SQLite store with SQLite's online backup API: safe while the bot serves.

`backup()` copies the live database in one step from a read snapshot (WAL mode: writers are
never blocked, and the copy is one consistent moment) into a new single file. `restore()`
checks that a file is an Adoption Coach database of a version this program can open, then
copies it over the configured database through the same API (so a leftover -wal file of the
old database cannot mix with it). Restore while the bot is stopped.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.store.sqlite_connection import error_reason
from bot.store.sqlite_migrations import LATEST_VERSION, schema_version

# The tables of the first release: every Coach database has them.
REQUIRED_TABLES = frozenset({"workers", "progress", "events", "attempts", "answers", "feedback"})


class BackupError(Exception):
    """The backup or restore did not happen; the message says why and what to do."""


@dataclass(frozen=True)
class DatabaseInfo:
    path: Path
    version: int
    workers: int
    size_bytes: int


def inspect_database(path: Path) -> DatabaseInfo:
    """What `path` holds, if it is an intact Coach database this program can open."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened ({error_reason(exc)})") from exc
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        version = schema_version(conn)
        if not REQUIRED_TABLES <= tables or version < 1:
            raise BackupError(f"{path} is an SQLite database but not an Adoption Coach database")
        if version > LATEST_VERSION:
            raise BackupError(f"{path} has schema version {version}, newer than this program "
                              f"supports ({LATEST_VERSION}): upgrade Adoption Coach first")
        problem = conn.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"{path} is damaged: {problem}")
        workers = conn.execute("SELECT count(*) FROM workers").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a usable Adoption Coach database ({error_reason(exc)})") from exc
    finally:
        conn.close()
    return DatabaseInfo(path, version, workers, path.stat().st_size)


def backup(database: Path, target: Path, *, force: bool = False) -> DatabaseInfo:
    """Copy the live `database` to `target` (one self-contained file)."""
    inspect_database(database)
    if target.exists() and not force:
        raise BackupError(f"{target} exists: choose another file or pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(database, partial)
        with sqlite3.connect(partial) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")  # no -wal beside the backup file
        _fsync(partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed ({error_reason(exc)})") from exc
    return inspect_database(target)


def restore(source: Path, database: Path, *, force: bool = False) -> DatabaseInfo:
    """Replace `database` with the backup in `source`. Refuses to overwrite without force."""
    info = inspect_database(source)
    if database.exists() and not force:
        raise BackupError(f"{database} exists: stop the bot, then pass --force to replace it "
                          f"with {source}")
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        _copy(source, database)
        with sqlite3.connect(database) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed ({error_reason(exc)}); {database} may be "
                          f"incomplete: run the restore again") from exc
    return info


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        dst.execute("PRAGMA busy_timeout = 5000")
        src.execute("PRAGMA busy_timeout = 5000")
        src.backup(dst)  # all pages in one step: one snapshot, never restarted by writers
    finally:
        dst.close()
        src.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
