"""A database made by the first release (schema 2, tests/fixtures/release1.db) opens with
today's code, migrates through every migration there is now, and loses nothing: the same rows
and the same report numbers as that release computed (release1.expected.json)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from bot.store.sqlite import SqliteStore
from bot.store.sqlite_migrations import LATEST_VERSION, schema_version
from fixtures.make_release1_db import DB, EXPECTED, TABLES, report_numbers, row_counts


def copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / "coach.db"
    shutil.copyfile(DB, target)
    return target


def test_the_fixture_is_release_ones_schema():
    conn = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    try:
        assert schema_version(conn) == 2
        assert row_counts(conn) == json.loads(EXPECTED.read_text())["rows"]
    finally:
        conn.close()


async def test_release_one_database_migrates_with_no_loss(tmp_path):
    expected = json.loads(EXPECTED.read_text())
    path = copy_fixture(tmp_path)
    store = SqliteStore(path)
    await store.open()
    try:
        conn = store._db.conn
        assert schema_version(conn) == LATEST_VERSION
        assert row_counts(conn) == expected["rows"]
        assert await report_numbers(store) == expected["reports"]
        for table in TABLES:  # every row still reads back through the port's own queries
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == expected["rows"][table]
        worker = await store.workers.get_worker("w2")
        assert worker is not None and worker.language == "sv" and worker.teams_locale == "sv-SE"
        assert (await store.workers.get_worker("w8")).installed is False
        attempts = await store.attempts.list_attempts("w1")
        assert sorted(a.id for a in attempts) == ["a1", "a2"]
        assert len(next(a for a in attempts if a.id == "a2").answers) == 4
    finally:
        await store.close()


async def test_migrated_database_opens_again_without_changes(tmp_path):
    path = copy_fixture(tmp_path)
    for _ in range(2):
        store = SqliteStore(path)
        await store.open()
        await store.close()
    conn = sqlite3.connect(path)
    try:
        assert schema_version(conn) == LATEST_VERSION
        assert row_counts(conn) == json.loads(EXPECTED.read_text())["rows"]
    finally:
        conn.close()
