"""The adoption report counted by pattern: each worker reduces to a few bit sets (modules
completed, modules completed long enough ago to judge, workloads active in, modules whose
expectation their figures meet), a store counts the workers per (department, pattern), and
the shares and per-module figures come from those counts. Only the name lists look at
single workers.

The rules stay here as data a store can apply: the thresholds (bit j of a usage summary's
`met`) and, per module, its requirements as masks over them (a requirement holds when the
figures reach any threshold in its mask; the expectation when every requirement holds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from .adoption import (
    AdoptionReport, Expectations, ImportFacts, ModuleAdoption, Threshold, WorkerFacts, WorkloadShare)
from .usage_records import UsageImport, UsageRecord, UsageSummary, latest_per_workload, summarise, thresholds_of


@dataclass(frozen=True)
class PatternQuery:
    chosen: tuple[tuple[date, str], ...]  # bit i of `active`: active in import chosen[i]
    thresholds: tuple[Threshold, ...]  # bit j of a summary's `met`
    modules: tuple[str, ...]  # bit k of `done`, `judged` and `meets`
    requirements: tuple[tuple[int, ...], ...]  # per module: its requirements, as threshold masks
    judged_through: date  # a completion on or before this day is judged

    @property
    def workloads(self) -> tuple[str, ...]:
        return tuple(workload for _, workload in self.chosen)


class Pattern(NamedTuple):
    department: str
    done: int
    judged: int
    active: int
    meets: int


class WorkerPattern(NamedTuple):
    """One worker: id, name, then their Pattern's fields (flat: 50,000 of them are read)."""

    id: str
    name: str
    department: str
    done: int
    judged: int
    active: int
    meets: int

    @property
    def pattern(self) -> Pattern:
        return Pattern._make(self[2:])


class PatternFacts(NamedTuple):
    counts: list[tuple[Pattern, int]]
    tenant_active: dict[str, int]  # workload -> everyone active in its report, named or not
    workers: list[WorkerPattern]  # by (department, name, id); only when asked for


def query_for(expectations: Expectations, chosen: Sequence[tuple[date, str]],
              thresholds: Sequence[Threshold] = ()) -> PatternQuery:
    """Thresholds only for the judged set: without them no module's expectation is met."""
    index = {t: j for j, t in enumerate(thresholds)}
    requirements = tuple(
        tuple(sum(1 << index[t] for t in alternatives if t in index) for alternatives in e.requirements)
        for e in expectations.by_module.values())
    return PatternQuery(tuple(chosen), tuple(thresholds), tuple(expectations.by_module), requirements,
                        max(day for day, _ in chosen) - timedelta(days=expectations.evaluate_after_days))


def module_bits(modules: Sequence[str], module_ids: Iterable[str]) -> int:
    wanted = set(module_ids)
    return sum(1 << k for k, m in enumerate(modules) if m in wanted)


def modules_met(met: int, query: PatternQuery) -> int:
    """The modules (bits) whose every requirement the thresholds reached (`met`) satisfy."""
    return sum(1 << k for k, masks in enumerate(query.requirements) if all(met & mask for mask in masks))


def worker_patterns(workers: Iterable[WorkerFacts], summaries: Mapping[str, UsageSummary],
                    query: PatternQuery) -> list[WorkerPattern]:
    """The definition every adapter's answer must equal, sorted by (department, name, id).
    `summaries` by upn, their bits in the query's order."""
    found = []
    nobody = UsageSummary("", 0, 0)
    for worker in sorted(workers, key=lambda w: (w.department, w.name, w.id)):
        done = module_bits(query.modules, worker.completed)
        judged = module_bits(query.modules, (m for m, day in worker.completed.items()
                                             if day <= query.judged_through))
        summary = summaries.get(worker.upn, nobody)
        found.append(WorkerPattern(worker.id, worker.name, worker.department, done, judged,
                                   summary.active, modules_met(summary.met, query)))
    return found


