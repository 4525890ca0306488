"""Training against real Microsoft 365 use: what each module should lead to (expectations, as
data from content/), and the adoption report that compares the two.

An expectation is a list of requirements that must all hold; a requirement holds when any of
its alternatives does; an alternative is `workload.metric >= N` read from the usage import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_ALTERNATIVE = re.compile(r"^\s*([a-z]+)\.([a-z_]+)\s*>=\s*(\d+)\s*$")
Usage = Mapping[str, Mapping[str, int]]  # workload -> metric -> value, one worker, one import


@dataclass(frozen=True)
class Threshold:
    workload: str
    metric: str
    at_least: int

    def met_by(self, usage: Usage) -> bool:
        return usage.get(self.workload, {}).get(self.metric, 0) >= self.at_least


@dataclass(frozen=True)
class Expectation:
    module_id: str
    requirements: tuple[tuple[Threshold, ...], ...]

    @property
    def workloads(self) -> frozenset[str]:
        return frozenset(t.workload for alternatives in self.requirements for t in alternatives)

    def met_by(self, usage: Usage) -> bool:
        return all(any(t.met_by(usage) for t in alternatives) for alternatives in self.requirements)


@dataclass(frozen=True)
class Expectations:
    by_module: dict[str, Expectation]
    evaluate_after_days: int = 7  # a worker who completed the module is judged a week later


def parse_expectations(data: Any, metrics: Mapping[str, Iterable[str]],
                       module_ids: Iterable[str]) -> tuple[Expectations | None, list[str]]:
    """Read content/expectations.yaml's data. `metrics`: the metrics each workload's import has."""
    errors: list[str] = []
    known = {workload: set(names) for workload, names in metrics.items()}
    modules = set(module_ids)
    if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
        return None, ["expectations: a mapping with 'modules' is required"]
    days = data.get("evaluate_after_days", 7)
    if not isinstance(days, int) or not 0 <= days <= 90:
        errors.append("evaluate_after_days: a whole number of days from 0 to 90")
    parsed: dict[str, Expectation] = {}
    for module_id, requirements in data["modules"].items():
        where = f"modules.{module_id}"
        if module_id not in modules:
            errors.append(f"{where}: no such module")
            continue
        if not isinstance(requirements, list) or not requirements:
            errors.append(f"{where}: a list of requirements (each a list of 'workload.metric >= N')")
            continue
        reqs = []
        for r, alternatives in enumerate(requirements):
            if not isinstance(alternatives, list) or not alternatives:
                errors.append(f"{where}[{r}]: a list of alternatives")
                continue
            thresholds = []
            for text in alternatives:
                match = _ALTERNATIVE.match(str(text))
                if not match:
                    errors.append(f"{where}[{r}]: '{text}' is not 'workload.metric >= N'")
                elif match[2] not in known.get(match[1], ()):
                    errors.append(f"{where}[{r}]: unknown metric '{match[1]}.{match[2]}'")
                else:
                    thresholds.append(Threshold(match[1], match[2], int(match[3])))
            reqs.append(tuple(thresholds))
        parsed[module_id] = Expectation(module_id, tuple(reqs))
    if errors:
        return None, errors
    return Expectations(parsed, days if isinstance(days, int) else 7), []


def override(base: Expectations, data: Any, metrics: Mapping[str, Iterable[str]]) -> tuple[Expectations | None, list[str]]:
    """An organisation's own thresholds replace the shipped ones module by module."""
    merged = {"evaluate_after_days": base.evaluate_after_days, "modules": {
        m: [[f"{t.workload}.{t.metric} >= {t.at_least}" for t in alts] for alts in e.requirements]
        for m, e in base.by_module.items()}}
    if isinstance(data, dict):
        merged["evaluate_after_days"] = data.get("evaluate_after_days", merged["evaluate_after_days"])
        merged["modules"].update(data.get("modules") or {})
    return parse_expectations(merged, metrics, base.by_module)


# --- the report ------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkerFacts:
    id: str
    name: str
    upn: str
    department: str
    completed: Mapping[str, date]  # module id -> day completed


@dataclass(frozen=True)
class ImportFacts:
    """One usage import: the report day and, per upn, each workload's metrics and activity."""
    report_date: date
    usage: Mapping[str, Usage]  # upn -> workload -> metric -> value
    active: Mapping[str, frozenset[str]]  # workload -> upns with activity in the period
    concealed: bool = False
    reported: Mapping[str, int] = field(default_factory=dict)  # workload -> users in the report


@dataclass
class WorkloadShare:
    workload: str
    trained: int = 0
    trained_active: int = 0
    untrained: int = 0
    untrained_active: int = 0
    tenant_users: int = 0  # everyone in the report, named or not
    tenant_active: int = 0

    def share(self, trained: bool) -> float | None:
        total, active = (self.trained, self.trained_active) if trained else (self.untrained, self.untrained_active)
        return round(100 * active / total, 1) if total else None


@dataclass
class ModuleAdoption:
    module_id: str
    completed: int = 0
    evaluated: int = 0  # completed long enough before the import to judge
    meeting: int = 0


@dataclass
class AdoptionReport:
    report_date: date | None
    concealed: bool
    workloads: list[WorkloadShare]
    modules: list[ModuleAdoption]
    trained_not_using: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # dept -> (module, name)
    untrained_not_using: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    trend: list[tuple[date, str, float | None, float | None]] = field(default_factory=list)
