"""Adaptive Card 1.5 building blocks. Only theme-aware styles and colours (no hex), so cards
read well in Teams light, dark and high-contrast themes."""

from __future__ import annotations

import secrets
from typing import Any

from .actions import Action

CARD_VERSION = "1.5"


def nonce() -> str:
    return secrets.token_urlsafe(8)


class SealedCard(dict):
    """A finished card, as `card()` returns it. The SDK deep-copies every outgoing activity; a
    card is never changed after it is built, so copying it (a few thousand nested objects for
    the menu) is skipped."""

    def __deepcopy__(self, memo: dict) -> "SealedCard":
        return self


def card(body: list[dict], actions: list[dict] | None = None, *, speak: str | None = None) -> dict:
    result = SealedCard({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    })
    if actions:
        result["actions"] = actions
    if speak:
        result["speak"] = speak
    return result


def text(value: str, *, size: str | None = None, weight: str | None = None,
         color: str | None = None, subtle: bool = False, spacing: str | None = None,
         style: str | None = None) -> dict:
    block: dict[str, Any] = {"type": "TextBlock", "text": value, "wrap": True}
    for key, val in (("size", size), ("weight", weight), ("color", color),
                     ("spacing", spacing), ("style", style)):
        if val:
            block[key] = val
    if subtle:
        block["isSubtle"] = True
    return block


def heading(value: str) -> dict:
    return text(value, size="Large", weight="Bolder", style="heading")


def container(items: list[dict], *, style: str | None = None, spacing: str | None = None,
              separator: bool = False) -> dict:
    block: dict[str, Any] = {"type": "Container", "items": items}
    if style:
        block["style"] = style
        block["bleed"] = False
    if spacing:
        block["spacing"] = spacing
    if separator:
        block["separator"] = True
    return block


def columns(*cols: dict, spacing: str | None = None, separator: bool = False) -> dict:
    block: dict[str, Any] = {"type": "ColumnSet", "columns": list(cols)}
    if spacing:
        block["spacing"] = spacing
    if separator:
        block["separator"] = True
    return block


def column(items: list[dict], width: str = "stretch", *, vertical: str = "Center") -> dict:
    return {"type": "Column", "width": width, "items": items, "verticalContentAlignment": vertical}


def action_set(actions: list[dict]) -> dict:
    return {"type": "ActionSet", "actions": actions}


def submit(title: str, act: Action, *, style: str | None = None) -> dict:
    return _submit(title, act.data(), style)


def _submit(title: str, data: dict, style: str | None) -> dict:
    action: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = style
    return action


def execute(title: str, act: Action, *, style: str | None = None) -> dict:
    """Action.Execute (updates the card in place) with an Action.Submit fallback for clients
    that do not support Universal Actions."""
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "title": title,
        "verb": act.verb,
        "data": (data := act.data()),
        "fallback": _submit(title, data, style),
    }
    if style:
        action["style"] = style
    return action


def fact_set(facts: list[tuple[str, str]]) -> dict:
    return {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]}


def image(url: str, alt: str) -> dict:
    return {"type": "Image", "url": url, "altText": alt, "size": "Stretch"}


def links_markdown(links: list[tuple[str, str]]) -> str:
    return "\n".join(f"- [{title}]({url})" for title, url in links)


def progress_bar(done: int, total: int, label: str) -> dict:
    """A text progress bar: ●●●○○ and a label. Plain glyphs keep it theme-neutral."""
    filled = max(0, min(total, done))
    return text(f"{'●' * filled}{'○' * (total - filled)}  {label}", subtle=True, spacing="Small")
