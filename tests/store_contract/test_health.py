from __future__ import annotations

from bot.store.port import Store


async def test_an_open_store_is_healthy(store: Store) -> None:
    health = await store.health()

    assert health.status == "ok"
    assert health.backend
