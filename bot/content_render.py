"""Fit the content to one organisation: fill `{org.NAME}` placeholders from the profile (or the
locale's `org.default.NAME` string) and drop what the profile contradicts (`when:`).

A condition hides content only when the profile states the opposite: with no profile, or a
profile silent on that fact, everything is shown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content import CONTENT_DIR, Catalog, ContentError, LocaleContent, Module, shown_path
from bot.org_profile import EMPTY_PROFILE, OrgProfile

PLACEHOLDERS: tuple[str, ...] = ("helpdesk", "helpdesk_contact", "practice_channel", "recommended_method", "labels")
ORG_PLACEHOLDER = re.compile(r"\{org\.([A-Za-z0-9_]*)\}")
NOT_RENDERED = frozenset({"id", "url", "when", "correct", "type"})


def shown(condition: str | None, profile: OrgProfile) -> bool:
    if condition is None:
        return True
    if condition in ("hybrid", "not hybrid"):
        hybrid = profile.is_hybrid()
        return hybrid is None or hybrid == (condition == "hybrid")
    kind, _, value = condition.partition(":")
    if kind == "platform":
        return not profile.device_platforms or value in profile.device_platforms
    methods = profile.methods()
    return methods is None or value in methods


def _joined(items: list[str], word_or: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word_or} {items[-1]}"


def placeholder_values(profile: OrgProfile, ui: dict[str, str]) -> dict[str, str]:
    """The text of each placeholder in one locale."""
    values = {name: ui[f"org.default.{name}"] for name in PLACEHOLDERS}
    desk = profile.helpdesk
    if desk.name:
        values["helpdesk"] = desk.name
    ways = ([ui["org.contact.link"].format(link=desk.link)] if desk.link else []) + \
           ([ui["org.contact.email"].format(email=desk.email)] if desk.email else []) + \
           ([ui["org.contact.channel"].format(channel=desk.teams_channel)] if desk.teams_channel else [])
    if ways:
        values["helpdesk_contact"] = ui["org.contact.ways"].format(
            name=values["helpdesk"], ways=_joined(ways, ui["org.contact.or"]))
    elif desk.name:
        values["helpdesk_contact"] = ui["org.contact.name_only"].format(name=desk.name)
    team, channel = profile.practice.team, profile.practice.channel
    if team and channel:
        values["practice_channel"] = ui["org.practice.team_channel"].format(team=team, channel=channel)
    elif team or channel:
        values["practice_channel"] = ui["org.practice.team" if team else "org.practice.channel"].format(
            team=team, channel=channel)
    if profile.sign_in_methods.recommended:
        values["recommended_method"] = ui[f"org.method.{profile.sign_in_methods.recommended}"]
    if profile.sensitivity_labels:
        values["labels"] = "\n".join(f"- **{label.name}**: {label.meaning}" for label in profile.sensitivity_labels)
    return values


def fill(text: str, values: dict[str, str]) -> str:
    """Unknown placeholders stay as written (the content check reports them)."""
    return ORG_PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _rendered(node: Any, values: dict[str, str], profile: OrgProfile) -> Any:
    if isinstance(node, str):
        return fill(node, values)
    if isinstance(node, list):
        return [_rendered(item, values, profile) for item in node
                if not (isinstance(item, dict) and not shown(item.get("when"), profile))]
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if isinstance(value, dict) and not shown(value.get("when"), profile):
                value = None  # an exercise the organisation can't do
            out[key] = value if key in NOT_RENDERED else _rendered(value, values, profile)
        return out
    return node


def render_module(module: Module, profile: OrgProfile, ui: dict[str, str]) -> Module:
    """The module as this organisation's workers see it. Raises ValidationError when filtering
    breaks a schema bound (e.g. fewer than 4 steps left)."""
    data = _rendered(module.model_dump(), placeholder_values(profile, ui), profile)
    return Module.model_validate(data)


def render_catalog(raw: Catalog, profile: OrgProfile | None, root: Path = CONTENT_DIR,
                   shown_as: str = "the organisation profile") -> tuple[Catalog, list[ContentError]]:
    """Every module of every locale rendered for `profile` (None: the defaults), and what broke."""
    profile = profile or EMPTY_PROFILE
    errors: list[ContentError] = []
    locales: dict[str, LocaleContent] = {}
    for locale, tree in raw.locales.items():
        out = LocaleContent(locale, ui=tree.ui, files=tree.files)
        for module_id, module in tree.modules.items():
            file = shown_path(tree.files[module_id], root)
            try:
                out.modules[module_id] = render_module(module, profile, tree.ui)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                errors.append(ContentError(file, 1, f"with {shown_as}: {problems}"))
                out.modules[module_id] = module
            except KeyError as exc:
                errors.append(ContentError(f"content/{locale}/ui.yaml", 1, f"missing string {exc}"))
                out.modules[module_id] = module
        locales[locale] = out
    return Catalog(locales), errors
