"""The weekly digest card for admins (also the answer to `report`). Feedback texts are the
workers' own words: escaped."""

from __future__ import annotations

from bot.i18n import Texts
from domain.digest import DigestSummary

from .common import card, escaped, heading, text

MAX_QUOTE = 120


def dashboard_link(app_id: str) -> str:
    """A Teams deep link to the bot's personal Dashboard tab."""
    return f"https://teams.microsoft.com/l/entity/{app_id}/dashboard"


def _campaigns(t: Texts, summary: DigestSummary) -> list[dict]:
    finished = summary.campaigns_finished
    if not finished:
        return [text(t("digest.campaigns_none"))]
    lines = [text(t("digest.campaigns_finished", count=t.number(len(finished))))]
    for campaign in finished:  # titles are what a trainer typed: escaped
        lines.append(text(t("digest.campaign", title=escaped(campaign.title),
                            rate=t.percent(campaign.response_rate * 100),
                            answered=t.number(campaign.answered), reached=t.number(campaign.reached)),
                          subtle=True, spacing="Small"))
    return lines


def digest_card(t: Texts, summary: DigestSummary, app_id: str) -> dict:
    body = [heading(t("digest.title", week=summary.period.key)),
            text(t("digest.feedback_new", count=summary.new_feedback) if summary.new_feedback
                 else t("digest.feedback_none"))]
    for item in summary.top_items:
        quote = item.text if len(item.text) <= MAX_QUOTE else item.text[:MAX_QUOTE].rstrip() + "…"
        rating = "?" if item.rating is None else f"{item.rating}/5"
        body.append(text(t("digest.item", category=t(f"feedback.category.{item.category.value}"),
                           rating=rating, text=escaped(quote)), subtle=True, spacing="Small"))
    body.append(text(t("digest.completions", this_week=summary.completions,
                       last_week=summary.completions_before)))
    if summary.pass_rate is None:
        body.append(text(t("digest.pass_rate_none")))
    else:
        change = summary.pass_rate_change
        body.append(text(t("digest.pass_rate", this_week=t.percent(summary.pass_rate * 100),
                           change="–" if change is None else t.signed(change))))
    body += _campaigns(t, summary)
    actions = ([{"type": "Action.OpenUrl", "title": t("digest.open"), "url": dashboard_link(app_id)}]
               if app_id else [])
    return card(body, actions)
