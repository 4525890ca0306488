"""Importing a 50,000-user D30 usage report set (all five CSVs, generated) on SQLite, and the
adoption report over it.

Generates the five user-detail CSVs the way the admin center exports them (BOM, documented
columns), plus 50,000 directory users and ~40,000 completed modules (written through the
store, not timed). Then times `import_folder` (stream-parse, batches of 5,000 rows) and
records the peak resident memory of the process (ru_maxrss); then the stored usage summary
the import builds last (`prepare_adoption`), then the adoption report (best of 3). Goals: import < 60 s and < 200 MB; report <= 1 s. Usage:
    python -m bench.bench_usage_import [--users 50000] [--db FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot.adoption_service import collect_adoption, prepare_adoption
from bot.content import CONTENT_DIR, DEFAULT_LOCALE, load_locale
from bot.expectations import load_expectations
from bot.store.sqlite import SqliteStore
from bot.usage_import import import_folder
from domain.models import ModuleProgress, ProgressStatus
from domain.usage_records import DirectoryEntry
from tests.graph_standin import REPORT_HEADERS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPORT_DAY = date(2026, 11, 28)
DEPARTMENTS = ("Sales", "HR", "Finance", "Support", "Engineering", "Marketing")


def upn(i: int) -> str:
    return f"user{i:06d}@contoso.example"


def _values(workload: str, i: int, rng: random.Random) -> dict[str, object]:
    active = rng.random() < 0.7
    last = (REPORT_DAY - timedelta(days=rng.randrange(30))).isoformat() if active else ""
    values: dict[str, object] = {"Report Refresh Date": REPORT_DAY.isoformat(), "User Principal Name": upn(i),
                                 "User Id": f"id-{i:06d}", "Is Deleted": "False", "Report Period": 30,
                                 "Last Activity Date": last, "Assigned Products": "MICROSOFT 365 E3"}
    for column in REPORT_HEADERS[workload]:
        if column.endswith("Count"):
            values[column] = rng.randrange(40) if active else 0
        elif workload == "apps" and column not in values and column not in ("Last Activation Date",):
            values[column] = "Yes" if active and rng.random() < 0.6 else "No"
    return values


def generate(folder: Path, users: int) -> list[Path]:
    paths = []
    for n, workload in enumerate(REPORT_HEADERS):
        rng = random.Random(n)
        path = folder / f"{workload}ActivityUserDetail{REPORT_DAY:%m_%d_%Y}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            header = REPORT_HEADERS[workload]
            writer.writerow(header)
            for i in range(users):
                values = _values(workload, i, rng)
                writer.writerow([values.get(column, "") for column in header])
        paths.append(path)
    return paths


async def seed_people(store: SqliteStore, users: int, modules: list[str]) -> int:
    rng = random.Random(7)
    await store.directory.save_users([
        DirectoryEntry(f"id-{i:06d}", upn(i), f"User {i}", DEPARTMENTS[i % len(DEPARTMENTS)], "SE")
        for i in range(users)])
    done = 0
    for i in range(users):
        for module_id in modules:
            if rng.random() < 0.2:
                when = datetime(2026, 10, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(60))
                await store.progress.save_progress(ModuleProgress(
                    worker_id=f"id-{i:06d}", module_id=module_id, status=ProgressStatus.DONE,
                    started_at=when, updated_at=when, completed_at=when, minutes_to_complete=12), None)
                done += 1
    return done


async def main(users: int, db: Path) -> dict[str, object]:
    tree, _ = load_locale(CONTENT_DIR, DEFAULT_LOCALE)
    expectations, problems = load_expectations(CONTENT_DIR, list(tree.modules))
    assert expectations is not None, problems
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as folder:
        started = time.perf_counter()
        paths = generate(Path(folder), users)
        generated = time.perf_counter() - started
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        store = SqliteStore(db)
        await store.open()
        completions = await seed_people(store, users, list(expectations.by_module))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcomes = await import_folder(store.usage, Path(folder))
        imported = time.perf_counter() - started
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    await prepare_adoption(store, expectations)  # what `coach usage import` does last
    prepared = time.perf_counter() - started
    report_times, report_cpu = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()  # CPU: less sensitive to the load
        report = await collect_adoption(store, expectations)
        report_times.append(time.perf_counter() - started)
        report_cpu.append(time.process_time() - cpu)
    await store.close()
    return {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "users": users,
        "rows": sum(o.rows for o in outcomes), "files": len(paths), "completions": completions,
        "csv_megabytes": round(megabytes, 1),
        "generate_seconds": round(generated, 1), "import_seconds": round(imported, 1),
        "rows_per_second": round(sum(o.rows for o in outcomes) / imported),
        "peak_rss_mb": round(rss_peak / 1024), "rss_before_import_mb": round(rss_before / 1024),
        "summary_build_seconds": round(prepared, 2),
        "adoption_report_seconds": round(min(report_times), 3),
        "adoption_report_runs": [round(t, 3) for t in report_times],
        "adoption_report_cpu_seconds": round(min(report_cpu), 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "trained_not_using": sum(len(v) for v in report.trained_not_using.values()),
        "goals": {"import_seconds": 60, "peak_rss_mb": 200, "adoption_report_seconds": 1.0},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-usage-db-") as tmp:
        figures = asyncio.run(main(args.users, args.db or Path(tmp) / "coach.db"))
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "usage_import.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
