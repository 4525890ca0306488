"""The dashboard on SQLite with the data set of bench_reports.py (1,000,000 events) and 50,000
workers: p95 of the overview and workers API calls (goal <= 300 ms), the page ready in
headless Chromium (goal <= 1.5 s), and a chat turn's p95 while the overview is loaded again and
again (reports run on a second, read-only connection in a thread, so turns must not stall).

The bot runs as `coach serve --anonymous` in its own process, as in production.
    python -m bench.bench_dashboard            # the full size (generating takes a few minutes)
    python -m bench.bench_dashboard --quick    # a tenth of every size
    python -m bench.bench_dashboard --existing FILE   # a database kept with --keep
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
from rich.console import Console

from bench.bench_reports import _migrate, generate
from bench.bench_turn import coach_turn, drive, free_port, start_connector, start_process, wait_until_up
from bot.store.sqlite_migrations import encode_time
from bot.web.assets import ROOT

RESULTS = ROOT / "bench" / "results"
GOAL_CALL_MS = 300
GOAL_READY_MS = 1500
DRIVER = ROOT / "tests" / "e2e" / "dashboard_driver.mjs"
CALLS = {
    "overview (all time)": "/api/admin/overview",
    "overview (one month)": "/api/admin/overview?since=2026-10-01&until=2026-10-31",
    # The overview is reused until a write (bot/web/overview_cache.py): these make one first.
    "overview (all time, after a write)": "/api/admin/overview",
    "overview (one month, after a write)": "/api/admin/overview?since=2026-10-01&until=2026-10-31",
    "workers page 1": "/api/admin/workers",
    "workers page 500": "/api/admin/workers?page=500&page_size=50",
    "workers not trained": "/api/admin/workers?not_trained=true",
    "workers search": "/api/admin/workers?search=worker%20123",
}


def without_indexes(path: Path) -> list[str]:
    """Drops the secondary indexes (rebuilt after loading: a sort beats a million random inserts)."""
    conn = sqlite3.connect(path, isolation_level=None)
    found = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    conn.close()
    return [sql for _, sql in found]


def with_indexes(path: Path, statements: list[str]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA cache_size = -524288")
    for sql in statements:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.close()


def add_workers(path: Path, workers: int) -> None:
    rng = random.Random(50_000)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    when = encode_time(datetime(2026, 1, 1, tzinfo=timezone.utc))
    conn.executemany(
        """INSERT INTO workers (id, tenant_id, name, teams_locale, language, conversation, installed,
               created_at, updated_at, uninstalled_at) VALUES (?, 't', ?, ?, NULL, '{}', ?, ?, ?, NULL)""",
        [(f"w{i}", f"Worker {i}", rng.choice(("en-US", "sv-SE", "nl-NL", "en-GB")), int(rng.random() < 0.93),
          when, when) for i in range(workers)])
    conn.execute("COMMIT")
    conn.close()


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


AFTER_A_WRITE = "after a write"


def write_something(path: Path) -> None:
    """One usage event, as a turn records it (the cache sees any commit that changes a page)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("""INSERT INTO events (id, kind, worker_id, module_id, step_index, locale, at, detail)
                    VALUES (?, 'command_used', 'w0', NULL, NULL, 'en', ?, NULL)""",
                 (f"bench-{time.time_ns()}", encode_time(datetime.now(timezone.utc))))
    conn.close()


