"""Reading the cards a flow answers with: texts, buttons, inputs, the theme rules."""

from __future__ import annotations

import json
import re
from typing import Any

from dialogs.turn import Turn


def nodes(card: Any, *, into_fallbacks: bool = False):
    """Every dict in a card, depth first (fallback actions only when asked)."""
    if isinstance(card, dict):
        yield card
        for key, value in card.items():
            if key != "fallback" or into_fallbacks:
                yield from nodes(value, into_fallbacks=into_fallbacks)
    elif isinstance(card, list):
        for item in card:
            yield from nodes(item, into_fallbacks=into_fallbacks)


def card_texts(card: dict) -> list[str]:
    """Every TextBlock text and action title in a card."""
    return [node["text"] if node.get("type") == "TextBlock" else node["title"]
            for node in nodes(card)
            if node.get("type") == "TextBlock" or (str(node.get("type", "")).startswith("Action.") and "title" in node)]


def texts_of(card: dict | str | None) -> str:
    """Every TextBlock / fact / input label of a card (or the plain text reply), one string."""
    if card is None:
        return ""
    if isinstance(card, str):
        return card
    return "\n".join(node[key] for node in nodes(card.get("body", []), into_fallbacks=True)
                     for key in ("text", "label", "title", "value", "placeholder")
                     if isinstance(node.get(key), str))


def card_actions(card: dict) -> list[dict]:
    """Every Action.Submit/Execute (title + data) in a card; fallbacks are not listed again."""
    return [node for node in nodes(card) if node.get("type") in ("Action.Submit", "Action.Execute")]


def action_data(card: dict, title: str) -> dict:
    """The data of the card's button with that title."""
    for found in card_actions(card):
        if found["title"] == title:
            return found["data"]
    raise AssertionError(f"no button {title!r} in card: {card_texts(card)}")


def action(card: dict, verb: str) -> dict:
    """The data of the card's first button with that verb."""
    for found in card_actions(card):
        data = found.get("data") or {}
        if data.get("verb") == verb:
            return dict(data)
    raise AssertionError(f"no {verb!r} action on the card: {json.dumps(card)[:400]}")


def has_action(card: dict, verb: str) -> bool:
    return any((found.get("data") or {}).get("verb") == verb for found in card_actions(card))


def inputs(card: dict) -> dict[str, dict]:
    return {node["id"]: node for node in nodes(card.get("body", []), into_fallbacks=True)
            if isinstance(node.get("type"), str) and node["type"].startswith("Input.")}


def cards(turn: Turn) -> list[dict]:
    return [r for r in turn.replies if isinstance(r, dict)]


def question_cards(turn: Turn) -> list[dict]:
    return [c for c in cards(turn) if has_action(c, "quiz.answer")]


THEME_COLOURS = {"Default", "Good", "Attention", "Warning", "Accent"}  # readable in every theme


def assert_theme_aware(card: dict) -> None:
    """Adaptive Card 1.5, no hex colours, only colours Teams adapts to light, dark and
    high-contrast themes ("Light"/"Dark" text would vanish on one of them), well under the
    Teams message size limit."""
    raw = json.dumps(card)
    assert card["version"] == "1.5"
    assert not re.search(r'"#[0-9a-fA-F]{3,8}"', raw), "hex colours break dark/high-contrast themes"
    for match in re.finditer(r'"color": "(\w+)"', raw):
        assert match.group(1) in THEME_COLOURS, match.group(1)
    assert len(raw.encode()) < 40_000
