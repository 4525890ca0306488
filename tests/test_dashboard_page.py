"""The dashboard page and its assets: the CSP lets only Teams frame it and runs only the app's
own scripts, every script is a file from the allow-list, assets are cached by content hash and
nothing outside the allow-list is served."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from bot.web.assets import PREFIX, STATIC, VENDOR_FILES, VENDOR_FOLDERS, Assets
from bot.security_headers import TEAMS_FRAME_ANCESTORS


pytestmark = pytest.mark.asyncio(loop_scope="module")

class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client():
    app = create_app(Settings(anonymous=True, store="memory"), jobs=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


async def test_the_page_may_be_framed_by_teams_only_and_runs_only_its_own_scripts(client: TestClient) -> None:
    response = await client.get("/dashboard")
    assert response.status == 200
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"].split() == list(TEAMS_FRAME_ANCESTORS)
    assert csp.get("script-src", csp["default-src"]) == "'self'"  # the app's own files only
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    page = Tags()
    page.feed(await response.text())
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert page.inline == [] and scripts and all(a["src"].startswith(PREFIX + "/") for a in scripts)
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)  # no inline handlers


async def test_every_allow_listed_asset_is_served_with_a_long_cache(client: TestClient) -> None:
    assets = Assets()
    assert assets.missing() == []
    assert set(assets.urls) == set(VENDOR_FILES) | set(VENDOR_FOLDERS)
    for name, url in assets.urls.items():
        assert re.search(r"\.[0-9a-f]{16}[./]", url), url
        response = await client.get(url)
        assert response.status == 200, name
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.content_type in ("text/javascript", "text/css", "image/png")


@pytest.mark.parametrize("path", [
    "/dashboard/assets/teams-js.0000000000000000.js",  # a stale hash
    "/dashboard/assets/chart.js/package.json",
    "/dashboard/assets/fluent-tokens.{hash}/../package.json",
    "/dashboard/assets/fluent-tokens.{hash}/%2e%2e/%2e%2e/package.json",
    "/dashboard/assets/fluent-tokens.{hash}/index.js.map",
    "/dashboard/assets/fluent-tokens.{hash}/",
    "/dashboard/assets/../../pyproject.toml",
])
async def test_nothing_outside_the_allow_list_is_served(client: TestClient, path: str) -> None:
    key = Assets().urls["fluent-tokens"].split("/")[3]
    response = await client.get(path.replace("fluent-tokens.{hash}", key))
    assert response.status == 404


async def test_the_tokens_folder_serves_its_es_modules(client: TestClient) -> None:
    url = Assets().urls["fluent-tokens"]
    index = await (await client.get(url)).text()
    first = re.search(r'from "\./([^"]+\.js)"', index).group(1)
    assert (await client.get(url.rsplit("/", 1)[0] + "/" + first)).status == 200


async def test_the_page_strings_follow_the_teams_locale(client: TestClient) -> None:
    swedish = await (await client.get("/dashboard/strings?lang=sv-SE")).json()
    assert swedish["language"] == "sv" and swedish["strings"]["dashboard.tab.workers"] == "Medarbetare"
    fallback = await (await client.get("/dashboard/strings?lang=de-DE")).json()
    assert fallback["language"] == "en" and fallback["headers"]["name"] == "Name"


async def test_the_page_scripts_never_parse_text_as_html() -> None:
    """What workers and trainers typed reaches the page as text nodes (el() in dashboard.js)."""
    for script in sorted((STATIC).glob("*.js")):
        source = script.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", source), script.name


async def test_every_string_a_page_script_names_is_served(client: TestClient) -> None:
    served = (await (await client.get("/dashboard/strings?lang=nl-NL")).json())["strings"]
    named = {key for script in sorted(STATIC.glob("*.js"))
             for key in re.findall(r"""\bt\(["']([\w.]+)["']""", script.read_text(encoding="utf-8"))}
    assert named and named - set(served) == set()
    assert served["dashboard.inbox.conflict"].startswith("Iemand anders")  # in Dutch
    for state in ("draft", "scheduled", "sending", "sent", "closed", "cancelled"):
        assert f"dashboard.campaigns.state.{state}" in served
    for category in ("content", "policy", "device", "app", "other", "question"):
        assert f"feedback.category.{category}" in served
