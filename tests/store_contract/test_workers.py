from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.store.port import Store

from .dataset import nov, worker


async def test_unknown_worker_is_none(store: Store) -> None:
    assert await store.workers.get_worker("nobody") is None


async def test_register_creates_an_installed_worker(store: Store) -> None:
    new = worker("w1", name="Ada", teams_locale="sv-SE", conversation={"id": "c1", "n": [1, 2]})

    stored = await store.workers.register_worker(new)

    assert stored == new
    assert await store.workers.get_worker("w1") == new


async def test_register_again_refreshes_but_keeps_created_at_and_language(store: Store) -> None:
    await store.workers.register_worker(worker("w1", created_at=nov(1), updated_at=nov(1)))
    await store.workers.set_language("w1", "nl")
    await store.workers.mark_uninstalled("w1", nov(3))

    again = worker("w1", tenant_id="t2", name="Ada L.", teams_locale="sv-SE", language=None,
                   conversation={"id": "c2"}, created_at=nov(5), updated_at=nov(5))
    stored = await store.workers.register_worker(again)

    expected = again.model_copy(update={"created_at": nov(1), "language": "nl", "uninstalled_at": nov(3)})
    assert stored == expected
    assert stored.installed and stored.uninstalled_at == nov(3)  # the last uninstall stays known
    assert await store.workers.get_worker("w1") == expected


async def test_set_language_and_back_to_teams(store: Store) -> None:
    await store.workers.register_worker(worker("w1"))

    await store.workers.set_language("w1", "sv")
    assert (await store.workers.get_worker("w1")).language == "sv"

    await store.workers.set_language("w1", None)
    assert (await store.workers.get_worker("w1")).language is None


async def test_uninstall_marks_the_worker(store: Store) -> None:
    await store.workers.register_worker(worker("w1"))

    await store.workers.mark_uninstalled("w1", nov(4, 10))

    stored = await store.workers.get_worker("w1")
    assert stored.installed is False
    assert stored.uninstalled_at == nov(4, 10)


async def test_writes_for_unknown_workers_create_nothing(store: Store) -> None:
    await store.workers.set_language("ghost", "sv")
    await store.workers.mark_uninstalled("ghost", nov(4))

    assert await store.workers.get_worker("ghost") is None


async def test_times_come_back_as_utc(store: Store) -> None:
    stockholm = timezone(timedelta(hours=1))
    created = datetime(2026, 11, 3, 9, 30, 15, 123456, tzinfo=stockholm)

    await store.workers.register_worker(worker("w1", created_at=created, updated_at=created))

    stored = await store.workers.get_worker("w1")
    assert stored.created_at == created
    assert stored.created_at.utcoffset() == timedelta(0)
