"""Typed text: commands (in any supported language), questions, and everything else."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content import Catalog
from domain.matching import Match, fold
from domain.models import EventKind
from cards.general import faq_card, module_offer_card, unknown_card
from cards.inbox import unknown_with_ask_it_card
from domain.feedback import MAX_TEXT

from .turn import Turn

COMMANDS = ("menu", "help", "language", "restart", "quiz", "feedback", "my_data", "delete_my_data",
            "report")
ARGUMENT_COMMANDS = {"restart", "quiz"}  # take a module name; the others stand alone
PERSONAL_ONLY = {"menu", "language", "restart", "quiz", "feedback", "my_data", "delete_my_data", "report"}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str


class CommandParser:
    """Knows every command word of every locale (`command.<name>` in ui.yaml, `|`-separated),
    so a worker can type "meny" while Teams runs in English."""

    def __init__(self, catalog: Catalog):
        phrases: list[tuple[str, str]] = []
        for tree in catalog.locales.values():
            for name in COMMANDS:
                for phrase in tree.ui.get(f"command.{name}", "").split("|"):
                    if phrase.strip():
                        phrases.append((fold(phrase.strip()), name))
        # Longest first: "delete my data" before "my data".
        self._phrases = sorted(set(phrases), key=lambda p: -len(p[0]))

    def parse(self, text: str) -> Command | None:
        """A command when the text is a command word (plus a module name for restart/quiz).
        "help me reset my password" or "opnieuw inloggen lukt niet" are questions, not commands."""
        cleaned = " ".join(fold(text).strip(" .!?").split())
        for phrase, name in self._phrases:
            if cleaned == phrase:
                return Command(name, "")
            if name in ARGUMENT_COMMANDS and cleaned.startswith(phrase + " "):
                return Command(name, " ".join(text.split())[len(phrase):].strip(" .!?"))
        return None


def clean_text(text: str) -> str:
    """Drop @mentions Teams leaves in group chats and channels, and surrounding noise."""
    text = re.sub(r"<at>.*?</at>", " ", text or "", flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:500]


def find_module(turn: Turn, name: str) -> str | None:
    """The module a worker named: its id, (the start of) its title, or one of its keywords.
    Looser matches are left to the free-text matcher, which offers instead of acting."""
    wanted = fold(" ".join(name.split()))
    if not wanted:
        return None
    for module in turn.modules():
        title = fold(module.title)
        if wanted in (module.id, title) or (len(wanted) >= 4 and title.startswith(wanted)):
            return module.id
    for module in turn.modules():
        if wanted in {fold(k) for k in module.keywords}:
            return module.id
    return None


async def answer_free_text(turn: Turn, match: Match | None, text: str) -> None:
    """`match`: found in any language; the answer is in the worker's (FAQs line up by index
    in every locale, content_check's parity)."""
    module = turn.module(match.module_id) if match else None
    if match is None or module is None:
        # In the 1:1 chat the question can go to IT ("Ask IT"); a group chat is not private.
        turn.send(unknown_with_ask_it_card(turn.texts, text[:MAX_TEXT]) if turn.personal and text
                  else unknown_card(turn.texts, turn.chat_url))
    elif match.faq_index is not None:
        turn.send(faq_card(turn.texts, module, module.faq[match.faq_index], turn.chat_url))
    else:
        turn.send(module_offer_card(turn.texts, module, turn.chat_url))


UNRECORDED = {"feedback"}  # its timing could hint at who sent anonymous feedback


async def record_command(turn: Turn, command: Command) -> None:
    if command.name not in UNRECORDED:
        await turn.record(EventKind.COMMAND_USED, detail=command.name)