def summaries_of(imp: ImportFacts, query: PatternQuery) -> dict[str, UsageSummary]:
    """An import's facts as the summaries a store keeps (what tests hold in hand)."""
    upns = set(imp.usage).union(*(imp.active.get(w, frozenset()) for w in query.workloads))
    return {upn: UsageSummary(
        upn, sum(1 << i for i, w in enumerate(query.workloads) if upn in imp.active.get(w, frozenset())),
        sum(1 << j for j, t in enumerate(query.thresholds) if t.met_by(imp.usage.get(upn, {}))))
        for upn in upns}


def tenant_active(summaries: Iterable[UsageSummary], query: PatternQuery) -> dict[str, int]:
    counts = dict.fromkeys(query.workloads, 0)
    for summary in summaries:
        for i, workload in enumerate(query.workloads):
            counts[workload] += summary.active >> i & 1
    return counts


def count_patterns(patterns: Iterable[WorkerPattern]) -> list[tuple[Pattern, int]]:
    return sorted((Pattern._make(key), n) for key, n in Counter(p[2:] for p in patterns).items())


def _trains(expectations: Expectations, query: PatternQuery) -> dict[str, int]:
    """Workload -> the modules (bits) whose expectation names it: completing one trains it."""
    trains: dict[str, int] = {}
    for k, module_id in enumerate(query.modules):
        for workload in expectations.by_module[module_id].workloads:
            trains[workload] = trains.get(workload, 0) | 1 << k
    return trains


def tally_shares(counts: Iterable[tuple[Pattern, int]], query: PatternQuery, expectations: Expectations,
                 workloads: Iterable[str], reported: Mapping[str, int], tenant: Mapping[str, int],
                 concealed: bool) -> list[WorkloadShare]:
    """Per workload: trained (completed a module that expects it) vs untrained, and active."""
    result = {w: WorkloadShare(w, tenant_users=reported.get(w, 0), tenant_active=tenant.get(w, 0))
              for w in workloads}
    if concealed:
        return list(result.values())  # hashed names cannot be joined to workers
    trains = _trains(expectations, query)
    active_bit = {w: 1 << i for i, w in enumerate(query.workloads)}
    for pattern, n in counts:
        for workload, share in result.items():
            active = n if pattern.active & active_bit.get(workload, 0) else 0
            if pattern.done & trains.get(workload, 0):
                share.trained += n
                share.trained_active += active
            else:
                share.untrained += n
                share.untrained_active += active
    return list(result.values())


def tally_modules(counts: Iterable[tuple[Pattern, int]], query: PatternQuery,
                  concealed: bool) -> list[ModuleAdoption]:
    modules = [ModuleAdoption(m) for m in query.modules]
    for pattern, n in counts:
        for k, module in enumerate(modules):
            if pattern.done >> k & 1:
                module.completed += n
            if not concealed and pattern.judged >> k & 1:
                module.evaluated += n
                module.meeting += n * (pattern.meets >> k & 1)
    return modules


def name_lists(workers: Iterable[WorkerPattern], query: PatternQuery, report: AdoptionReport) -> None:
    """Fill "trained but not using it" (judged, not met) and "not trained and not using it"
    (never completed, not met) in the workers' (department, name, id) order."""
    entries_of: dict[tuple, list[tuple[list[tuple[str, str]], str]]] = {}  # pattern -> (list, module)
    for worker in workers:
        key = worker[2:]
        entries = entries_of.get(key)
        if entries is None:
            department, done, judged, _, meets = key
            entries = entries_of[key] = [
                ((report.trained_not_using if judged >> k & 1 else report.untrained_not_using)
                 .setdefault(department, []), m)
                for k, m in enumerate(query.modules)
                if not meets >> k & 1 and (judged >> k & 1 or not done >> k & 1)]
        name = worker.name
        for names, module_id in entries:
            names.append((module_id, name))


