"""Control characters in worker text: stripped when feedback comes in and again when the admin
report prints it, so no terminal escape (screen clearing, disguised OSC 8 links) reaches a screen."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.store.sqlite import SqliteStore
from domain.models import Feedback, FeedbackCategory
from domain.reports import ReportFilter
from domain.text import strip_controls
from card_reading import action, cards
from chat import Chat

CLEAR_SCREEN = "\x1b[2J\x1b[H"
HIDDEN_LINK = "\x1b]8;;https://evil.example/\x1b\\Open the IT portal\x1b]8;;\x1b\\"
C1_CSI = "\x9b31m"
HOSTILE = f"{CLEAR_SCREEN}Outlook\r keeps\x00 asking\x07 {HIDDEN_LINK} {C1_CSI}\x7f"


@pytest.mark.parametrize("text, clean", [
    (HOSTILE, "[2J[HOutlook keeps asking ]8;;https://evil.example/\\Open the IT portal]8;;\\ 31m"),
    ("Line one\nline two\tindented", "Line one\nline two\tindented"),
    ("Åsa's laptop 🚀 ÄÖ — ok", "Åsa's laptop 🚀 ÄÖ — ok"),
])
def test_strip_controls_keeps_text_newline_and_tab(text, clean):
    assert strip_controls(text) == clean
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f for c in strip_controls(text))


async def test_feedback_is_stored_without_control_characters(chat: Chat) -> None:
    [card] = cards(await chat.click({"verb": "feedback.open", "n": "open-1"}))
    await chat.click(action(card, "feedback.submit"), rating="4", category="app", text=HOSTILE, anonymous="true")
    [item] = (await chat.store.reports.feedback_report(ReportFilter())).items
    assert item.text == strip_controls(HOSTILE).strip()
    assert "\x1b" not in item.text and "\x9b" not in item.text


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_the_feedback_report_prints_no_control_characters(tmp_path: Path, fmt: str) -> None:
    # Stored before this fix (or by another writer): the report strips it again.
    db = tmp_path / "coach.db"

    async def build() -> None:
        sqlite = SqliteStore(db)
        await sqlite.open()
        await sqlite.feedback.add_feedback(Feedback(
            id="f1", worker_id=None, rating=2, category=FeedbackCategory.APP, text=HOSTILE,
            created_at=datetime(2026, 11, 5, 10, tzinfo=timezone.utc)))
        await sqlite.close()

    asyncio.run(build())
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "feedback", "--since", "2026-11-01", "--until", "2026-11-30", "--db", str(db),
                 "--format", fmt, "--out", str(out)]) == 0
    printed = out.read_text(encoding="utf-8-sig")
    assert "Outlook" in printed
    assert "\x1b" not in printed and "\x9b" not in printed and "\\u001b" not in printed
