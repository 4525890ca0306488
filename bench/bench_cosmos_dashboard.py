"""The dashboard facts on the local Cosmos DB API server: requests, documents read and the
request charge the server reports for each API call's facts, over a generated tenant.

The local server (tests/cosmos_server.js) answers every request with `x-ms-request-charge: 1`
and keeps everything in memory, so the figures that carry over to Azure are the requests and
the documents each call reads (bot/store/README.md turns them into RU).
    python -m bench.bench_cosmos_dashboard [--workers 300]
Results: bench/results/cosmos_dashboard.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import bot.store.cosmos as cosmos_module  # noqa: E402
from domain.dashboard import WorkerQuery, active_window  # noqa: E402
from domain.models import EventKind, ProgressStatus, QuizAnswer, UsageEvent  # noqa: E402
from domain.reports import ReportFilter  # noqa: E402
from cosmos_support import local_cosmos_store  # noqa: E402
from store_contract.dataset import attempt, progress, worker  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "cosmos_dashboard.json"
MODULES = ("outlook", "teams", "onedrive")
START = datetime(2026, 9, 1, tzinfo=timezone.utc)


class Meter:
    """Counts the HTTP responses of the Cosmos client and sums their request charge."""

    def __init__(self) -> None:
        self.requests, self.charge, self.documents = 0, 0.0, 0

    def __call__(self, response) -> None:
        headers = response.http_response.headers
        self.requests += 1
        self.charge += float(headers.get("x-ms-request-charge", 0) or 0)
        self.documents += int(headers.get("x-ms-item-count", 0) or 0)

    def reading(self) -> dict:
        return {"requests": self.requests, "request_charge": round(self.charge, 1), "documents": self.documents}


async def generate(store, workers: int) -> dict:
    rng = random.Random(7)
    counts = {"workers": workers, "progress": 0, "events": 0, "attempts": 0}
    for n in range(workers):
        wid = f"w{n}"
        await store.workers.register_worker(worker(wid, name=f"Worker {n}"))
        for module_id in rng.sample(MODULES, rng.randint(1, len(MODULES))):
            started = START + timedelta(days=rng.randrange(90))
            done = rng.random() < 0.6
            await store.progress.save_progress(progress(
                wid, module_id, locale="en", status=ProgressStatus.DONE if done else ProgressStatus.IN_PROGRESS,
                started_at=started, updated_at=started, completed_at=started + timedelta(hours=2) if done else None,
                minutes_to_complete=20 if done else None), None)
            counts["progress"] += 1
        for e in range(10):
            kind = EventKind.EXERCISE_STUCK if e == 0 else EventKind.STEP_VIEWED
            await store.events.record_event(UsageEvent(
                id=f"{wid}-e{e}", kind=kind, worker_id=wid, module_id=rng.choice(MODULES), step_index=1,
                at=START + timedelta(days=rng.randrange(90), minutes=e)))
            counts["events"] += 1
        if rng.random() < 0.5:
            when = START + timedelta(days=rng.randrange(90))
            await store.attempts.create_attempt(attempt(f"a{n}", wid, "outlook", question_ids=["q1", "q2"],
                                                        started_at=when))
            for q in ("q1", "q2"):
                await store.attempts.record_answer(wid, f"a{n}", QuizAnswer(
                    question_id=q, chosen=["c"], correct=rng.random() < 0.7, answered_at=when))
            await store.attempts.submit_attempt(wid, f"a{n}", 50.0, rng.random() < 0.5, when)
            counts["attempts"] += 1
    return counts


async def measure(workers: int) -> dict:
    meter = Meter()
    cosmos_module.CosmosClient = partial(cosmos_module.CosmosClient, raw_response_hook=meter)
    store = local_cosmos_store()
    await store.open()
    began = time.perf_counter()
    data = await generate(store, workers)
    data["seconds"] = round(time.perf_counter() - began, 1)
    flt, today = ReportFilter(), date(2026, 12, 1)
    month = ReportFilter(since=date(2026, 10, 1), until=date(2026, 10, 31))
    facts = store.dashboard
    calls = {
        "overview: counts (all time)": lambda: facts.counts(flt, active_window(flt, today)),
        "overview: counts (one month)": lambda: facts.counts(month, month),
        "overview: usage + quiz summaries": lambda: asyncio.gather(store.reports.usage_summary(flt),
                                                                   store.reports.quiz_summary(flt)),
        "modules: quiz passers + stuck steps": lambda: asyncio.gather(facts.quiz_passers(flt), facts.stuck_steps(flt)),
        "quizzes: first attempts + wrong choices + best scores": lambda: asyncio.gather(
            facts.first_attempts(flt), facts.wrong_choices(flt), facts.best_scores(flt, 0, 50)),
        "workers: page 1": lambda: facts.workers(flt, WorkerQuery()),
    }
    rows = []
    for name, call in calls.items():
        meter.__init__()
        began = time.perf_counter()
        await call()
        rows.append({"call": name, **meter.reading(), "ms": round((time.perf_counter() - began) * 1000, 1)})
    await store.close()
    return {"data": data, "calls": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=300)
    args = parser.parse_args()
    result = asyncio.run(measure(args.workers))
    print(json.dumps(result, indent=2))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
