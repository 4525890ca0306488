"""The trainer's new-campaign form and its preview: the form as typed (with what to fix),
then exactly the card workers will get, then Confirm."""

from __future__ import annotations

from bot.content import LOCALES
from bot.i18n import Texts
from domain.campaigns import Campaign

from .actions import FORM_FIELDS, ConfirmCampaign, EditCampaign, ListCampaigns, PreviewCampaign
from .campaign import invite_body
from .common import card, container, fact_set, heading, nonce, submit, text

SCHEDULES = ("now", "at", "worker_local")
Form = dict[str, str]  # field name (cards.actions.FORM_FIELDS) -> value as typed


def _input(kind: str, input_id: str, label: str, value: str, **extra: object) -> dict:
    block: dict[str, object] = {"type": kind, "id": input_id, **extra}
    if label:
        block["label"] = label
    if value:
        block["value"] = value
    return block


def _choices(input_id: str, label: str, choices: list[tuple[str, str]], value: str,
             style: str = "compact") -> dict:
    known = {v for v, _ in choices}
    return _input("Input.ChoiceSet", input_id, label, value if value in known else choices[0][0],
                  style=style, choices=[{"title": title, "value": v} for v, title in choices])


def audience_choices(t: Texts, modules: list[tuple[str, str]]) -> list[tuple[str, str]]:
    choices = [("all", t("campaign.audience.all"))]
    choices += [(f"locale:{lang}", t("campaign.audience.locale", language=t(f"language.name.{lang}")))
                for lang in LOCALES]
    for kind in ("not-passed", "not-completed"):
        choices += [(f"{kind}:{module_id}", t(f"campaign.audience.{kind}", module=title))
                    for module_id, title in modules]
    return choices


def form_card(t: Texts, modules: list[tuple[str, str]], form: Form,
              problems: list[str] | None = None) -> dict:
    """`modules`: (id, title) in the trainer's language; `form`: what to show filled in."""
    body: list[dict] = [heading(t("campaign.form.title")), text(t("campaign.form.intro"))]
    if problems:
        body.append(container([text(p, color="Attention", weight="Bolder") for p in problems],
                              style="emphasis", spacing="Medium"))
    get = form.get
    body += [
        _input("Input.Text", "name", t("campaign.form.name"), get("name", ""), maxLength=200,
               placeholder=t("campaign.form.name_hint")),
        _choices("module", t("campaign.form.module"), modules, get("module", "")),
        _choices("audience", t("campaign.form.audience"), audience_choices(t, modules),
                 get("audience", "")),
        _input("Input.Number", "questions", t("campaign.form.questions"), get("questions", ""),
               min=1, max=10, placeholder=t("campaign.form.questions_all")),
        _choices("schedule", t("campaign.form.schedule"),
                 [(s, t(f"campaign.schedule.{s}")) for s in SCHEDULES], get("schedule", ""),
                 style="expanded"),
        _input("Input.Date", "date", t("campaign.form.date"), get("date", "")),
        _input("Input.Time", "time", t("campaign.form.time"), get("time", "")),
        _input("Input.Text", "zone", t("campaign.form.zone"), get("zone", ""), maxLength=64),
        _input("Input.Toggle", "quiet", "", get("quiet", "false"), title=t("campaign.form.quiet"),
               valueOn="true", valueOff="false"),
        _input("Input.Number", "remind_after", t("campaign.form.remind_after"),
               get("remind_after", ""), min=1, max=30),
        _input("Input.Number", "remind_max", t("campaign.form.remind_max"),
               get("remind_max", ""), min=0, max=10),
        _input("Input.Date", "ends", t("campaign.form.ends"), get("ends", "")),
        _input("Input.Text", "intro", t("campaign.form.intro_label"), get("intro", ""),
               isMultiline=True, maxLength=2000, placeholder=t("campaign.form.intro_hint")),
    ]
    n = nonce()
    return card(body, [submit(t("campaign.form.preview"), PreviewCampaign(n=n), style="positive"),
                       submit(t("campaign.form.cancel"), ListCampaigns(n=n))])


def preview_card(t: Texts, campaign: Campaign, form: Form, module_title: str, questions: int,
                 facts: list[tuple[str, str]]) -> dict:
    """`facts`: the campaign in words (audience, schedule, ...); below them the worker's card
    as the trainer's language shows it."""
    n = nonce()
    values = {name: form.get(name, "") for name in FORM_FIELDS}
    worker_view = container(
        [*invite_body(t, campaign, module_title, questions),
         text(t("campaign.preview.buttons", start=t("campaign.invite.start"),
                remind=t("campaign.invite.remind")), subtle=True)],
        style="emphasis", spacing="Medium")
    return card(
        [heading(t("campaign.preview.title")), fact_set(facts),
         text(t("campaign.preview.workers_see"), weight="Bolder", spacing="Medium"), worker_view,
         text(t("campaign.preview.languages"), subtle=True, size="Small")],
        [submit(t("campaign.preview.confirm"), ConfirmCampaign(n=n, **values), style="positive"),
         submit(t("campaign.preview.edit"), EditCampaign(n=n, **values)),
         submit(t("campaign.form.cancel"), ListCampaigns(n=n))])
