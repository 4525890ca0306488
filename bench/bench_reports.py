"""The three admin reports on SQLite over a year of a large tenant's data.

Generates (in the adapter's own schema, with executemany) 1,000,000 usage events, 100,000 quiz
attempts with their answers, the progress records of 20,000 workers and 20,000 feedback items,
then times each report through the store (best of 3) for the whole year and for one month.
Goal: <= 1 s each. Usage:
    python -m bench.bench_reports [--events 1000000] [--attempts 100000] [--db FILE] [--keep]
    python -m bench.bench_reports --quick           # a tenth of the data, for a quick look
    python -m bench.bench_reports --existing FILE   # time a database kept with --keep again
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.content import CONTENT_DIR, DEFAULT_LOCALE, load_locale
from domain.models import EventKind
from domain.reports import ReportFilter
from bot.store.sqlite import SqliteStore
from bot.store.sqlite_migrations import encode_time, encode_week

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
YEAR_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SECONDS_IN_YEAR = 334 * 24 * 3600  # up to the end of November
LOCALES = ("en", "en", "sv", "nl")
GOAL_SECONDS = 1.0
EVENT_MIX = [  # kind, weight
    (EventKind.STEP_VIEWED, 58), (EventKind.EXERCISE_DONE, 15), (EventKind.MODULE_STARTED, 8),
    (EventKind.EXERCISE_STUCK, 5), (EventKind.MODULE_COMPLETED, 5), (EventKind.COMMAND_USED, 5),
    (EventKind.QUIZ_STARTED, 2), (EventKind.QUIZ_SUBMITTED, 1), (EventKind.FEEDBACK_GIVEN, 1),
]


def moment(rng: random.Random) -> datetime:
    return YEAR_START + timedelta(seconds=rng.randrange(SECONDS_IN_YEAR))


def quiz_questions() -> dict[str, list[str]]:
    tree, _ = load_locale(CONTENT_DIR, DEFAULT_LOCALE)
    found = {m.id: [q.id for q in m.quiz.questions] for m in tree.modules.values()}
    return found or {f"module-{i}": [f"q{n}" for n in range(1, 9)] for i in range(9)}


def generate(path: Path, events: int, attempts: int, workers: int, feedback: int) -> dict[str, int]:
    questions = quiz_questions()
    modules = list(questions)
    rng = random.Random(2026)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -524288")  # 512 MB: index pages stay in memory while loading
    counts: dict[str, int] = {}
    conn.execute("BEGIN")

    progress = []
    for w in range(workers):
        for module_id in rng.sample(modules, rng.randint(1, len(modules))):
            started = moment(rng)
            done = rng.random() < 0.6
            completed = started + timedelta(minutes=rng.randint(5, 3 * 24 * 60)) if done else None
            minutes = rng.randint(3, 40) if done else None
            progress.append((f"w{w}", module_id, "done" if done else "in_progress", 0 if done else rng.randint(0, 6),
                             rng.choice(LOCALES), encode_time(started), encode_week(started),
                             encode_time(completed or started), encode_time(completed), encode_week(completed),
                             minutes, 1))
    conn.executemany("""INSERT INTO progress (worker_id, module_id, status, step_index, locale, started_at,
                            started_week, updated_at, completed_at, completed_week, minutes_to_complete, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", progress)
    counts["progress"] = len(progress)

    kinds = [k.value for k, _ in EVENT_MIX]
    weights = [w for _, w in EVENT_MIX]

    def event_rows():
        for i, kind in enumerate(rng.choices(kinds, weights, k=events)):
            yield (f"e{i:08d}", kind, f"w{rng.randrange(workers)}", rng.choice(modules), rng.randint(0, 6),
                   rng.choice(LOCALES), encode_time(moment(rng)), None)
    conn.executemany("""INSERT INTO events (id, kind, worker_id, module_id, step_index, locale, at, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", event_rows())
    counts["events"] = events

    attempt_rows, answer_rows = [], []
    for i in range(attempts):
        module_id = rng.choice(modules)
        ids = questions[module_id][:]
        rng.shuffle(ids)
        started, locale = moment(rng), rng.choice(LOCALES)
        submitted = started + timedelta(minutes=rng.randint(2, 15)) if rng.random() < 0.95 else None
        answered = ids if submitted else ids[:rng.randrange(len(ids))]
        right = [rng.random() < 0.78 for _ in answered]
        score = round(100 * sum(right) / len(ids), 1)
        attempt_rows.append((f"a{i:07d}", f"w{rng.randrange(workers)}", module_id, locale, rng.randrange(2**53),
                             json.dumps(ids), "submitted" if submitted else "in_progress",
                             score if submitted else None, int(score >= 80) if submitted else None,
                             encode_time(started), encode_time(submitted), None, len(answered)))
        answer_rows += [(f"a{i:07d}", qid, '["a"]', int(ok), encode_time(started), module_id, locale,
                         encode_time(submitted)) for qid, ok in zip(answered, right)]
    conn.executemany("""INSERT INTO attempts (id, worker_id, module_id, locale, seed, question_ids, status, score,
                            passed, started_at, submitted_at, campaign_id, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", attempt_rows)
    conn.executemany("""INSERT INTO answers (attempt_id, question_id, chosen, correct, answered_at, module_id,
                            locale, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", answer_rows)
    counts["attempts"], counts["answers"] = len(attempt_rows), len(answer_rows)

    categories = ("content", "policy", "device", "app", "other")
    conn.executemany("""INSERT INTO feedback (id, worker_id, module_id, rating, category, text, locale, status,
                            created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                     [(f"f{i:06d}", None if rng.random() < 0.3 else f"w{rng.randrange(workers)}",
                       rng.choice(modules + [None]), rng.randint(1, 5), rng.choice(categories),
                       "Some words about what happened. " * rng.randint(0, 6), rng.choice(LOCALES),
                       rng.choice(("new", "new", "triaged", "done")), encode_time(moment(rng)))
                      for i in range(feedback)])
    counts["feedback"] = feedback
    conn.execute("COMMIT")
    conn.close()
    return counts


async def time_reports(path: Path, repeats: int) -> list[dict]:
    store = SqliteStore(path)
    await store.open()
    windows = {"whole year": ReportFilter(),
               "November": ReportFilter(since=date(2026, 11, 1), until=date(2026, 11, 30)),
               "one module, sv": ReportFilter(module_id=quiz_questions().__iter__().__next__(), locale="sv")}
    reports = {"usage": store.reports.usage_report, "quizzes": store.reports.quiz_report,
               "feedback": store.reports.feedback_report}
    rows = []
    try:
        for window, flt in windows.items():
            for name, run in reports.items():
                timings = []
                for _ in range(repeats):
                    began = time.perf_counter()
                    result = await run(flt)
                    timings.append(time.perf_counter() - began)
                size = len(getattr(result, "items", None) or getattr(result, "modules"))
                rows.append({"report": name, "window": window, "best_s": round(min(timings), 4),
                             "worst_s": round(max(timings), 4), "rows": size})
    finally:
        await store.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--feedback", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db", type=Path, help="database file to create (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of every size (100,000 events ...): seconds instead of a minute")
    parser.add_argument("--existing", type=Path, metavar="FILE",
                        help="time the reports on this database (made with --keep) without generating")
    args = parser.parse_args()
    if args.quick:
        for name in ("events", "attempts", "workers", "feedback"):
            setattr(args, name, getattr(args, name) // 10)
    console = Console()
    if args.existing:
        if not args.existing.is_file():
            parser.error(f"no database at {args.existing}")
        return _report(console, args, {"existing": str(args.existing)},
                       asyncio.run(time_reports(args.existing, args.repeats)))

    folder = tempfile.mkdtemp(prefix="coach-bench-")
    path = args.db or Path(folder) / "reports.db"
    if path.exists():
        raise SystemExit(f"{path} exists: give a new file")
    asyncio.run(_migrate(path))
    began = time.perf_counter()
    counts = generate(path, args.events, args.attempts, args.workers, args.feedback)
    console.print(f"generated {counts} in {time.perf_counter() - began:.1f} s "
                  f"({path.stat().st_size / 1e6:.0f} MB)")
    rows = asyncio.run(time_reports(path, args.repeats))
    if not args.keep:
        for file in path.parent.glob(path.name + "*"):
            file.unlink()
    return _report(console, args, counts, rows)


def _report(console: Console, args: argparse.Namespace, counts: dict, rows: list[dict]) -> int:
    table = Table(title=f"Reports on SQLite, best of {args.repeats} (goal <= {GOAL_SECONDS:g} s)")
    for column in ("report", "window", "best s", "worst s", "result rows", "goal"):
        table.add_column(column, justify="left" if column in ("report", "window") else "right")
    for row in rows:
        table.add_row(row["report"], row["window"], f"{row['best_s']:.3f}", f"{row['worst_s']:.3f}",
                      str(row["rows"]), "ok" if row["best_s"] <= GOAL_SECONDS else "SLOW")
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reports.json").write_text(json.dumps(
        {"data": counts, "repeats": args.repeats, "results": rows}, indent=2) + "\n")
    return 0 if all(r["best_s"] <= GOAL_SECONDS for r in rows) else 1


async def _migrate(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()  # creates the schema (all migrations)
    await store.close()


if __name__ == "__main__":
    raise SystemExit(main())
