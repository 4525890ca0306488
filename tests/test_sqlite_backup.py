"""`coach store backup` / `restore`: consistent copies while another connection writes, the
restored database gives the same reports, and bad input is refused with a clear message."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.cli import main
from bot.store.sqlite import SqliteStore
from bot.store.sqlite_backup import BackupError, backup, inspect_database, restore
from bot.store.sqlite_migrations import LATEST_VERSION
from fixtures.make_release1_db import DB, report_numbers, row_counts
from store_contract.dataset import load_report_dataset

BATCH = 10


async def make_database(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    await load_report_dataset(store)
    await store.close()


def write_batches(path: Path, stop: threading.Event, written: list[int]) -> None:
    """Another connection (as a serving bot would be): events in transactions of BATCH."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    batch = 0
    while not stop.is_set() or batch < 20:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO events (id, kind, worker_id, module_id, step_index, locale, at, detail) "
            "VALUES (?, 'step_viewed', 'w1', 'outlook', 1, 'en', '2026-11-20T10:00:00.000000Z', NULL)",
            [(f"load-{batch}-{i}",) for i in range(BATCH)])
        conn.execute("COMMIT")
        batch += 1
    written.append(batch * BATCH)
    conn.close()


async def test_backup_while_another_connection_writes_is_consistent(tmp_path):
    live = tmp_path / "live.db"
    await make_database(live)
    base = sqlite3.connect(live).execute("SELECT count(*) FROM events").fetchone()[0]
    stop, written = threading.Event(), []
    writer = threading.Thread(target=write_batches, args=(live, stop, written))
    writer.start()
    copies = []
    try:
        for n in range(5):
            copies.append(backup(live, tmp_path / f"backup-{n}.db"))
    finally:
        stop.set()
        writer.join(30)
    assert written and written[0] >= 20 * BATCH
    seen = []
    for info in copies:
        conn = sqlite3.connect(info.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        loaded = conn.execute("SELECT count(*) FROM events").fetchone()[0] - base
        conn.close()
        assert loaded % BATCH == 0, "a backup holds whole transactions only"
        assert 0 <= loaded <= written[0]
        seen.append(loaded)
    assert seen == sorted(seen)
    assert not list(tmp_path.glob("*.partial"))


async def test_restore_gives_the_same_reports(tmp_path):
    live = tmp_path / "live.db"
    await make_database(live)
    store = SqliteStore(live)
    await store.open()
    before = await report_numbers(store)
    await store.close()
    backup(live, tmp_path / "copy.db")
    restored = tmp_path / "restored" / "coach.db"
    info = restore(tmp_path / "copy.db", restored)
    assert info.version == LATEST_VERSION
    store = SqliteStore(restored)
    await store.open()
    try:
        assert await report_numbers(store) == before
    finally:
        await store.close()


async def test_restore_refuses_to_overwrite_without_force(tmp_path):
    live, other = tmp_path / "live.db", tmp_path / "other.db"
    await make_database(live)
    shutil.copyfile(DB, other)  # release 1's database: older, supported
    with pytest.raises(BackupError, match="--force"):
        restore(other, live)
    assert restore(other, live, force=True).version == 2
    conn = sqlite3.connect(live)
    assert row_counts(conn)["workers"] == 8
    conn.close()
    store = SqliteStore(live)  # migrates on open
    await store.open()
    await store.close()


def test_restore_refuses_what_is_not_a_supported_coach_database(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    with pytest.raises(BackupError, match="not a usable Adoption Coach database"):
        inspect_database(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="not an Adoption Coach database"):
        inspect_database(other)
    newer = tmp_path / "newer.db"
    shutil.copyfile(DB, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(BackupError, match="newer than this program supports"):
        restore(newer, tmp_path / "coach.db")
    assert not (tmp_path / "coach.db").exists()
    with pytest.raises(BackupError, match="does not exist"):
        inspect_database(tmp_path / "missing.db")


async def test_cli_backup_and_restore(tmp_path, monkeypatch, capsys):
    live = tmp_path / "data" / "coach.db"
    live.parent.mkdir()
    await make_database(live)
    monkeypatch.setenv("SQLITE_PATH", str(live))
    monkeypatch.setenv("STORE", "sqlite")
    target = tmp_path / "backup.db"
    assert main(["store", "backup", str(target)]) == 0
    assert "schema version" in capsys.readouterr().out
    assert main(["store", "backup", str(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["store", "restore", str(target)]) == 2
    assert "stop the bot" in capsys.readouterr().err
    assert main(["store", "restore", str(target), "--force"]) == 0
    monkeypatch.setenv("STORE", "cosmos")
    assert main(["store", "backup", str(tmp_path / "x.db")]) == 2
    assert "continuous backup" in capsys.readouterr().err
