"""The functions campaign audiences `usage-gap:MODULE` and `inactive:WORKLOAD` will call."""

from __future__ import annotations

from datetime import date

from bot.adoption_service import audience_inactive, audience_usage_gap
from domain.adoption import ImportFacts, WorkerFacts
from test_adoption import shipped


def test_usage_gap_and_inactive_pick_the_right_workers() -> None:
    workers = [WorkerFacts("u1", "Ann", "ann@x.example", "Sales", {"teams": date(2026, 10, 1)}),
               WorkerFacts("u2", "Bo", "bo@x.example", "Sales", {"teams": date(2026, 10, 1)}),
               WorkerFacts("u3", "Cy", "cy@x.example", "HR", {"teams": date(2026, 11, 27)})]
    latest = ImportFacts(date(2026, 11, 28), {"ann@x.example": {"teams": {"meetings": 1}}},
                         {"teams": frozenset({"ann@x.example"})}, reported={"teams": 3})
    assert audience_usage_gap(workers, latest, shipped(), "teams") == ["u2"]  # Cy: too recent
    assert audience_inactive(workers, latest, "teams") == ["u2", "u3"]
    assert audience_inactive(workers, latest, "email") == []  # not imported: nobody is judged
    concealed = ImportFacts(date(2026, 11, 28), {}, {"teams": frozenset()}, concealed=True, reported={"teams": 3})
    assert audience_inactive(workers, concealed, "teams") == []
    assert audience_usage_gap(workers, None, shipped(), "teams") == []
