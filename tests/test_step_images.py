"""Pictures: every module has one, drawn by the project (content/images/, small PNGs), with alt
text in every language; the bot serves them itself and cards name them under its public URL."""

from __future__ import annotations

import struct

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.content import IMAGES_DIR, LOCALES, Catalog, Image, load_catalog
from bot.settings import Settings
from card_reading import cards, nodes
from chat import IMAGE_BASE, Chat
from dialogs.router import Router

MAX_BYTES = 40_000


def pictures(catalog: Catalog, language: str) -> dict[str, Image]:
    return {module.id: step.image for module in catalog.modules(language) for step in module.steps if step.image}


def test_every_module_has_a_picture_with_alt_text_in_every_language(catalog: Catalog) -> None:
    english = pictures(catalog, "en")
    assert set(english) == set(catalog.module_ids())
    for language in LOCALES:
        found = pictures(catalog, language)
        assert {m: i.url for m, i in found.items()} == {m: i.url for m, i in english.items()}
        assert all(image.alt.strip() for image in found.values())
        if language != "en":
            assert all(found[m].alt != english[m].alt for m in found), "alt text left in English"


def test_pictures_are_small_pngs_of_the_project(catalog: Catalog) -> None:
    for image in pictures(catalog, "en").values():
        path = IMAGES_DIR.parent / image.url
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < MAX_BYTES, (path, len(data))
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (480, 270)


def test_a_project_path_is_allowed_and_anything_else_is_not() -> None:
    assert Image(url="images/teams.png", alt="x").address("https://coach.example") == \
        "https://coach.example/static/images/teams.png"
    assert Image(url="https://example.com/a.png", alt="x").address("https://coach.example") == "https://example.com/a.png"
    for bad in ("http://example.com/a.png", "../bot/app.py", "images/../x.png", "images/a.svg", "/etc/passwd"):
        try:
            Image(url=bad, alt="x")
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_a_missing_picture_is_a_content_error(content_copy) -> None:
    (content_copy / "images" / "teams.png").unlink()
    _, errors = load_catalog(content_copy, strict=False)
    assert any("no picture images/teams.png" in str(e) for e in errors), errors


async def test_the_step_card_shows_the_picture_under_the_public_url(store, catalog: Catalog) -> None:
    chat = Chat(store, Router(catalog), language="nl")
    [card] = cards(await chat.click({"verb": "module.start", "module": "teams", "n": "i1"}))
    [image] = [node for node in nodes(card) if node.get("type") == "Image"]
    assert image["url"] == f"{IMAGE_BASE}/static/images/teams.png"
    assert image["altText"] == pictures(catalog, "nl")["teams"].alt


async def test_the_bot_serves_its_pictures_and_nothing_else(tmp_path) -> None:
    settings = Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "c.db",
                        public_base_url="https://coach.example.com")
    assert settings.image_base_url == "https://coach.example.com"
    client = TestClient(TestServer(create_app(settings, jobs=False)))
    await client.start_server()
    try:
        served = await client.get("/static/images/teams.png")
        assert served.status == 200 and served.content_type == "image/png"
        assert await served.read() == (IMAGES_DIR / "teams.png").read_bytes()
        for path in ("/static/images/nope.png", "/static/images/../ui.yaml", "/static/images/%2e%2e/en/ui.yaml",
                     "/static/images/"):
            assert (await client.get(path)).status in (403, 404), path
    finally:
        await client.close()


@pytest.mark.parametrize("url", [
    "http://coach.example.com", "http://localhost.evil.example", "http://127.0.0.1.evil.example",
    "http://localhost@evil.example", "ftp://localhost", "https://", "coach.example.com"])
def test_the_public_base_url_must_be_https_or_loopback(url: str) -> None:
    with pytest.raises(ValueError):
        Settings(public_base_url=url)


@pytest.mark.parametrize("url", ["https://coach.example.com/", "http://localhost:3978",
                                 "http://127.0.0.1:3978", "http://[::1]:3978"])
def test_https_and_loopback_public_base_urls_are_taken(url: str) -> None:
    assert Settings(public_base_url=url).public_base_url == url.rstrip("/")
