"""Greetings, thanks and a lone "?": answered kindly, with the menu at hand. The words are
data (`smalltalk.<kind>` in every ui.yaml, `|`-separated) and understood in every language."""

from __future__ import annotations

import re

from bot.content import Catalog
from domain.matching import fold
from cards.general import offer_menu_card

from .turn import Turn

KINDS = ("greeting", "thanks")
MAX_EXTRA_WORDS = 2  # "hi there", "thanks a lot": a few more words are still small talk


class SmallTalk:
    def __init__(self, catalog: Catalog):
        self._phrases = sorted({(fold(p.strip()), kind) for tree in catalog.locales.values()
                                for kind in KINDS for p in tree.ui.get(f"smalltalk.{kind}", "").split("|")
                                if p.strip()}, key=lambda p: -len(p[0]))

    def kind(self, text: str) -> str | None:
        """"greeting", "thanks", "question" (only punctuation such as "?"), or None."""
        if text.strip() and not re.search(r"\w", text):
            return "question" if "?" in text else None
        words = re.findall(r"[\w']+", fold(text))
        cleaned = " ".join(words)
        for phrase, kind in self._phrases:
            if cleaned == phrase or (cleaned.startswith(phrase + " ")
                                     and len(words) - len(phrase.split()) <= MAX_EXTRA_WORDS):
                return kind
        return None


async def answer_small_talk(turn: Turn, kind: str) -> None:
    turn.send(offer_menu_card(turn.t(f"smalltalk.{kind}.reply"), turn.texts, turn.chat_url))
