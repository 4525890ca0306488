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


def make_twin(name: str, first: Store) -> Store:
    """A second instance on the same data, as another replica would open it (memory has no
    second instance: the same one serves)."""
    if name == "sqlite":
        from bot.store.sqlite import SqliteStore

        return SqliteStore(first.path)  # type: ignore[attr-defined]
    if name == "cosmos":
        from cosmos_support import local_cosmos_store

        return local_cosmos_store(database=first.config.database)  # type: ignore[attr-defined]
    return first


@pytest.fixture(params=BACKENDS)
async def store_pair(request: pytest.FixtureRequest,
                     tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two instances of one backend on one store (a SQLite file, a Cosmos database)."""
    first = make_store(request.param, tmp_path)
    await first.open()
    second = make_twin(request.param, first)
    try:
        await second.open()
        yield first, second
    finally:
        if second is not first:
            await second.close()
        await first.close()


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    backend = make_store(request.param, tmp_path)
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()
