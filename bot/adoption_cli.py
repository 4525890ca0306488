"""`coach report adoption`: the adoption report from the store, as a table, CSV or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.adoption_service import collect_adoption
from bot.adoption_tables import adoption_tables, for_screen
from bot.content import CONTENT_DIR
from bot.expectations import load_expectations
from bot.report_tables import Titles, render_csv, render_json, render_rich
from bot.settings import Settings
from bot.usage_import import CONCEALED_HELP
from domain.adoption import AdoptionReport, Expectations
from domain.reports import ReportFilter

ADOPTION_EPILOG = """\
adoption: per workload the active share of trained vs untrained workers (trained = completed a
  module whose expectation names the workload), per module how many who completed it (at least
  evaluate_after_days before the report date) meet its expectation, the trend per import, and
  the workers trained but not using it / not trained and not using it, by department.
  Workers are the enabled directory users (`coach directory sync`); usage comes from
  `coach usage import`; expectations from content/expectations.yaml and ORG_EXPECTATIONS.
  With concealed names only tenant-level figures (tenant_users, tenant_active) are filled.
  --since/--until/--module/--locale do not apply to it.
adoption --format json:
  {"report": "adoption", "filter": {...all null}, "report_date": "YYYY-MM-DD" | null,
   "concealed": bool, "notice": str | null,
   "tables": {
     "workloads": [{"workload", "trained", "trained_active", "trained_share", "untrained",
                    "untrained_active", "untrained_share", "tenant_users", "tenant_active"}],
     "modules": [{"module_id", "module", "completed", "evaluated", "meeting", "meeting_rate"}],
     "trend": [{"report_date", "workload", "trained_share", "untrained_share"}],
     "trained_not_using": [{"department", "module_id", "module", "name"}],
     "untrained_not_using": [{"department", "module_id", "module", "name"}]}}
  shares and rates are fractions 0..1 (null when there is nobody to divide by).
"""


def expectations_or_none(settings: Settings, module_ids: list[str]) -> tuple[Expectations | None, list[str]]:
    return load_expectations(CONTENT_DIR, module_ids, settings.org_expectations)


def render(report: AdoptionReport, titles: Titles, fmt: str, out: Path | None) -> None:
    from bot.report_cli import emit, write

    tables = adoption_tables(report, titles)
    notice = CONCEALED_HELP if report.concealed else None
    if fmt == "json":
        data = render_json(tables, "adoption", ReportFilter(), {
            "report_date": report.report_date.isoformat() if report.report_date else None,
            "concealed": report.concealed, "notice": notice})
        emit(data, out)
        return
    if notice and fmt == "table":
        print(f"note: {notice}", file=sys.stderr)
    write("adoption", ReportFilter(), for_screen(tables) if fmt == "table" else tables, fmt, out)


def cmd_report_adoption(settings: Settings, fmt: str, out: Path | None, titles: Titles,
                        module_ids: list[str]) -> int:
    expectations, problems = expectations_or_none(settings, module_ids)
    if expectations is None:
        for problem in problems:
            print(f"coach report: {problem}", file=sys.stderr)
        return 2

    from bot.cli_run import run_with_store

    report = run_with_store("report", settings, lambda store: collect_adoption(store, expectations))
    if isinstance(report, int):
        return report
    render(report, titles, fmt, out)
    return 0
