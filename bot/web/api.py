"""The dashboard's JSON API under /api/admin/. Every route checks the caller's role
(roles.allow), every query parameter (query.py: 400 with a message), and answers JSON or, with
`?format=csv`, the same tables as CSV (bot/report_tables.py: UTF-8 BOM, formula-safe).
Admins see everything; trainers the quiz results (and campaigns, when they exist)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone

from aiohttp import web

from domain.dashboard import LANGUAGES, DashboardFacts, active_window
from bot.report_tables import Table, Titles, render_csv, render_json
from bot.store.port import Store, StoreUnavailable
from bot.web import tables
from bot.web.overview_cache import cache_of
from bot.web.query import PAGE_PARAMS, WORKER_PARAMS, BadQuery, DashboardQuery, parse_query
from bot.web.roles import USER_KEY, Role, allow

STORE_KEY = web.AppKey("dashboard_store", object)
TITLES_KEY = web.AppKey("dashboard_titles", Titles)
MODULE_IDS_KEY = web.AppKey("dashboard_module_ids", list)
CSV_ALL_ROWS = 100_000  # a CSV export holds every row the filter matches, up to this many

Builder = Callable[[Store, DashboardQuery, Titles], Awaitable[list[Table]]]


def _facts(store: Store) -> DashboardFacts:
    facts = getattr(store, "dashboard", None)
    if facts is None:
        raise StoreUnavailable("this store does not answer the dashboard's figures yet")
    return facts


def _page(q: DashboardQuery) -> dict[str, int]:
    return {"offset": q.workers.offset, "limit": q.workers.limit}


def _all_rows(q: DashboardQuery) -> DashboardQuery:
    """For a CSV export: the whole list, not the page on screen."""
    if q.fmt != "csv":
        return q
    every = q.workers.model_copy(update={"offset": 0, "limit": CSV_ALL_ROWS})
    return DashboardQuery(q.flt, q.fmt, every)


async def overview(store: Store, q: DashboardQuery, titles: Titles) -> list[Table]:
    """Only the facts the page shows (the summaries, not the whole reports), asked together
    (a backend that can answer them side by side does), reused until a write (overview_cache)."""
    facts, today = _facts(store), datetime.now(timezone.utc).date()

    async def compute() -> list[Table]:
        counts, usage, quizzes = await asyncio.gather(
            facts.counts(q.flt, active_window(q.flt, today)),
            store.reports.usage_summary(q.flt), store.reports.quiz_summary(q.flt))
        return tables.overview_tables(counts, usage, quizzes, titles)
    key = (q.flt.model_dump_json(), today)
    return await cache_of(store).get(getattr(facts, "data_version", None), key, compute)


async def modules(store: Store, q: DashboardQuery, titles: Titles) -> list[Table]:
    facts = _facts(store)
    usage = await store.reports.usage_report(q.flt)
    return tables.module_tables(usage, await facts.quiz_passers(q.flt), await facts.stuck_steps(q.flt), titles)


async def quizzes(store: Store, q: DashboardQuery, titles: Titles) -> list[Table]:
    facts, q = _facts(store), _all_rows(q)
    report = await store.reports.quiz_report(q.flt)
    best = await facts.best_scores(q.flt, q.workers.offset, q.workers.limit)
    return tables.quiz_tables(report, await facts.first_attempts(q.flt), await facts.wrong_choices(q.flt),
                              best, titles, _page(q))


async def workers(store: Store, q: DashboardQuery, titles: Titles) -> list[Table]:
    q = _all_rows(q)
    return tables.worker_tables(await _facts(store).workers(q.flt, q.workers), _page(q))


async def feedback_summary(store: Store, q: DashboardQuery, titles: Titles) -> list[Table]:
    """Counts by category and rating, average rating per module; the items are the inbox's."""
    return tables.feedback_summary(await store.reports.feedback_report(q.flt), titles)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def report_route(name: str, build: Builder, params: frozenset[str]):
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            q = parse_query(request.query, params, request.app[MODULE_IDS_KEY])
        except BadQuery as exc:
            return _error(400, str(exc))
        try:
            result = await build(request.app[STORE_KEY], q, request.app[TITLES_KEY])  # type: ignore[arg-type]
        except StoreUnavailable as exc:
            return _error(503, str(exc))
        if q.fmt == "csv":
            filename = f"coach-{name}-{date.today().isoformat()}.csv"
            return web.Response(body=render_csv(result), content_type="text/csv", charset="utf-8",
                                headers={"Content-Disposition": f'attachment; filename="{filename}"'})
        return web.Response(body=render_json(result, name, q.flt), content_type="application/json")
    return handle


async def me(request: web.Request) -> web.Response:
    user = request[USER_KEY]
    titles: Titles = request.app[TITLES_KEY]
    pages = (["overview", "modules", "quizzes", "workers", "feedback", "campaigns", "adoption"]
             if user.role == Role.ADMIN else ["quizzes", "campaigns"])
    return web.json_response({
        "name": user.name, "role": user.role.value, "pages": pages, "languages": list(LANGUAGES),
        "modules": [{"id": m, "title": titles.module(m)} for m in request.app[MODULE_IDS_KEY]]})


ADMIN, TRAINER = Role.ADMIN, Role.TRAINER
ROUTES = (
    ("overview", overview, frozenset(), (ADMIN,)),
    ("modules", modules, frozenset(), (ADMIN,)),
    ("quizzes", quizzes, PAGE_PARAMS, (ADMIN, TRAINER)),
    ("workers", workers, WORKER_PARAMS, (ADMIN,)),
    ("feedback-report", feedback_summary, frozenset(), (ADMIN,)),
)


def add_api_routes(app: web.Application) -> None:
    app.router.add_get("/api/admin/me", allow(ADMIN, TRAINER)(me))
    for name, build, params, roles in ROUTES:
        app.router.add_get(f"/api/admin/{name}", allow(*roles)(report_route(name, build, params)))
