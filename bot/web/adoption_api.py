"""GET /api/admin/adoption: the adoption report (training against real Microsoft 365 use,
bot/adoption_service.py) for admins, as JSON or `?format=csv` like the other report routes.

The name lists can hold every worker: JSON carries the first NAME_ROWS of each (and how many
there are), CSV all of them; `?department=NAME` narrows both lists to one department. With
concealed names (the Microsoft 365 default) only tenant-level figures are filled and
`concealed` / `notice` say why and how an admin turns it off."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from domain.adoption import AdoptionReport, Expectations
from domain.reports import ReportFilter
from bot.adoption_service import collect_adoption
from bot.adoption_tables import adoption_tables
from bot.report_tables import Table, render_csv, render_json
from bot.store.port import StoreUnavailable
from bot.usage_import import CONCEALED_HELP
from bot.web.api import STORE_KEY, TITLES_KEY
from bot.web.query import FILTER_PARAMS
from bot.web.roles import Role, allow

EXPECTATIONS_KEY = web.AppKey("dashboard_expectations", object)  # Expectations | None
NAME_LISTS = ("trained_not_using", "untrained_not_using")
NAME_ROWS = 200
# The page's filters travel with every call; they do not apply to this report (it is the
# latest import's), so they are accepted and left alone.
PARAMS = frozenset({"format", "department"}) | FILTER_PARAMS


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _one(request: web.Request, name: str) -> str | None:
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise ValueError(f"'{name}' given more than once")
    return values[0] if values else None


def _narrowed(report: AdoptionReport, department: str | None) -> AdoptionReport:
    if department is None:
        return report
    wanted = department.casefold()
    keep = lambda lists: {d: names for d, names in lists.items() if d.casefold() == wanted}  # noqa: E731
    report.trained_not_using = keep(report.trained_not_using)
    report.untrained_not_using = keep(report.untrained_not_using)
    return report


def _departments(report: AdoptionReport) -> list[str]:
    return sorted(set(report.trained_not_using) | set(report.untrained_not_using))


async def adoption(request: web.Request) -> web.StreamResponse:
    try:
        unknown = sorted(set(request.query) - PARAMS)
        if unknown:
            raise ValueError(f"unknown parameter '{unknown[0][:40]}'; this call takes: format, department")
        fmt = _one(request, "format") or "json"
        if fmt not in ("json", "csv"):
            raise ValueError("'format' must be json or csv")
        department = (_one(request, "department") or "").strip() or None
        if department is not None and len(department) > 100:
            raise ValueError("'department' must be at most 100 characters")
    except ValueError as exc:
        return _error(400, str(exc))
    expectations: Expectations | None = request.app[EXPECTATIONS_KEY]  # type: ignore[assignment]
    if expectations is None:
        return _error(503, "the expectations (content/expectations.yaml, ORG_EXPECTATIONS) do not load: "
                           "run coach content check")
    try:
        report = await collect_adoption(request.app[STORE_KEY], expectations)  # type: ignore[arg-type]
    except StoreUnavailable as exc:
        return _error(503, str(exc))
    departments = _departments(report)
    tables = adoption_tables(_narrowed(report, department), request.app[TITLES_KEY])
    if fmt == "csv":
        filename = f"coach-adoption-{date.today().isoformat()}.csv"
        return web.Response(body=render_csv(tables), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    totals = {t.name: len(t.rows) for t in tables if t.name in NAME_LISTS}
    shown = [Table(t.name, t.title, t.columns, t.rows[:NAME_ROWS], t.screen_columns) if t.name in NAME_LISTS
             else t for t in tables]
    return web.Response(content_type="application/json", body=render_json(shown, "adoption", ReportFilter(), {
        "report_date": report.report_date.isoformat() if report.report_date else None,
        "concealed": report.concealed, "notice": CONCEALED_HELP if report.concealed else None,
        "names_total": totals, "names_shown": NAME_ROWS, "departments": departments,
        "department": department}))


def add_adoption_routes(app: web.Application, expectations: Expectations | None) -> None:
    app[EXPECTATIONS_KEY] = expectations
    app.router.add_get("/api/admin/adoption", allow(Role.ADMIN)(adoption))
