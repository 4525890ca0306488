"""Build the store the settings ask for. Backends are imported only when chosen."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.port import Store


def create_store(settings: Settings) -> Store:
    """An unopened store: the caller runs `await store.open()` (and `close()` at shutdown)."""
    if settings.store == "memory":
        from bot.store.memory import MemoryStore

        return MemoryStore()
    if settings.store == "sqlite":
        from bot.store.sqlite import SqliteStore

        return SqliteStore(settings.sqlite_path)
    if settings.store == "cosmos":
        from bot.store.cosmos import CosmosStore

        return CosmosStore.from_settings(settings)
    raise ValueError(f"unknown store {settings.store!r}")