def usage_gap_ids(workers: Iterable[WorkerPattern], query: PatternQuery, module_id: str) -> list[str]:
    """`usage-gap:MODULE`: completed it long enough ago, and their use doesn't meet it."""
    if module_id not in query.modules:
        return []
    bit = 1 << query.modules.index(module_id)
    return [w.id for w in workers if w.judged & bit and not w.meets & bit]


def inactive_ids(workers: Iterable[WorkerPattern], query: PatternQuery, workload: str) -> list[str]:
    """`inactive:WORKLOAD`: no activity in the latest import of the workload."""
    if workload not in query.workloads:
        return []
    bit = 1 << query.workloads.index(workload)
    return [w.id for w in workers if not w.active & bit]


# --- the report from its facts ---------------------------------------------------------

@dataclass(frozen=True)
class ImportSet:
    """The imports judged together (one report day, or the latest of each workload)."""

    query: PatternQuery
    report_date: date
    concealed: bool
    reported: Mapping[str, int]  # workload -> users in its report


def import_set(chosen: Sequence[UsageImport], expectations: Expectations, judged: bool) -> ImportSet:
    """`judged`: the latest set, whose figures are compared with the expectations."""
    query = query_for(expectations, [(i.report_date, i.workload) for i in chosen],
                      thresholds_of(expectations) if judged else ())
    return ImportSet(query, max(i.report_date for i in chosen), any(i.concealed for i in chosen),
                     {i.workload: i.rows for i in chosen})


def refresher_modules(worker: WorkerFacts, records: Iterable[UsageRecord], imports: Sequence[UsageImport],
                      expectations: Expectations) -> list[str]:
    """The modules the worker completed (long enough ago) whose expectation their figures in
    the latest imports (`records`: theirs) don't meet: what their menu gently suggests again."""
    latest = latest_per_workload(imports)
    if not latest or any(i.concealed for i in latest):
        return []
    query = import_set(latest, expectations, judged=True).query
    summaries = {s.upn: s for s in summarise(records, query.chosen, query.thresholds)}
    patterns = worker_patterns([worker], summaries, query)
    return [m for m in query.modules if usage_gap_ids(patterns, query, m)]


def report_from_patterns(sets: Sequence[tuple[ImportSet, PatternFacts]], expectations: Expectations,
                         workloads: Iterable[str]) -> AdoptionReport:
    """`sets` oldest first, the latest (judged, with its workers unless concealed) last."""
    workloads = list(workloads)
    if not sets:
        return AdoptionReport(None, False, [], [ModuleAdoption(m) for m in expectations.by_module])
    latest, facts = sets[-1]
    report = AdoptionReport(latest.report_date, latest.concealed, [],
                            tally_modules(facts.counts, latest.query, latest.concealed))
    for imp, found in sets:
        shares = tally_shares(found.counts, imp.query, expectations, workloads, imp.reported,
                              found.tenant_active, imp.concealed)
        report.trend += [(imp.report_date, s.workload, s.share(True), s.share(False)) for s in shares]
        report.workloads = shares  # the latest one's stays
    if not latest.concealed:
        name_lists(facts.workers, latest.query, report)
    return report


def adoption_report(workers: list[WorkerFacts], imports: list[ImportFacts], expectations: Expectations,
                    workloads: Iterable[str]) -> AdoptionReport:
    """The report from facts in hand (`imports` oldest first; the latest one is judged)."""
    sets = []
    for n, imp in enumerate(imports):
        chosen = tuple((imp.report_date, w) for w in sorted(set(imp.active) | set(imp.reported)))
        query = query_for(expectations, chosen, thresholds_of(expectations) if n == len(imports) - 1 else ())
        patterns = worker_patterns(workers, summaries_of(imp, query), query)
        sets.append((ImportSet(query, imp.report_date, imp.concealed, imp.reported), PatternFacts(
            count_patterns(patterns), {w: len(imp.active.get(w, ())) for w in query.workloads}, patterns)))
    return report_from_patterns(sets, expectations, workloads)
