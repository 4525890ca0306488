"""The playground's web UI in headless Chromium: welcome card, menu, a module step, back to the
menu, as a user clicks through it; then the worker's journey in en, sv and nl: the welcome, the
menu, a step with its picture, an exercise done ✓, a quiz question and the result, my data.
Screenshots land in test-artifacts/ (welcome, step, menu and, per language, welcome-, menu-,
step-, exercise-, question-, result- and mydata-<lang>.png).

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
from .playground import ARTIFACTS, PERSONAL_CHAT, ROOT, PlaygroundClient, PlaygroundStack

# The journey is ~90 clicks in three languages: minutes on a loaded 2-core machine.
pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(900)]

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path(__file__).with_name("browser_driver.mjs")
MODULE = "mfa-sign-in"
LANGUAGES = ("en", "sv", "nl")
JOURNEY = ("welcome", "menu", "step", "exercise", "question", "result", "mydata")
SCREENSHOTS = ("welcome.png", "step.png", "menu.png",
               *(f"{kind}-{lang}.png" for lang in LANGUAGES for kind in JOURNEY))


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
    questions = len(module["quiz"]["questions"])
    return {
        "code": lang,
        "welcomeTitle": ui("welcome.title", name="Alex"),
        "welcomeIntro": ui("welcome.intro"),
        "menuTitle": ui("menu.title"),
        "moduleTitle": module["title"],
        "continueLabel": ui("menu.continue"),
        "backLabel": ui("common.back"),
        "menuLabel": ui("common.menu"),
        "languageLabel": ui("common.language"),
        "languageTitle": ui("language.title"),
        "languageName": ui(f"language.name.{lang}"),
        "stepPositions": [ui("step.position", module=module["title"], step=n, total=total)
                          for n in range(1, total + 1)],
        "pictureAlt": module["steps"][0]["image"]["alt"],
        "nextLabel": ui("common.next"),
        "exerciseStep": next(i for i, step in enumerate(module["steps"]) if step.get("exercise")),
        "clickDone": lang == LANGUAGES[0],  # marks are per module: the later languages find it done
        "doneLabel": ui("step.done"),
        "exerciseDone": ui("step.exercise_done"),
        "quizLabel": ui("menu.quiz"),
        "questionPositions": [ui("quiz.position", module=module["title"], number=n, total=questions)
                              for n in range(1, questions + 1)],
        "submitLabel": ui("quiz.submit"),
        "resultTitle": ui("quiz.result.title", module=module["title"]),
        "myDataCommand": ui("command.my_data").split("|")[0],
        "myDataTitle": ui("mydata.title"),
        "myDataExercises": ui("mydata.progress.exercises", done=1, skipped=0),
    }


def removal(playground: PlaygroundStack) -> dict:
    """Where the bot listens, and the installationUpdate (remove) Teams sends it when the mock
    user removes the app (the playground has no route for it; adding it again is its own)."""
    config = playground.config
    user = config["currentUser"]
    return {"messagesUrl": f"http://127.0.0.1:{playground.bot_port}/api/messages", "activity": {
        "type": "installationUpdate", "action": "remove", "channelId": "msteams",
        "serviceUrl": f"{playground.url}/_connector",
        "from": {"id": user["id"], "aadObjectId": user["aadObjectId"], "name": user["name"]},
        "recipient": {"id": config["bot"]["id"], "name": config["bot"]["name"]},
        "conversation": {"id": PERSONAL_CHAT, "conversationType": "personal", "tenantId": config["tenantId"]},
        "channelData": {"tenant": {"id": config["tenantId"]}}}}


def test_click_through_welcome_module_step_and_menu_in_the_web_ui(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content, tmp_path: Path) -> None:
    chromium = require_chromium()
    node = shutil.which("node")
    assert node, "Node.js is not on PATH"
    for name in (*SCREENSHOTS, "browser-failure.png", "browser-failure.html"):
        (ARTIFACTS / name).unlink(missing_ok=True)
    job = {"url": playground.url, "chromium": str(chromium), "userDataDir": str(tmp_path / "chromium-profile"),
           "artifacts": str(ARTIFACTS), "bot": removal(playground), "expect": expected_texts(content)}
    chat.cursor = len(chat.messages)
    run = subprocess.run([node, str(DRIVER), json.dumps(job)], cwd=ROOT, capture_output=True, text=True,
                         timeout=840)
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
    for lang in expect["languages"]:  # and every language's journey reached the bot and came back
        for text in (lang["welcomeTitle"], lang["exerciseDone"], lang["resultTitle"], lang["myDataExercises"]):
            chat.wait_for(lambda m, text=text: any(text in shown for shown in m.texts),
                          what=f"{lang['code']}: a card showing {text!r}")
