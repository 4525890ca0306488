"""Expectations from content/ and the adoption report, checked against hand-computed figures."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import yaml

from domain.adoption import ImportFacts, WorkerFacts, override, parse_expectations
from domain.adoption_patterns import (
    adoption_report, inactive_ids, query_for, summaries_of, usage_gap_ids, worker_patterns)
from domain.usage_records import thresholds_of
from integrations.graph.usage_reports import REPORTS, WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
METRICS = {spec.workload: set(spec.counts.values()) | set(spec.flags.values()) for spec in REPORTS}
MODULES = [p.stem for p in (ROOT / "content" / "en" / "modules").glob("*.yaml")]


def shipped():
    data = yaml.safe_load((ROOT / "content" / "expectations.yaml").read_text(encoding="utf-8"))
    expectations, errors = parse_expectations(data, METRICS, MODULES)
    assert errors == [] and expectations is not None
    return expectations


def test_the_shipped_expectations_are_valid_and_name_real_modules() -> None:
    expectations = shipped()
    assert {"teams", "outlook", "sharepoint-onedrive"} <= set(expectations.by_module)
    assert expectations.by_module["outlook"].workloads == {"email"}


def test_bad_expectations_are_refused_with_where_and_why() -> None:
    _, errors = parse_expectations({"modules": {
        "teams": [["teams.chats >= 1"]], "nope": [["email.sent >= 1"]], "outlook": [["email.sent > 1"]]}},
        METRICS, MODULES)
    assert errors == ["modules.teams[0]: unknown metric 'teams.chats'", "modules.nope: no such module",
                      "modules.outlook[0]: 'email.sent > 1' is not 'workload.metric >= N'"]


def test_an_organisation_raises_a_threshold() -> None:
    stricter, errors = override(shipped(), {"modules": {"outlook": [["email.sent >= 10"]]}}, METRICS)
    assert errors == [] and stricter is not None
    assert stricter.by_module["outlook"].met_by({"email": {"sent": 9}}) is False
    assert stricter.by_module["outlook"].met_by({"email": {"sent": 10}}) is True
    assert stricter.by_module["teams"] == shipped().by_module["teams"]


def worker(i: int, dept: str, **completed: date) -> WorkerFacts:
    return WorkerFacts(f"w{i}", f"Worker {i}", f"w{i}@contoso.example", dept,
                       {k.replace("_", "-"): v for k, v in completed.items()})


def test_adoption_report_matches_hand_computed_figures() -> None:
    expectations = shipped()
    long_ago, recent = date(2026, 10, 1), date(2026, 11, 25)
    workers = [
        worker(1, "Sales", teams=long_ago, outlook=long_ago),  # uses Teams, no meeting created
        worker(2, "Sales", teams=long_ago),  # trained on Teams, silent
        worker(3, "HR", teams=recent),  # too recent to judge
        worker(4, "HR"),  # untrained, uses Teams
        worker(5, "HR"),  # untrained, silent
    ]
    usage = {
        "w1@contoso.example": {"teams": {"team_chat_messages": 3}, "email": {"sent": 4, "meetings_created": 0}},
        "w4@contoso.example": {"teams": {"meetings": 2}},
    }
    active = {"teams": frozenset({"w1@contoso.example", "w4@contoso.example"}),
              "email": frozenset({"w1@contoso.example"})}
    older = ImportFacts(date(2026, 11, 1), {}, {"teams": frozenset({"w4@contoso.example"})})
    latest = ImportFacts(date(2026, 11, 28), usage, active)
    report = adoption_report(workers, [older, latest], expectations, WORKLOADS)

    teams = next(s for s in report.workloads if s.workload == "teams")
    # trained on Teams: w1, w2, w3 (1 active of 3); untrained: w4, w5 (1 active of 2)
    assert (teams.trained, teams.trained_active, teams.untrained, teams.untrained_active) == (3, 1, 2, 1)
    assert (teams.share(True), teams.share(False)) == (33.3, 50.0)
    by_module = {m.module_id: m for m in report.modules}
    assert (by_module["teams"].completed, by_module["teams"].evaluated, by_module["teams"].meeting) == (3, 2, 1)
    assert (by_module["outlook"].completed, by_module["outlook"].evaluated, by_module["outlook"].meeting) == (1, 1, 0)
    assert report.trained_not_using["Sales"] == [("outlook", "Worker 1"), ("teams", "Worker 2")]
    assert ("teams", "Worker 5") in report.untrained_not_using["HR"]
    assert ("teams", "Worker 4") not in report.untrained_not_using["HR"]
    assert (date(2026, 11, 1), "teams", 0.0, 50.0) in report.trend

    query = query_for(expectations, [(latest.report_date, "teams"), (latest.report_date, "email")],
                      thresholds_of(expectations))
    patterns = worker_patterns(workers, summaries_of(latest, query), query)
    # w1 meets Teams; w3 completed it too recently to judge; w4, w5 never completed it
    assert usage_gap_ids(patterns, query, "teams") == ["w2"]
    assert usage_gap_ids(patterns, query, "outlook") == ["w1"]  # no meeting created
    assert inactive_ids(patterns, query, "email") == ["w3", "w4", "w5", "w2"]  # HR first, then Sales
    assert inactive_ids(patterns, query, "apps") == []  # not imported: nobody is judged


def test_concealed_names_give_tenant_figures_only() -> None:
    hashed = frozenset({"554630B7593DDE8E04F27933A965D5B2", "2BA57CC6348F53C9EE6347528301E896"})
    latest = ImportFacts(date(2026, 11, 28), {}, {"teams": hashed}, concealed=True, reported={"teams": 5})
    report = adoption_report([worker(1, "Sales", teams=date(2026, 10, 1))], [latest], shipped(), WORKLOADS)
    assert report.concealed and report.trained_not_using == {} and report.untrained_not_using == {}
    teams = next(s for s in report.workloads if s.workload == "teams")
    assert (teams.tenant_users, teams.tenant_active, teams.trained, teams.untrained) == (5, 2, 0, 0)
    assert next(m for m in report.modules if m.module_id == "teams").completed == 1


def test_a_refresher_is_suggested_for_a_judged_module_whose_expectation_is_not_met() -> None:
    from domain.adoption_patterns import refresher_modules
    from domain.usage_records import UsageImport, UsageRecord

    day = date(2026, 11, 28)
    imports = [UsageImport(day, w, 30, 10, False, datetime(2026, 12, 1, tzinfo=timezone.utc)) for w in ("teams", "email")]
    ann = worker(1, "Sales", teams=date(2026, 10, 1), outlook=date(2026, 10, 1), sharepoint_onedrive=date(2026, 11, 25))
    rows = [UsageRecord(day, "teams", ann.upn, day, 30, {"meetings": 1}),
            UsageRecord(day, "email", ann.upn, day, 30, {"sent": 3, "meetings_created": 0})]
    # Teams met; Outlook: sent mail but created no meeting; SharePoint/OneDrive too recent
    assert refresher_modules(ann, rows, imports, shipped()) == ["outlook"]
    assert refresher_modules(ann, [], imports, shipped()) == ["teams", "outlook"]
    concealed = [UsageImport(day, "teams", 30, 10, True, datetime(2026, 12, 1, tzinfo=timezone.utc))]
    assert refresher_modules(ann, [], concealed, shipped()) == []
    assert refresher_modules(ann, [], [], shipped()) == []
