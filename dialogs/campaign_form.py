"""A new campaign from the 1:1 chat: the form, the preview (exactly the card workers get),
Confirm (create + schedule). A form with problems comes back as typed with what to fix.

Confirm is once: the campaign's id is made from the Confirm button's key (its card's nonce
and the previewed values), so a double-click or a redelivered click finds the campaign the
first one created instead of making a second."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from pydantic import ValidationError

from cards.actions import FORM_FIELDS, ConfirmCampaign, EditCampaign, PreviewCampaign
from cards.campaign_form import Form, audience_choices, form_card, preview_card
from cards.campaign_trainer import progress_card
from cards.common import escaped
from domain.campaign_form import FormModule, FormReading, default_ends, read_form
from domain.campaigns import Campaign, CampaignState
from domain.roles import Role
from domain.schedule import ScheduleMode, zone
from jobs.campaign_service import CampaignError

from .campaign_invite import quiz_facts
from .campaigns import checked_at, progress_of, service, trainer_zone
from .turn import Turn


def _modules(turn: Turn) -> list[tuple[str, str]]:
    return [(m.id, m.title) for m in turn.modules()]


def _values(action: PreviewCampaign | EditCampaign | ConfirmCampaign) -> Form:
    return {name: getattr(action, name) for name in FORM_FIELDS}


def blank_form(turn: Turn) -> Form:
    modules = _modules(turn)
    local = turn.now.astimezone(zone(trainer_zone(turn)))
    return {"module": modules[0][0] if modules else "", "audience": "all", "schedule": "now",
            "date": (local.date() + timedelta(days=1)).isoformat(), "time": "09:00",
            "zone": trainer_zone(turn), "quiet": "false", "remind_after": "3",
            "remind_max": "1", "ends": default_ends(turn.now, trainer_zone(turn))}


async def new_campaign(turn: Turn, role: Role) -> None:
    turn.send(form_card(turn.texts, _modules(turn), blank_form(turn)))


async def edit_campaign(turn: Turn, action: EditCampaign, role: Role) -> None:
    turn.send(form_card(turn.texts, _modules(turn), _values(action)))


def _read(turn: Turn, form: Form) -> tuple[FormReading, Campaign | None]:
    """The form read, and the campaign it makes (None with the problems to show)."""
    modules = {m.id: FormModule(m.title, len(m.quiz.questions)) for m in turn.modules()}
    reading = read_form(form, modules, turn.now, trainer_zone(turn))
    if reading.problems:
        return reading, None
    try:
        campaign = Campaign(id="preview", tenant_id=turn.worker.tenant_id,
                            created_by=turn.worker.id, created_at=turn.now, **reading.fields)
    except ValidationError:
        reading.problem("invalid")
        return reading, None
    return reading, campaign


def _refused(turn: Turn, form: Form, reading: FormReading) -> None:
    """The form again, as typed, with what to fix: in place of the one submitted."""
    problems = [turn.t(key, **values) for key, values in reading.problems]
    turn.replace(form_card(turn.texts, _modules(turn), form, problems))


def _facts(turn: Turn, campaign: Campaign, form: Form, module_title: str,
           questions: int) -> list[tuple[str, str]]:
    t = turn.texts
    audiences = dict(audience_choices(t, _modules(turn)))
    schedule = campaign.schedule
    when = t("campaign.schedule.now")
    if schedule.mode is not ScheduleMode.NOW:
        key = "at_facts" if schedule.mode is ScheduleMode.AT else "worker_local_facts"
        when = t(f"campaign.schedule.{key}", date=form["date"], time=form["time"][:5],
                 zone=schedule.zone)
    if schedule.quiet_hours:
        when += " · " + t("campaign.form.quiet")
    reminders = campaign.reminders
    remind = (t("campaign.preview.reminders", days=t.number(reminders.after_days),
                count=t.number(reminders.max_count)) if reminders.max_count
              else t("campaign.preview.no_reminders"))
    ends = campaign.ends_at.astimezone(zone(schedule.zone))
    return [(t("campaign.form.name"), escaped(campaign.title)), (t("campaign.form.module"), module_title),
            (t("campaign.form.audience"), audiences.get(campaign.audience.label(),
                                                        campaign.audience.label())),
            (t("campaign.form.questions"), t.number(questions)),
            (t("campaign.form.schedule"), when), (t("campaign.preview.reminders_label"), remind),
            (t("campaign.form.ends"), t.date(ends))]


def _accepted(turn: Turn, action: PreviewCampaign | ConfirmCampaign
              ) -> tuple[Form, FormReading, Campaign] | None:
    """The submitted form read into a campaign; None when it went back to the trainer."""
    form = _values(action)
    reading, campaign = _read(turn, form)
    if campaign is None:
        _refused(turn, form, reading)
        return None
    return form, reading, campaign


async def preview_campaign(turn: Turn, action: PreviewCampaign, role: Role) -> None:
    if (accepted := _accepted(turn, action)) is None:
        return
    form, _, campaign = accepted
    title, questions = quiz_facts(turn.catalog, turn.language, campaign)
    turn.send(preview_card(turn.texts, campaign, form, title, questions,
                           _facts(turn, campaign, form, title, questions)))


def confirmed_id(turn: Turn) -> str:
    """The same for every delivery of one Confirm click (router: the button's key)."""
    return hashlib.sha256(f"campaign|{turn.worker.id}|{turn.dedupe_key}".encode()).hexdigest()[:32]


async def confirm_campaign(turn: Turn, action: ConfirmCampaign, role: Role) -> None:
    if (accepted := _accepted(turn, action)) is None:
        return
    form, reading, _ = accepted
    campaigns = service(turn)
    created = await campaigns.create(id=confirmed_id(turn), tenant_id=turn.worker.tenant_id,
                                     created_by=turn.worker.id, **reading.fields)
    if created.state is CampaignState.DRAFT:
        try:
            created = await campaigns.schedule(created.id)
        except CampaignError:
            created = await turn.store.campaigns.get_campaign(created.id) or created
            if created.state is CampaignState.DRAFT:  # not a race: the start has passed
                reading.problem("past")
                _refused(turn, form, reading)
                return
    turn.replace(progress_card(turn.texts, created, await progress_of(turn, created),
                               checked_at(turn)))
    turn.send(turn.t("campaign.confirmed", name=escaped(created.title)))