async def time_calls(session: aiohttp.ClientSession, base: str, repeats: int, path: Path) -> list[dict]:
    rows = []
    for name, url in CALLS.items():
        samples = []
        for _ in range(repeats):
            if AFTER_A_WRITE in name:
                write_something(path)
            began = time.perf_counter()
            async with session.get(base + url) as response:
                await response.read()
                assert response.status == 200, (url, response.status)
            samples.append((time.perf_counter() - began) * 1000)
        rows.append({"call": name, "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95(samples), 1)})
    return rows


async def turns_under_load(session, port: int, base: str, turns: int) -> dict:
    connector, service_url = await start_connector()
    try:
        quiet = await drive(session, port, coach_turn, service_url, turns, 4, 50)
        stop = asyncio.Event()
        loads = 0

        async def load_overview() -> None:
            nonlocal loads
            while not stop.is_set():
                async with session.get(base + CALLS["overview (all time)"]) as response:
                    await response.read()
                loads += 1

        loaders = [asyncio.create_task(load_overview()) for _ in range(2)]
        loaded = await drive(session, port, coach_turn, service_url, turns, 4, 50)
        stop.set()
        await asyncio.gather(*loaders)
    finally:
        await connector.cleanup()
    return {"quiet": quiet, "while_overview_loads": loaded, "overview_loads_meanwhile": loads}


def page_ready(base: str, rounds: int) -> list[float]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    node = shutil.which("node")
    ready = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            job = {"url": base + "/dashboard", "chromium": chromium, "userDataDir": folder, "artifacts": folder,
                   "readyOnly": True, "tabs": []}
            run = subprocess.run([node, str(DRIVER), json.dumps(job)], cwd=ROOT, capture_output=True, text=True,
                                 timeout=120)
            result = json.loads(run.stdout.strip().splitlines()[-1])
            if not result.get("ok"):
                raise RuntimeError(result.get("error"))
            ready += list(result["readyMs"].values())
    return ready


async def measure(path: Path, repeats: int, turns: int) -> dict:
    port = free_port()
    bot = start_process([str(ROOT / ".venv" / "bin" / "coach"), "serve", "--anonymous", "--no-jobs"],
                        {"STORE": "sqlite", "SQLITE_PATH": str(path), "PORT": str(port)})
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, port)
            await time_calls(session, base, 1, path)  # warm the page cache
            calls = await time_calls(session, base, repeats, path)
            turns_result = await turns_under_load(session, port, base, turns)
        ready = await asyncio.to_thread(page_ready, base, 2)
    finally:
        bot.terminate()
        bot.wait(timeout=30)
    return {"calls": calls, "turns": turns_result,
            "page_ready_ms": {"p50": round(statistics.median(ready)), "worst": round(max(ready)),
                              "samples": [round(r) for r in ready]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=50_000)
    parser.add_argument("--feedback", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=20, help="calls per API route")
    parser.add_argument("--turns", type=int, default=400, help="chat turns per measurement")
    parser.add_argument("--quick", action="store_true", help="a tenth of every size")
    parser.add_argument("--keep", type=Path, metavar="FILE", help="generate into FILE and keep it")
    parser.add_argument("--existing", type=Path, metavar="FILE", help="measure a database kept with --keep")
    args = parser.parse_args()
    if args.quick:
        for name in ("events", "attempts", "workers", "feedback"):
            setattr(args, name, getattr(args, name) // 10)
    console = Console()
    counts: dict = {"existing": str(args.existing)} if args.existing else {}
    if args.existing:
        if not args.existing.is_file():
            parser.error(f"no database at {args.existing}")
        path = args.existing
    else:
        path = args.keep or Path(tempfile.mkdtemp(prefix="coach-bench-")) / "dashboard.db"
        if path.exists():
            parser.error(f"{path} exists: give a new file")
        asyncio.run(_migrate(path))
        began = time.perf_counter()
        indexes = without_indexes(path)
        counts = generate(path, args.events, args.attempts, args.workers, args.feedback)
        add_workers(path, args.workers)
        with_indexes(path, indexes)
        counts["workers"] = args.workers
        console.print(f"generated {counts} in {time.perf_counter() - began:.1f} s")
    try:
        load_before = os.getloadavg()
        result = asyncio.run(measure(path, args.repeats, args.turns))
        result["load_average"] = {"before": [round(x, 2) for x in load_before],
                                  "after": [round(x, 2) for x in os.getloadavg()]}
    finally:
        if not args.existing and not args.keep:
            for file in path.parent.glob(path.name + "*"):
                file.unlink()
    result["data"] = counts
    console.print_json(json.dumps(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "dashboard-quick.json" if args.quick else "dashboard.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    slow = [c for c in result["calls"] if c["p95_ms"] > GOAL_CALL_MS]
    return 0 if not slow and result["page_ready_ms"]["worst"] <= GOAL_READY_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
