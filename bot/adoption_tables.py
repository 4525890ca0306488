"""The adoption report as tables (bot/report_tables.py prints them as a table, CSV or JSON)."""

from __future__ import annotations

from typing import Any

from bot.report_tables import Table, Titles
from domain.adoption import AdoptionReport

SCREEN_NAMES = 100  # names per list in the terminal view (CSV and JSON have all)
WORKLOAD_COLUMNS = ["workload", "trained", "trained_active", "trained_share", "untrained",
                    "untrained_active", "untrained_share", "tenant_users", "tenant_active"]


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else round(percent / 100, 3)


def _names(name: str, title: str, lists: dict[str, list[tuple[str, str]]], titles: Titles) -> Table:
    rows = [{"department": dept, "module_id": module_id, "module": titles.module(module_id), "name": person}
            for dept in sorted(lists) for module_id, person in lists[dept]]
    return Table(name, title, ["department", "module_id", "module", "name"], rows,
                 ["department", "module", "name"])


def adoption_tables(report: AdoptionReport, titles: Titles) -> list[Table]:
    workloads = [{"workload": s.workload, "trained": s.trained, "trained_active": s.trained_active,
                  "trained_share": _fraction(s.share(True)), "untrained": s.untrained,
                  "untrained_active": s.untrained_active, "untrained_share": _fraction(s.share(False)),
                  "tenant_users": s.tenant_users, "tenant_active": s.tenant_active}
                 for s in report.workloads]
    modules = [{"module_id": m.module_id, "module": titles.module(m.module_id), "completed": m.completed,
                "evaluated": m.evaluated, "meeting": m.meeting,
                "meeting_rate": round(m.meeting / m.evaluated, 3) if m.evaluated else None}
               for m in report.modules]
    trend = [{"report_date": day, "workload": workload, "trained_share": _fraction(trained),
              "untrained_share": _fraction(untrained)} for day, workload, trained, untrained in report.trend]
    return [
        Table("workloads", "Active share per workload: trained vs untrained workers",
              WORKLOAD_COLUMNS, workloads),
        Table("modules", "Per module: completed, judged (completed long enough ago), meeting the expectation",
              ["module_id", "module", "completed", "evaluated", "meeting", "meeting_rate"], modules,
              ["module", "completed", "evaluated", "meeting", "meeting_rate"]),
        Table("trend", "Trend per import", ["report_date", "workload", "trained_share", "untrained_share"], trend),
        _names("trained_not_using", "Trained but not using it", report.trained_not_using, titles),
        _names("untrained_not_using", "Not trained and not using it", report.untrained_not_using, titles),
    ]


def for_screen(tables: list[Table]) -> list[Table]:
    """The long name lists cut to SCREEN_NAMES rows, with a last row saying how many more."""
    shown = []
    for table in tables:
        if len(table.rows) > SCREEN_NAMES and "name" in table.columns:
            more: dict[str, Any] = {c: "" for c in table.columns}
            more["name"] = f"… {len(table.rows) - SCREEN_NAMES} more (--format csv or json lists all)"
            table = Table(table.name, table.title, table.columns, table.rows[:SCREEN_NAMES] + [more],
                          table.screen_columns)
        shown.append(table)
    return shown
