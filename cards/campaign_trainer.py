"""The trainer's campaign cards in the 1:1 chat: the list with progress, one campaign's
progress (Refresh updates it in place), and its results."""

from __future__ import annotations

from bot.i18n import Texts
from domain.campaign_progress import Progress
from domain.campaign_results import CampaignResults
from domain.campaigns import Campaign

from .actions import CampaignProgress, CampaignResults as ShowResults, ListCampaigns, NewCampaign
from .common import card, container, escaped, execute, fact_set, heading, nonce, submit, text

MAX_LISTED = 10


def _state(t: Texts, campaign: Campaign) -> str:
    return t(f"campaign.state.{campaign.state.value}")


def progress_line(t: Texts, p: Progress) -> str:
    return t("campaign.list.progress", recipients=t.number(p.recipients), sent=t.number(p.sent),
             failed=t.number(p.failed), unknown=t.number(p.unknown),
             answered=t.number(p.answered))


def list_card(t: Texts, rows: list[tuple[Campaign, Progress]], more: int = 0) -> dict:
    """Newest first, at most MAX_LISTED; each with its progress and a button to follow it;
    `more`: how many older ones are not listed."""
    n = nonce()
    body: list[dict] = [heading(t("campaign.list.title"))]
    if not rows:
        body.append(text(t("campaign.list.none")))
    actions = [submit(t("campaign.list.new"), NewCampaign(n=n), style="positive")]
    for campaign, progress in rows:
        body.append(container([
            text(f"**{escaped(campaign.title)}** · {_state(t, campaign)}"),
            text(progress_line(t, progress), subtle=True, spacing="Small"),
            {"type": "ActionSet", "actions": [
                submit(t("campaign.list.open"), CampaignProgress(campaign=campaign.id, n=n)),
                submit(t("campaign.results.open"), ShowResults(campaign=campaign.id, n=n))]},
        ], separator=True, spacing="Medium"))
    if more:
        body.append(text(t("campaign.list.more", count=t.number(more)), subtle=True))
    return card(body, actions)


def progress_card(t: Texts, campaign: Campaign, p: Progress, checked: str) -> dict:
    """`checked`: when these figures were read, in the trainer's words."""
    n = nonce()
    facts = [(t("campaign.progress.state"), _state(t, campaign)),
             (t("campaign.progress.recipients"), t.number(p.recipients)),
             (t("campaign.progress.pending"), t.number(p.pending)),
             (t("campaign.progress.sent"), t.number(p.sent)),
             (t("campaign.progress.failed"), t.number(p.failed)),
             (t("campaign.progress.unknown"), t.number(p.unknown)),
             (t("campaign.progress.unreachable"), t.number(p.unreachable)),
             (t("campaign.progress.answered"), t.number(p.answered))]
    return card(
        [heading(escaped(campaign.title)), fact_set(facts),
         text(t("campaign.progress.checked", time=checked), subtle=True, size="Small")],
        [execute(t("campaign.progress.refresh"),
                 CampaignProgress(campaign=campaign.id, refresh=True, n=n), style="positive"),
         submit(t("campaign.results.open"), ShowResults(campaign=campaign.id, n=n)),
         submit(t("campaign.list.back"), ListCampaigns(n=n))])


def results_card(t: Texts, campaign: Campaign, r: CampaignResults,
                 missed: list[tuple[str, int]]) -> dict:
    """`missed`: the most missed questions as (question text, how many got it wrong)."""
    n = nonce()
    average = "-" if r.average_score is None else t.percent(r.average_score)
    facts = [(t("campaign.results.reach"), t("campaign.results.of", part=t.number(r.reached),
                                              whole=t.number(r.audience))),
             (t("campaign.results.response_rate"), t.percent(r.response_rate * 100)),
             (t("campaign.results.pass_rate"), t.percent(r.pass_rate * 100)),
             (t("campaign.results.average"), average)]
    body = [heading(t("campaign.results.title", name=escaped(campaign.title))), fact_set(facts)]
    if missed:
        body.append(text(t("campaign.results.missed"), weight="Bolder", spacing="Medium"))
        body += [text(t("campaign.results.missed_line", question=question,
                        count=t.number(count)), spacing="Small") for question, count in missed]
    return card(body, [submit(t("campaign.list.open"), CampaignProgress(campaign=campaign.id,
                                                                          n=n)),
                       submit(t("campaign.list.back"), ListCampaigns(n=n))])
