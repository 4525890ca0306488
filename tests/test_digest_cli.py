"""`coach digest send --now` delivers through the real messenger (the connector stub records
it) and counts as this week's card; and an admin typing `report` gets the same card."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.cli import main
from bot.digest_cli import send_now
from bot.settings import Settings
from bot.store.sqlite import SqliteStore
from card_reading import card_texts
from conftest import activity


async def register_admin(tmp_path, connector) -> Settings:
    settings = Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "bot.db",
                        admin_ids=["aad-worker-1"], app_id="app-guid")
    app = create_app(settings, jobs=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        await client.post("/api/messages", json=activity(connector.url, type="message",
                                                         text="menu", id="hi"))
    connector.sent.clear()
    return settings


async def test_send_now_reaches_the_admin_once_a_week(tmp_path, connector):
    settings = await register_admin(tmp_path, connector)

    assert await send_now(settings) == f"digest {_week()}: 1 sent, 0 skipped, 0 failed"
    assert await send_now(settings) == f"digest {_week()}: 0 sent, 1 skipped, 0 failed"

    [sent] = connector.sent
    card = sent["attachments"][0]["content"]
    assert card_texts(card)[0].startswith("Adoption Coach: week")
    assert card["actions"][0]["url"] == "https://teams.microsoft.com/l/entity/app-guid/dashboard"


def _week() -> str:
    from domain.models import utcnow
    from domain.reports import iso_week

    return iso_week(utcnow())


def test_send_needs_now_and_admins(capsys, monkeypatch):
    monkeypatch.setenv("STORE", "memory")
    monkeypatch.delenv("ADMIN_IDS", raising=False)
    assert main(["digest", "send"]) == 2
    assert "--now" in capsys.readouterr().err
    assert main(["digest", "send", "--now"]) == 2
    assert "ADMIN_IDS" in capsys.readouterr().err


async def test_report_gives_admins_the_digest_card_and_others_the_normal_reply(store, catalog):
    from chat import Chat
    from dialogs.router import AdminReport, Router

    router = Router(catalog, AdminReport(frozenset({"admin-1"}), "app-guid"))
    admin = Chat(store, router, worker_id="admin-1")
    worker = Chat(store, router, worker_id="worker-1")

    [card] = (await admin.say("report")).replies
    assert card_texts(card)[0].startswith("Adoption Coach: week")
    [normal] = (await worker.say("report")).replies
    assert not card_texts(normal)[0].startswith("Adoption Coach")
    assert any(a["data"].get("verb") == "askit" for a in normal["actions"])
