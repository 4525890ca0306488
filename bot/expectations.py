"""The expectations per module: content/expectations.yaml, with an organisation's override
(ORG_EXPECTATIONS), checked against the metrics the usage import reads and the modules."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from domain.adoption import Expectations, override, parse_expectations
from integrations.graph.usage_reports import REPORTS

METRICS = {spec.workload: set(spec.counts.values()) | set(spec.flags.values()) for spec in REPORTS}
FILE_NAME = "expectations.yaml"


def _read(path: Path) -> tuple[object, list[str]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except OSError as exc:
        return None, [f"{path}: cannot read it ({exc.strerror})"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [f"{path}:{mark.line + 1 if mark else 1}: not valid YAML"]


def load_expectations(content_root: Path, module_ids: Iterable[str],
                      org_file: Path | None = None) -> tuple[Expectations | None, list[str]]:
    """The shipped expectations, overridden by `org_file` when given; or None and the problems,
    each naming its file."""
    path = content_root / FILE_NAME
    data, errors = _read(path)
    if errors:
        return None, errors
    base, problems = parse_expectations(data, METRICS, list(module_ids))
    if base is None:
        return None, [f"{path}: {p}" for p in problems]
    if org_file is None:
        return base, []
    data, errors = _read(org_file)
    if errors:
        return None, errors
    merged, problems = override(base, data, METRICS)
    return merged, [f"{org_file}: {p}" for p in problems]
