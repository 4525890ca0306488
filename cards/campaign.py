"""The card a worker gets from a campaign: what the trainer wrote, which quiz, how long it
takes; Start and "Remind me tomorrow". The trainer's preview shows the same body."""

from __future__ import annotations

from bot.i18n import Texts
from domain.campaign_invite import card_nonce, quiz_minutes
from domain.campaigns import Campaign

from .actions import RemindTomorrow, StartCampaignQuiz
from .common import card, escaped, heading, submit, text

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def invite_line(t: Texts, campaign: Campaign, module_title: str, questions: int) -> str:
    values = dict(module=module_title, questions=t.number(questions),
                  minutes=t.minutes(quiz_minutes(questions)))
    kind = "one" if questions == 1 else "other"
    if campaign.intro.strip():
        return t(f"campaign.invite.line_{kind}", intro=escaped(campaign.intro.strip()), **values)
    return t(f"campaign.invite.plain_{kind}", **values)


def invite_body(t: Texts, campaign: Campaign, module_title: str, questions: int,
                *, reminder: bool = False) -> list[dict]:
    title = "campaign.invite.reminder_title" if reminder else "campaign.invite.title"
    return [heading(t(title, module=module_title)),
            text(invite_line(t, campaign, module_title, questions))]


def invite_buttons(t: Texts, campaign: Campaign, key: str, *, remind: bool = True) -> list[dict]:
    n = card_nonce(key)
    buttons = [submit(t("campaign.invite.start"),
                      StartCampaignQuiz(campaign=campaign.id, module=campaign.quiz.module_id,
                                        delivery=key, n=n), style="positive")]
    if remind:
        buttons.append(submit(t("campaign.invite.remind"),
                              RemindTomorrow(campaign=campaign.id, delivery=key, n=n)))
    return buttons


def invite_card(t: Texts, campaign: Campaign, module_title: str, questions: int, key: str,
                *, reminder: bool = False, note: str | None = None) -> dict:
    """`note`: after "Remind me tomorrow", what happens now (the card then offers Start only)."""
    body = invite_body(t, campaign, module_title, questions, reminder=reminder)
    if note:
        body.append(text(note, weight="Bolder"))
    return card(body, invite_buttons(t, campaign, key, remind=note is None))
