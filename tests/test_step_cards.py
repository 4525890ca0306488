"""Step cards: exercise links open the page, paragraphs keep their spacing, one main action."""

from __future__ import annotations

from bot.content import Catalog
from bot.i18n import Texts
from card_reading import nodes, primary_actions
from cards.training import step_card
from chat import ui

MFA = "mfa-sign-in"


def _exercise_step(catalog: Catalog) -> int:
    module = catalog.module("en", MFA)
    return next(i for i, s in enumerate(module.steps) if s.exercise and "https://aka.ms/mysecurityinfo" in s.exercise.task)


def test_an_exercise_link_is_a_link_and_a_button(catalog: Catalog) -> None:
    card = step_card(Texts(catalog, "en"), catalog.module("en", MFA), _exercise_step(catalog))
    texts = [node["text"] for node in nodes(card) if node.get("type") == "TextBlock"]
    assert any("[aka.ms/mysecurityinfo](https://aka.ms/mysecurityinfo)" in t for t in texts)
    assert not any(" https://aka.ms/mysecurityinfo " in f" {t} " for t in texts)
    [button] = [node for node in nodes(card) if node.get("type") == "Action.OpenUrl"]
    assert button == {"type": "Action.OpenUrl", "title": ui("step.open", site="aka.ms/mysecurityinfo"),
                      "url": "https://aka.ms/mysecurityinfo"}


def test_the_exercise_done_is_the_one_main_action(catalog: Catalog) -> None:
    card = step_card(Texts(catalog, "sv"), catalog.module("sv", MFA), _exercise_step(catalog))
    assert [a["data"]["verb"] for a in primary_actions(card)] == ["exercise.done"]


def test_a_step_without_exercise_has_next_as_its_main_action(catalog: Catalog) -> None:
    module = catalog.module("en", MFA)
    index = next(i for i, s in enumerate(module.steps) if not s.exercise)
    card = step_card(Texts(catalog, "en"), module, index)
    assert [a["title"] for a in primary_actions(card)] == [ui("common.next") if index + 1 < len(module.steps)
                                                          else ui("common.finish")]


def test_paragraphs_of_a_step_are_separate_blocks_with_spacing(catalog: Catalog) -> None:
    module = catalog.module("nl", MFA)
    index, step = next((i, s) for i, s in enumerate(module.steps) if "\n\n" in s.text.strip())
    card = step_card(Texts(catalog, "nl"), module, index)
    paragraphs = [p.strip() for p in step.text.split("\n\n") if p.strip()]
    blocks = [node for node in card["body"] if node.get("type") == "TextBlock"
              and any(node["text"].startswith(p[:20]) for p in paragraphs)]
    assert len(blocks) == len(paragraphs) >= 2
    assert [b.get("spacing") for b in blocks[1:]] == ["Medium"] * (len(blocks) - 1)


def test_a_done_exercise_keeps_its_link_shows_the_tick_and_next_becomes_the_main_action(catalog: Catalog) -> None:
    module = catalog.module("nl", MFA)
    index = _exercise_step(catalog)
    card = step_card(Texts(catalog, "nl"), module, index, exercise_done=True)
    texts = [node["text"] for node in nodes(card) if node.get("type") == "TextBlock"]
    assert ui("step.exercise_done", "nl") in texts
    assert any("[aka.ms/mysecurityinfo](https://aka.ms/mysecurityinfo)" in t for t in texts)
    assert [node["url"] for node in nodes(card) if node.get("type") == "Action.OpenUrl"] == [
        "https://aka.ms/mysecurityinfo"]
    verbs = {(node.get("data") or {}).get("verb") for node in nodes(card)}
    assert not verbs & {"exercise.done", "exercise.stuck"}
    assert [a["data"]["verb"] for a in primary_actions(card)] == [
        "module.step" if index + 1 < len(module.steps) else "module.finish"]
