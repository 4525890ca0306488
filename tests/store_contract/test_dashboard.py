"""The dashboard facts on every backend, over tests/dashboard_seed.py (November 2026):

- installed: w1, w2, w3, w5 (w4 uninstalled) = 4; active: all five have events = 5;
  trained: w1, w2 = 2; open feedback: f1, f2 (f3 is done) = 2.
- quiz passers: outlook w1, w2 = 2; teams w3 = 1.
- stuck: outlook step 1 three times, teams step 0 twice, outlook step 3 once.
- first attempts: outlook w1 (fail), w2 (pass), w5 (fail) -> 3 workers, 1 passed; teams 1 of 1.
- wrong choices: outlook q1 [c] twice, [d] once; q2 [a] once, [c] once.
- best scores: Ana Berg outlook 100 (2 attempts), Björn outlook 80, Chris teams 90, Eli outlook 20.
- workers: not trained = w3, w4, w5; search "BJÖ" finds w2; language sv = w2 only.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.dashboard import Counts, FirstAttempts, StuckStep, WorkerQuery, WrongChoice
from domain.reports import ReportFilter
from bot.store.port import Store
from dashboard_seed import EVIL_NAME, FORMULA, NOVEMBER, seed_dashboard
from store_contract.dataset import nov


@pytest.fixture
async def seeded(store: Store) -> Store:
    await seed_dashboard(store)
    return store


async def test_counts(seeded: Store) -> None:
    assert await seeded.dashboard.counts(NOVEMBER, NOVEMBER) == Counts(4, 5, 2, 2)
    sv = NOVEMBER.model_copy(update={"locale": "sv"})
    assert (await seeded.dashboard.counts(sv, sv)).installed == 1
    early = ReportFilter(since=date(2026, 11, 1), until=date(2026, 11, 10))
    assert await seeded.dashboard.counts(early, early) == Counts(3, 4, 1, 0)  # w5 came on Nov 20


async def test_funnel_and_stuck_steps(seeded: Store) -> None:
    assert await seeded.dashboard.quiz_passers(NOVEMBER) == {"outlook": 2, "teams": 1}
    assert sorted(await seeded.dashboard.stuck_steps(NOVEMBER)) == [
        StuckStep("outlook", 1, 3), StuckStep("outlook", 3, 1), StuckStep("teams", 0, 2)]
    teams = NOVEMBER.model_copy(update={"module_id": "teams"})
    assert await seeded.dashboard.stuck_steps(teams) == [StuckStep("teams", 0, 2)]


async def test_first_attempts_count_each_workers_first_submission(seeded: Store) -> None:
    assert sorted(await seeded.dashboard.first_attempts(NOVEMBER)) == [
        FirstAttempts("outlook", 3, 1), FirstAttempts("teams", 1, 1)]
    later = ReportFilter(since=date(2026, 11, 5), until=date(2026, 11, 30))
    # w1's first attempt (Nov 4) is outside: the second one is not a first attempt
    assert sorted(await seeded.dashboard.first_attempts(later)) == [
        FirstAttempts("outlook", 2, 1), FirstAttempts("teams", 1, 1)]


async def test_wrong_choices(seeded: Store) -> None:
    assert sorted(await seeded.dashboard.wrong_choices(NOVEMBER)) == [
        WrongChoice("outlook", "q1", ("c",), 2), WrongChoice("outlook", "q1", ("d",), 1),
        WrongChoice("outlook", "q2", ("a",), 1), WrongChoice("outlook", "q2", ("c",), 1)]


async def test_best_scores_are_paged_by_name(seeded: Store) -> None:
    page = await seeded.dashboard.best_scores(NOVEMBER, 0, 3)
    assert page.total == 4
    assert [(r.name, r.module_id, r.best_score, r.passed, r.attempts) for r in page.rows] == [
        ("Ana Berg", "outlook", 100.0, True, 2), (EVIL_NAME, "outlook", 80.0, True, 1),
        ("Chris", "teams", 90.0, True, 1)]
    rest = await seeded.dashboard.best_scores(NOVEMBER, 3, 3)
    assert [(r.name, r.best_score, r.passed) for r in rest.rows] == [("Eli", 20.0, False)]


async def test_workers_list_filters_and_pages(seeded: Store) -> None:
    everyone = await seeded.dashboard.workers(NOVEMBER, WorkerQuery())
    assert everyone.total == 5
    rows = {r.worker_id: r for r in everyone.rows}
    assert [r.worker_id for r in everyone.rows] == ["w4", "w1", "w2", "w3", "w5"]  # by name: "=" < "A"
    assert rows["w1"][1:6] == ("Ana Berg", "en", True, 1, 1)
    assert rows["w2"].language == "sv" and rows["w3"].language == "en"
    assert rows["w4"].name == FORMULA and rows["w4"].installed is False
    assert rows["w1"].last_active == nov(15, 10, 5)
    not_trained = await seeded.dashboard.workers(NOVEMBER, WorkerQuery(not_trained=True))
    assert sorted(r.worker_id for r in not_trained.rows) == ["w3", "w4", "w5"]
    found = await seeded.dashboard.workers(NOVEMBER, WorkerQuery(search="BJÖ"))
    assert [r.worker_id for r in found.rows] == ["w2"]
    literal = await seeded.dashboard.workers(NOVEMBER, WorkerQuery(search="%"))
    assert literal.total == 0  # the search is text, not a LIKE pattern
    swedish = await seeded.dashboard.workers(NOVEMBER.model_copy(update={"locale": "sv"}), WorkerQuery())
    assert [r.worker_id for r in swedish.rows] == ["w2"]
    second = await seeded.dashboard.workers(NOVEMBER, WorkerQuery(offset=2, limit=2))
    assert (second.total, [r.worker_id for r in second.rows]) == (5, ["w2", "w3"])
