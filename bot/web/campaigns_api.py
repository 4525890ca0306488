"""The dashboard's Campaigns page API (trainers and admins), read-only:

GET /api/admin/campaigns        every campaign, newest first, with its progress
                                ?since=&until= (created, UTC days) &module= &format=csv
GET /api/admin/campaigns/{id}   one campaign: progress per round and its results
                                (who got it, who answered, scores, most-missed questions)

The figures come from jobs/campaign_service.py (`status`, `results`), handed in by the edge
(bot/app.py) as `CampaignReader`, so this package does not import the job layer.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Protocol

from aiohttp import web

from bot.report_tables import Table, Titles, render_csv, render_json
from bot.store.port import StoreUnavailable
from bot.web.api import MODULE_IDS_KEY, TITLES_KEY
from bot.web.query import BadQuery, parse_query
from bot.web.roles import Role, allow
from domain.campaign_results import CampaignResults
from domain.campaigns import Campaign, DeliveryState
from domain.reports import ReportFilter

SENT = (DeliveryState.SENT, DeliveryState.UNKNOWN)
WAITING = (DeliveryState.PENDING, DeliveryState.LEASED)


class CampaignReader(Protocol):  # jobs/campaign_service.py: CampaignService
    store: Any

    async def status(self, campaign_id: str) -> Any: ...  # CampaignStatus(campaign, counts)

    async def results(self, campaign_id: str) -> CampaignResults: ...


READER_KEY = web.AppKey("campaign_reader", object)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _in_filter(campaign: Campaign, flt: ReportFilter) -> bool:
    def utc_day(day: date) -> datetime:
        return datetime.combine(day, time(), timezone.utc)
    return ((flt.module_id is None or campaign.quiz.module_id == flt.module_id)
            and (flt.since is None or campaign.created_at >= utc_day(flt.since))
            and (flt.until is None or campaign.created_at < utc_day(flt.until) + timedelta(days=1)))


def progress(counts: Any, round_: int | None = 0) -> dict[str, int]:
    """Round 0 (the campaign message) by outcome; `reminders_sent` over every later round."""
    of = lambda states: sum(counts.of(s, round_) for s in states)  # noqa: E731
    reminders = sum(n for (r, state), n in counts.cells.items() if r > 0 and state in SENT)
    return {"audience": counts.total(round_), "sent": of(SENT), "waiting": of(WAITING),
            "failed": counts.of(DeliveryState.FAILED, round_),
            "skipped": counts.of(DeliveryState.SKIPPED, round_), "reminders_sent": reminders}


def campaign_row(campaign: Campaign, counts: Any, titles: Titles) -> dict[str, Any]:
    return {"id": campaign.id, "title": campaign.title, "module_id": campaign.quiz.module_id,
            "module": titles.module(campaign.quiz.module_id), "state": campaign.state.value,
            "created_by": campaign.created_by, "created_at": campaign.created_at,
            "starts_at": campaign.starts_at, "sent_at": campaign.sent_at,
            "ends_at": campaign.ends_at,
            "unreachable": sum(len(keys) for keys in campaign.unreachable.values()),
            **progress(counts)}


LIST_COLUMNS = ["title", "module", "state", "created_at", "starts_at", "sent_at", "ends_at",
                "audience", "sent", "waiting", "failed", "skipped", "unreachable",
                "reminders_sent", "created_by", "id", "module_id"]


def result_tables(row: dict[str, Any], results: CampaignResults, titles: Titles) -> list[Table]:
    summary = {"title": row["title"], "audience": results.audience, "reached": results.reached,
               "unreachable": results.unreachable, "answered": results.answered,
               "passed": results.passed, "response_rate": results.response_rate,
               "pass_rate": results.pass_rate, "average_score": results.average_score}
    workers = [{"name": w.name, "state": w.state.value, "reminders_sent": w.reminders_sent,
                "sent_at": w.sent_at, "answered_at": w.answered_at, "score": w.score,
                "passed": w.passed, "worker_id": w.worker_id} for w in results.workers]
    missed = [{"question": titles.question(row["module_id"], m.question_id), "missed": m.missed,
               "question_id": m.question_id} for m in results.most_missed]
    return [Table("campaign", "Campaign", LIST_COLUMNS, [row]),
            Table("results", "Results", list(summary), [summary]),
            Table("workers", "Workers", ["name", "state", "reminders_sent", "sent_at",
                                         "answered_at", "score", "passed", "worker_id"], workers),
            Table("most_missed", "Most missed questions", ["question", "missed", "question_id"],
                  missed)]


def _answer(request: web.Request, tables: list[Table], name: str,
            flt: ReportFilter) -> web.Response:
    if request.query.get("format") == "csv":
        filename = f"coach-{name}-{date.today().isoformat()}.csv"
        return web.Response(body=render_csv(tables), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return web.Response(body=render_json(tables, name, flt), content_type="application/json")


def _reader(request: web.Request) -> CampaignReader:
    return request.app[READER_KEY]  # type: ignore[return-value]


@allow(Role.ADMIN, Role.TRAINER)
async def list_campaigns(request: web.Request) -> web.Response:
    try:
        q = parse_query(request.query, frozenset(), request.app[MODULE_IDS_KEY])
    except BadQuery as exc:
        return _error(400, str(exc))
    reader, titles = _reader(request), request.app[TITLES_KEY]
    try:
        rows = [campaign_row(c, await reader.store.campaigns.count_deliveries(c.id), titles)
                for c in await reader.store.campaigns.list_campaigns(None)
                if _in_filter(c, q.flt)]
    except StoreUnavailable as exc:
        return _error(503, str(exc))
    return _answer(request, [Table("campaigns", "Campaigns", LIST_COLUMNS, rows)], "campaigns",
                   q.flt)


@allow(Role.ADMIN, Role.TRAINER)
async def campaign_detail(request: web.Request) -> web.Response:
    unknown = sorted(set(request.query) - {"format"})
    if unknown or request.query.get("format", "json") not in ("json", "csv"):
        return _error(400, "this call takes only format=json or format=csv")
    campaign_id = request.match_info["id"]
    reader, titles = _reader(request), request.app[TITLES_KEY]
    try:
        if await reader.store.campaigns.get_campaign(campaign_id) is None:
            return _error(404, "no such campaign")
        status = await reader.status(campaign_id)
        results = await reader.results(campaign_id)
    except StoreUnavailable as exc:
        return _error(503, str(exc))
    row = campaign_row(status.campaign, status.counts, titles)
    return _answer(request, result_tables(row, results, titles), "campaign", ReportFilter())


def install_campaigns_api(app: web.Application, reader: CampaignReader) -> None:
    app[READER_KEY] = reader
    app.router.add_get("/api/admin/campaigns", list_campaigns)
    app.router.add_get("/api/admin/campaigns/{id}", campaign_detail)
