"""The query string of an /api/admin/ call, checked: every parameter known and well-formed,
else BadQuery with a message for the 400 answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from multidict import MultiMapping

from domain.dashboard import LANGUAGES, WorkerQuery
from domain.reports import ReportFilter

FILTER_PARAMS = frozenset({"since", "until", "module", "language", "format"})
PAGE_PARAMS = frozenset({"page", "page_size"})
WORKER_PARAMS = PAGE_PARAMS | {"search", "not_trained"}
MAX_PAGE_SIZE = 200
FORMATS = ("json", "csv")
FLAGS = {"true": True, "1": True, "false": False, "0": False}


class BadQuery(ValueError):
    """The message is safe to return (it quotes no more than the parameter's name)."""


@dataclass(frozen=True)
class DashboardQuery:
    flt: ReportFilter
    fmt: str
    workers: WorkerQuery

    @property
    def page(self) -> int:
        return self.workers.offset // self.workers.limit + 1


def _day(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"'{name}' must be a date like 2026-11-30") from None


def _whole(name: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadQuery(f"'{name}' must be a whole number from {low} to {high}")
    return int(text)


def _single(query: MultiMapping[str], name: str) -> str | None:
    values = query.getall(name, [])
    if len(values) > 1:
        raise BadQuery(f"'{name}' may be given once")
    return values[0] if values else None


def parse_query(query: MultiMapping[str], extra: frozenset[str], module_ids: list[str]) -> DashboardQuery:
    allowed = FILTER_PARAMS | extra
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise BadQuery(f"unknown parameter '{unknown[0][:40]}'; this call takes: {', '.join(sorted(allowed))}")
    get = lambda name: _single(query, name)  # noqa: E731
    since = _day("since", get("since")) if get("since") else None
    until = _day("until", get("until")) if get("until") else None
    if since and until and since > until:
        raise BadQuery("'since' must not be after 'until'")
    module = get("module") or None
    if module is not None and module not in module_ids:
        raise BadQuery("'module' must be one of the module ids: " + ", ".join(module_ids))
    language = get("language") or None
    if language is not None and language not in LANGUAGES:
        raise BadQuery("'language' must be one of: " + ", ".join(LANGUAGES))
    fmt = get("format") or "json"
    if fmt not in FORMATS:
        raise BadQuery("'format' must be json or csv")
    page = _whole("page", get("page"), 1, 100_000) if get("page") else 1
    size = _whole("page_size", get("page_size"), 1, MAX_PAGE_SIZE) if get("page_size") else 50
    flag = get("not_trained") or "false"
    if flag not in FLAGS:
        raise BadQuery("'not_trained' must be true or false")
    search = (get("search") or "").strip() or None
    if search is not None and len(search) > 100:
        raise BadQuery("'search' must be at most 100 characters")
    return DashboardQuery(
        ReportFilter(since=since, until=until, module_id=module, locale=language), fmt,
        WorkerQuery(search=search, not_trained=FLAGS[flag], offset=(page - 1) * size, limit=size))
