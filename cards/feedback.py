"""Cards of the feedback flow: the form (empty or prefilled) and the thank-you."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Module
from domain.feedback import FORM_CATEGORIES, MAX_TEXT, RATINGS, FeedbackCategory
from bot.i18n import Texts

from .actions import ShowMenu, SubmitFeedback
from .common import card, container, execute, fact_set, heading, nonce, submit, text


@dataclass(frozen=True)
class FeedbackDraft:
    """What the worker entered; raw card values, so a refused form comes back as typed."""

    rating: str = ""
    category: str = ""
    text: str = ""
    anonymous: bool = False


def feedback_card(t: Texts, module: Module | None, *, draft: FeedbackDraft | None = None,
                  problems: list[str] | None = None, n: str | None = None) -> dict:
    """`n`: keep the nonce of the card being re-sent, so a retry is still the same feedback."""
    draft = draft or FeedbackDraft()
    body = [heading(t("feedback.title")), text(t("feedback.intro"))]
    if module is not None:
        body.append(text(t("feedback.about", module=module.title), subtle=True, spacing="Small"))
    if problems:
        body.append(container([text(p, color="Attention", weight="Bolder") for p in problems],
                              style="emphasis", spacing="Medium"))
    body += [
        _choice_set("rating", t("feedback.rating.label_module", module=module.title) if module
                    else t("feedback.rating.label"), t,
                    [(value, t(f"feedback.rating.{value}")) for value in RATINGS], draft.rating),
        _choice_set("category", t("feedback.category.label"), t,
                    [(c.value, t(f"feedback.category.{c.value}")) for c in FORM_CATEGORIES], draft.category),
        {"type": "Input.Text", "id": "text", "isMultiline": True, "maxLength": MAX_TEXT,
         "label": t("feedback.text.label", max=t.number(MAX_TEXT)), "placeholder": t("feedback.text.placeholder"),
         "value": draft.text},
        {"type": "Input.Toggle", "id": "anonymous", "title": t("feedback.anonymous"),
         "valueOn": "true", "valueOff": "false", "value": "true" if draft.anonymous else "false"},
    ]
    send = SubmitFeedback(module=module.id if module else None, n=n or nonce())
    return card(body, [execute(t("feedback.send"), send, style="positive")])


def _choice_set(input_id: str, label: str, t: Texts, choices: list[tuple[str, str]], value: str) -> dict:
    block = {
        "type": "Input.ChoiceSet", "id": input_id, "style": "compact", "label": label,
        "isRequired": True, "errorMessage": t(f"feedback.missing_{input_id}"),
        "placeholder": t("feedback.choose"),
        "choices": [{"title": title, "value": v} for v, title in choices],
    }
    if value in {v for v, _ in choices}:
        block["value"] = value
    return block


def thanks_card(t: Texts, module: Module | None, *, rating: int, category: FeedbackCategory,
                typed: str, anonymous: bool) -> dict:
    n = nonce()
    facts = [(t("feedback.fact.rating"), t(f"feedback.rating.{rating}")),
             (t("feedback.fact.category"), t(f"feedback.category.{category.value}"))]
    if module is not None:
        facts.append((t("feedback.fact.module"), module.title))
    body = [heading(t("feedback.thanks.title")), fact_set(facts)]
    if typed:
        body.append(text(typed, subtle=True))
    body.append(text(t("feedback.thanks.next")))
    body.append(text(t("feedback.thanks.anonymous" if anonymous else "feedback.thanks.named"),
                     subtle=True, size="Small"))
    return card(body, [submit(t("common.menu"), ShowMenu(n=n))])
