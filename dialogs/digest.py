"""The weekly digest: gather the figures of a period and send one card to every admin who
installed the bot. Each admin's card of a period is recorded as a job run named
`digest:<period>:<admin>` once it was delivered, so a restart, a second instance or
`coach digest send --now` never sends that admin a second card for the same week."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.content import Catalog
from bot.i18n import Texts, language_for
from bot.store.port import Store
from cards.digest import digest_card
from domain.campaigns import CampaignState
from domain.digest import (DigestPeriod, DigestSummary, FinishedCampaign, completions, finished_at,
                           pass_rate, top_items)
from domain.jobs import JobRun, RunOutcome
from domain.models import Worker
from domain.reports import ReportFilter
from domain.triage import MAX_PAGE, InboxFilter
from jobs.campaign_service import CampaignService
from jobs.clock import SystemClock

from .turn import Turn

SendCard = Callable[[Worker, dict], Awaitable[object]]


async def campaigns_finished(store: Store, period: DigestPeriod) -> list[FinishedCampaign]:
    """Campaigns that finished in the period (domain/digest.py: finished_at), oldest first."""
    done = [c for c in await store.campaigns.list_campaigns(
        None, {CampaignState.SENT, CampaignState.CLOSED}) if period.holds(finished_at(c))]
    service = CampaignService(store, SystemClock())
    finished = []
    for campaign in sorted(done, key=lambda c: (finished_at(c), c.id)):
        results = await service.results(campaign.id)
        finished.append(FinishedCampaign(campaign.title, results.reached, results.answered,
                                         results.response_rate))
    return finished


async def collect(store: Store, period: DigestPeriod) -> DigestSummary:
    items, cursor = [], None
    while True:
        page = await store.triage.list_inbox(InboxFilter(since=period.start, until=period.end),
                                             cursor, MAX_PAGE)
        items += [i.feedback for i in page.items]
        if page.cursor is None:
            break
        cursor = page.cursor
    before = period.before()

    def window(p: DigestPeriod) -> ReportFilter:
        first, last = p.days()
        return ReportFilter(since=first, until=last)

    return DigestSummary(
        period=period, new_feedback=len(items), top_items=top_items(items),
        completions=completions(await store.reports.usage_report(window(period))),
        completions_before=completions(await store.reports.usage_report(window(before))),
        pass_rate=pass_rate(await store.reports.quiz_report(window(period))),
        pass_rate_before=pass_rate(await store.reports.quiz_report(window(before))),
        campaigns_finished=await campaigns_finished(store, period))


def record_name(period: DigestPeriod, admin_id: str) -> str:
    return f"digest:{period.key}:{admin_id}"


def texts_for(catalog: Catalog, worker: Worker) -> Texts:
    return Texts(catalog, language_for(worker.teams_locale, worker.language), worker.teams_locale)


async def send_digests(store: Store, catalog: Catalog, send: SendCard, admin_ids: list[str],
                       period: DigestPeriod, app_id: str, owner: str, now: datetime) -> str:
    """One card per installed admin for `period`; returns a one-line summary."""
    summary: DigestSummary | None = None
    sent = skipped = failed = 0
    for admin_id in admin_ids:
        name = record_name(period, admin_id)
        last = await store.job_runs.last_run(name)
        worker = await store.workers.get_worker(admin_id)
        if (last is not None and last.outcome == RunOutcome.OK) or worker is None \
                or not worker.installed:
            skipped += 1
            continue
        summary = summary or await collect(store, period)
        try:
            await send(worker, digest_card(texts_for(catalog, worker), summary, app_id))
        except Exception as exc:  # NotReachable: tried again at the next run of the job
            failed += 1
            await store.job_runs.record_run(JobRun(job=name, owner=owner, started_at=now,
                                                   outcome=RunOutcome.FAILED, ended_at=now,
                                                   detail=str(exc)[:500]))
            continue
        sent += 1
        await store.job_runs.record_run(JobRun(job=name, owner=owner, started_at=now,
                                               outcome=RunOutcome.OK, ended_at=now))
    return f"digest {period.key}: {sent} sent, {skipped} skipped, {failed} failed"


async def show_report(turn: Turn, period: DigestPeriod, app_id: str) -> None:
    """`report` typed by an admin: the digest card of the week so far."""
    turn.send(digest_card(turn.texts, await collect(turn.store, period), app_id))
