"""The `store` fixture: every contract test runs once per backend, on an empty store.

To add a backend, add its name to BACKENDS (with its marks) and a branch to make_store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.port import Store

BACKENDS = [
    pytest.param("memory"),
    pytest.param("sqlite"),
    pytest.param("cosmos", marks=pytest.mark.cosmos),
]


def make_store(name: str, tmp_path: Path) -> Store:
    """A new, empty, unopened store of the named backend."""
    if name == "memory":
        from bot.store.memory import MemoryStore

        return MemoryStore()
    if name == "sqlite":
        from bot.store.sqlite import SqliteStore

        return SqliteStore(tmp_path / "store" / "coach.db")
    if name == "cosmos":
        from cosmos_support import local_cosmos_store  # tests/cosmos_support.py

        return local_cosmos_store()
    raise ValueError(f"unknown backend {name!r}")


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    backend = make_store(request.param, tmp_path)
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()
