"""The adoption report from the store: the imports kept, each set of them counted by the
store as worker patterns and judged by domain/adoption_patterns.py. Also the per-worker
questions campaign audiences ask (usage-gap:MODULE, inactive:WORKLOAD, department:NAME)."""

from __future__ import annotations

from pathlib import Path

from domain.adoption import AdoptionReport, Expectations
from domain.audience import Audience, AudienceKind
from domain.adoption_patterns import (
    ImportSet, PatternFacts, PatternQuery, WorkerPattern, import_set, inactive_ids, report_from_patterns,
    usage_gap_ids)
from domain.usage_records import latest_per_workload
from bot.store.adoption_facts import paged
from bot.store.port import Store
from integrations.graph.usage_reports import WORKLOADS

TREND_DAYS = 12  # report days in the trend (each one is a count over its rows)


async def import_sets(store: Store, expectations: Expectations) -> list[ImportSet]:
    """The older report days (trend only), then the latest import of each workload (judged)."""
    imports = await store.usage.list_imports()
    if not imports:
        return []
    latest = latest_per_workload(imports)
    first_latest = min(i.report_date for i in latest)
    older = sorted({i.report_date for i in imports if i.report_date < first_latest})
    sets = [import_set([i for i in imports if i.report_date == day], expectations, judged=False)
            for day in older[-(TREND_DAYS - 1):]]
    return sets + [import_set(latest, expectations, judged=True)]


async def prepare_adoption(store: Store, expectations: Expectations) -> None:
    """After an import: store the latest set's summary, so the next report only counts."""
    sets = await import_sets(store, expectations)
    if sets:
        await store.adoption.prepare(sets[-1].query)


async def collect_adoption(store: Store, expectations: Expectations) -> AdoptionReport:
    sets = await import_sets(store, expectations)
    counted: list[tuple[ImportSet, PatternFacts]] = [
        (imp, await store.adoption.pattern_facts(imp.query, workers=n == len(sets) - 1 and not imp.concealed))
        for n, imp in enumerate(sets)]
    return report_from_patterns(counted, expectations, WORKLOADS)


async def _latest_workers(store: Store, expectations: Expectations) -> tuple[PatternQuery, list[WorkerPattern]] | None:
    """The latest import set's query and every worker's pattern; None when nothing can be
    judged (no import, or names concealed)."""
    sets = await import_sets(store, expectations)
    if not sets or sets[-1].concealed:
        return None
    query = sets[-1].query
    return query, (await store.adoption.pattern_facts(query, workers=True)).workers


async def usage_gap_audience(store: Store, expectations: Expectations, module_id: str) -> list[str]:
    """Worker ids for `usage-gap:MODULE`."""
    latest = await _latest_workers(store, expectations)
    return usage_gap_ids(latest[1], latest[0], module_id) if latest else []


async def inactive_audience(store: Store, expectations: Expectations, workload: str) -> list[str]:
    """Worker ids for `inactive:WORKLOAD`: no activity in the latest import's period."""
    latest = await _latest_workers(store, expectations)
    return inactive_ids(latest[1], latest[0], workload) if latest else []


async def department_audience(store: Store, department: str) -> list[str]:
    """Worker ids for `department:NAME`: enabled directory users of it (any case)."""
    wanted = department.strip().casefold()
    return [e.id async for e in paged(store.directory.users_page)
            if e.enabled and not e.removed and e.department.strip().casefold() == wanted]


def audience_problem(audience: Audience, expectations: Expectations | None) -> str | None:
    """Why a directory audience cannot be resolved (a module without an expectation, a workload
    the import does not know), or None."""
    if audience.kind is AudienceKind.USAGE_GAP:
        if expectations is None:
            return "the expectations (content/expectations.yaml, ORG_EXPECTATIONS) do not load"
        if audience.value not in expectations.by_module:
            return (f"module {audience.value!r} has no expectation: use one of "
                    f"{', '.join(expectations.by_module)}")
    if audience.kind is AudienceKind.INACTIVE and audience.value not in WORKLOADS:
        return f"unknown workload {audience.value!r}: use one of {', '.join(WORKLOADS)}"
    return None


async def directory_audience(store: Store, audience: Audience, expectations: Expectations | None) -> list[str]:
    """Worker ids for department:, usage-gap: and inactive: (empty when it cannot be judged)."""
    if audience.kind is AudienceKind.DEPARTMENT:
        return await department_audience(store, audience.value)
    if audience_problem(audience, expectations) is not None or expectations is None:
        return []
    if audience.kind is AudienceKind.USAGE_GAP:
        return await usage_gap_audience(store, expectations, audience.value)
    return await inactive_audience(store, expectations, audience.value)


def configured_expectations(org_file: Path | None) -> Expectations | None:
    """The shipped expectations with the organisation's override, for the English modules."""
    from bot.content import CONTENT_DIR, DEFAULT_LOCALE, load_locale
    from bot.expectations import load_expectations

    tree, _ = load_locale(CONTENT_DIR, DEFAULT_LOCALE)
    return load_expectations(CONTENT_DIR, list(tree.modules), org_file)[0]
