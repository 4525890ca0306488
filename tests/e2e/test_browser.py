"""The playground's web UI in headless Chromium: welcome card, menu, a module step, back to the
menu, as a user clicks through it; then the menu and a step with its picture in en, sv and nl.
Screenshots land in test-artifacts/ (welcome, step, menu, step-<lang>, menu-<lang>).

Chromium is the Debian package at /usr/bin/chromium (`make test` installs it). Without it this
test FAILS: a browser test that silently skips is a browser test nobody runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Content
from .playground import ARTIFACTS, ROOT, PlaygroundClient, PlaygroundStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path(__file__).with_name("browser_driver.mjs")
MODULE = "mfa-sign-in"
LANGUAGES = ("en", "sv", "nl")
SCREENSHOTS = ("welcome.png", "step.png", "menu.png",
               *(f"{kind}-{lang}.png" for lang in LANGUAGES for kind in ("step", "menu")))


def require_chromium() -> Path:
    """Called in the test body: a missing browser is a test FAILURE (not a setup error, not a skip)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs chromium) or apt-get install chromium",
                    pytrace=False)
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        pytest.fail("node_modules/playwright-core is missing: run `npm ci` (make test does it)", pytrace=False)
    return CHROMIUM


def expected_texts(content: Content) -> dict:
    """What the UI must show, in English (the playground's Teams locale is en-US)."""
    ui = lambda key, **values: content.ui("en", key, **values)  # noqa: E731
    module = content.module("en", MODULE)
    total = len(module["steps"])
    return {
        "welcomeTitles": [ui("welcome.title", name="Alex")],
        "welcomeIntro": ui("welcome.intro"),
        "welcomeStart": ui("welcome.start"),
        "menuTitle": ui("menu.title"),
        "moduleTitle": module["title"],
        "notStarted": ui("menu.status.not_started", minutes=f"{module['minutes']} min"),
        "startLabel": ui("menu.start"),
        "stepPositions": [ui("step.position", module=module["title"], step=n, total=total) for n in (1, 2)],
        "stepTitles": [step["title"] for step in module["steps"][:2]],
        "nextLabel": ui("common.next"),
        "menuLabel": ui("common.menu"),
        "inProgress": ui("menu.status.in_progress", step=2, total=total),
        "continueLabel": ui("menu.continue"),
        "languages": [language_texts(content, lang) for lang in LANGUAGES],
    }


def language_texts(content: Content, lang: str) -> dict:
    """What one language's menu and first step show (the journey's screenshots per language)."""
    ui = lambda key, **values: content.ui(lang, key, **values)  # noqa: E731
    module = content.module(lang, MODULE)
    total = len(module["steps"])
    return {
        "code": lang,
        "menuTitle": ui("menu.title"),
        "moduleTitle": module["title"],
        "continueLabel": ui("menu.continue"),
        "backLabel": ui("common.back"),
        "menuLabel": ui("common.menu"),
        "languageLabel": ui("common.language"),
        "languageTitle": ui("language.title"),
        "languageName": ui(f"language.name.{lang}"),
        "stepPositions": [ui("step.position", module=module["title"], step=n, total=total) for n in (1, 2)],
        "pictureAlt": module["steps"][0]["image"]["alt"],
    }


def test_click_through_welcome_module_step_and_menu_in_the_web_ui(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content, tmp_path: Path) -> None:
    chromium = require_chromium()
    node = shutil.which("node")
    assert node, "Node.js is not on PATH"
    for name in (*SCREENSHOTS, "browser-failure.png", "browser-failure.html"):
        (ARTIFACTS / name).unlink(missing_ok=True)
    job = {"url": playground.url, "chromium": str(chromium), "userDataDir": str(tmp_path / "chromium-profile"),
           "artifacts": str(ARTIFACTS), "expect": expected_texts(content)}
    chat.cursor = len(chat.messages)
    run = subprocess.run([node, str(DRIVER), json.dumps(job)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    (ARTIFACTS / "browser-driver.log").write_text(f"exit {run.returncode}\n{run.stdout}\n{run.stderr}")
    lines = run.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"ok": False}
    assert run.returncode == 0 and result["ok"], (
        f"the browser run failed (see {ARTIFACTS}/browser-failure.png): {result.get('error')}\n"
        f"seen: {result.get('seen')}\nstderr:\n{run.stderr[-3000:]}")

    for name in SCREENSHOTS:
        png = (ARTIFACTS / name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000, f"{name} looks empty ({len(png)} bytes)"

    # What the browser showed is what the bot sent: the clicks reached it as card submits.
    expect = job["expect"]
    for position in expect["stepPositions"]:
        chat.wait_for(lambda m: position in m.texts, what=f"step card {position!r} sent to the browser")
    chat.wait_for(lambda m: expect["inProgress"] in m.texts, what="menu with the module in progress")
