"""Soak: two `coach serve --anonymous` instances on one SQLite file, many simulated workers,
mixed turns (menu, module steps, quizzes answered with double-clicks, feedback sent twice),
each turn to a random instance. Reports errors, lost or doubled writes (rows counted against
what was sent), p95 latency and each instance's memory (RSS) before and after.

Usage: python -m bench.bench_soak [--turns 100000] [--workers 2000] [--concurrency 32]
A double-click sends the same card action to both instances at once and counts as two turns.
Goals: 0 errors, 0 lost, 0 doubled. Results: bench/results/soak.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.bench_turn import RESULTS, activity, free_port, start_process, wait_until_up
from bot.content import load_catalog

ERROR_TEXT_KEYS = ("error.general", "error.try_again")


def card_actions(node: object):
    if isinstance(node, dict):
        if isinstance(node.get("data"), dict) and node.get("type", "").startswith("Action."):
            yield node["data"], node
        for value in node.values():
            yield from card_actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_actions(item)


def first_choice(card: object) -> str | None:
    if isinstance(card, dict):
        if card.get("type") == "Input.ChoiceSet" and card.get("choices"):
            return card["choices"][0]["value"]
        for value in card.values():
            found = first_choice(value)
            if found:
                return found
    elif isinstance(card, list):
        for item in card:
            found = first_choice(item)
            if found:
                return found
    return None


@dataclass
class Connector:
    """The Teams connector stub: keeps, per conversation, the quiz questions the bot sent,
    and counts replies that are the bot's error messages."""

    error_texts: set[str]
    questions: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    error_replies: int = 0
    replies: int = 0

    async def receive(self, request: web.Request) -> web.Response:
        if request.can_read_body:
            body = await request.json()
            self.replies += 1
            conversation = request.match_info.get("conversation", "")
            if body.get("text") in self.error_texts:
                self.error_replies += 1
            for attachment in body.get("attachments") or []:
                card = attachment.get("content")
                choice = first_choice(card)
                for data, _ in card_actions(card):
                    if data.get("verb") == "quiz.answer" and choice:
                        self.questions[conversation].append((data["attempt"], data["question"], choice))
        return web.json_response({"id": "ok"})


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    turns: int = 0
    errors: int = 0
    workers: set[int] = field(default_factory=set)
    progress: set[tuple[int, str]] = field(default_factory=set)
    attempts: set[str] = field(default_factory=set)
    answers: set[tuple[str, str]] = field(default_factory=set)
    feedback: int = 0


class Soak:
    def __init__(self, ports: list[int], service_url: str, connector: Connector, tally: Tally,
                 modules: dict[str, int], budget: int):
        self.ports, self.service_url, self.connector, self.tally = ports, service_url, connector, tally
        self.modules = modules  # module id -> number of steps
        self.budget = budget  # turns per worker

    async def post(self, session: aiohttp.ClientSession, port: int, body: dict) -> bool:
        started = time.perf_counter()
        try:
            async with session.post(f"http://127.0.0.1:{port}/api/messages", json=body) as response:
                await response.read()
                ok = response.status < 300
        except aiohttp.ClientError:
            ok = False
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.turns += 1
        self.tally.errors += not ok
        return ok

    async def turn(self, session, worker: int, **fields) -> bool:
        return await self.post(session, random.choice(self.ports), activity(self.service_url, worker, **fields))

    async def double_click(self, session, worker: int, value: dict) -> bool:
        """The same card action at both instances at once (one redelivered activity id)."""
        body = activity(self.service_url, worker, type="message", value=value)
        results = await asyncio.gather(*(self.post(session, port, body) for port in self.ports))
        return all(results)

    async def run_worker(self, session, worker: int) -> None:
        used, cycle = 0, 0
        module_ids = list(self.modules)
        while used < self.budget:
            module = module_ids[(worker + cycle) % len(module_ids)]
            nonce = f"w{worker}c{cycle}"
            used += 1
            if await self.turn(session, worker, type="message", text="menu"):
                self.tally.workers.add(worker)
            if used >= self.budget:
                break
            used += 1
            if await self.turn(session, worker, type="message",
                               value={"verb": "module.start", "module": module, "n": f"{nonce}s"}):
                self.tally.progress.add((worker, module))
            for step in range(1, min(self.modules[module], 4)):
                if used >= self.budget:
                    return
                used += 1
                await self.turn(session, worker, type="message",
                                value={"verb": "module.step", "module": module, "step": step, "n": f"{nonce}-{step}"})
            if used >= self.budget:
                return
            used += await self.quiz(session, worker, module, nonce, self.budget - used)
            if used + len(self.ports) > self.budget:
                return
            used += len(self.ports)
            feedback = {"verb": "feedback.submit", "module": module, "n": f"{nonce}f", "rating": "4",
                        "category": "content", "text": f"soak feedback {nonce}", "anonymous": "false"}
            if await self.double_click(session, worker, feedback):
                self.tally.feedback += 1
            cycle += 1

    async def quiz(self, session, worker: int, module: str, nonce: str, budget: int) -> int:
        conversation = f"conv-{worker}"
        seen = len(self.connector.questions[conversation])
        if not await self.turn(session, worker, type="message",
                               value={"verb": "quiz.start", "module": module, "n": f"{nonce}q"}):
            return 1
        used = 1
        new = self.connector.questions[conversation][seen:]
        if not new:
            return used
        attempt = new[0][0]
        self.tally.attempts.add(attempt)
        answered: set[str] = set()
        while used + len(self.ports) <= budget:
            pending = [(q, c) for a, q, c in self.connector.questions[conversation]
                       if a == attempt and q not in answered]
            if not pending:
                break
            question, choice = pending[0]
            answered.add(question)
            used += len(self.ports)
            value = {"verb": "quiz.answer", "attempt": attempt, "question": question, "choice": choice,
                     "n": f"{nonce}-{question}"}
            if await self.double_click(session, worker, value):
                self.tally.answers.add((attempt, question))
        return used


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def stored_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        queries = {
            "workers": "SELECT count(*) FROM workers",
            "progress": "SELECT count(*) FROM progress",
            "attempts": "SELECT count(*) FROM attempts",
            "answers": "SELECT count(*) FROM answers",
            "feedback": "SELECT count(*) FROM feedback",
            "feedback_events": "SELECT count(*) FROM events WHERE kind = 'feedback_given'",
        }
        return {name: conn.execute(sql).fetchone()[0] for name, sql in queries.items()}
    finally:
        conn.close()


async def main(turns: int, workers: int, concurrency: int, instances: int = 2) -> dict:
    catalog, _ = load_catalog()
    ui = catalog.ui("en")
    modules = {m.id: len(m.steps) for m in catalog.modules("en")}
    connector = Connector(error_texts={ui[key] for key in ERROR_TEXT_KEYS if key in ui})
    app = web.Application()
    app.router.add_route("*", "/v3/conversations/{conversation}/{tail:.*}", connector.receive)
    app.router.add_route("*", "/{tail:.*}", connector.receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    connector_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", connector_port).start()
    service_url = f"http://127.0.0.1:{connector_port}"
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        ports = [free_port() for _ in range(instances)]
        logs = [open(Path(tmp) / f"instance-{n}.log", "w+") for n in range(len(ports))]
        processes = [start_process([sys.executable, "-m", "bot.cli", "serve", "--anonymous", "--port", str(port)],
                                   {"STORE": "sqlite", "SQLITE_PATH": str(db)}, stderr=log)
                     for port, log in zip(ports, logs)]
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency * 2)) as session:
                for port in ports:
                    await wait_until_up(session, port)
                rss_before = [rss_kb(p.pid) for p in processes]
                soak = Soak(ports, service_url, connector, tally, modules, max(1, turns // workers))
                queue: asyncio.Queue[int] = asyncio.Queue()
                for worker in range(workers):
                    queue.put_nowait(worker)

                async def lane() -> None:
                    while not queue.empty():
                        await soak.run_worker(session, queue.get_nowait())

                started = time.perf_counter()
                await asyncio.gather(*(lane() for _ in range(concurrency)))
                elapsed = time.perf_counter() - started
                rss_after = [rss_kb(p.pid) for p in processes]
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
            await runner.cleanup()
        logged_errors = 0
        for log in logs:
            log.seek(0)
            logged_errors += sum(" ERROR " in line or "Traceback" in line for line in log)
            log.close()
        stored = stored_counts(db)
    expected = {"workers": len(tally.workers),
                "progress": len(tally.progress), "attempts": len(tally.attempts),
                "answers": len(tally.answers), "feedback": tally.feedback, "feedback_events": tally.feedback}
    lost = {k: expected[k] - stored[k] for k in expected if stored[k] < expected[k]}
    doubled = {k: stored[k] - expected[k] for k in expected if stored[k] > expected[k]}
    latencies = sorted(tally.latencies)
    return {
        "turns": tally.turns, "workers": workers, "instances": len(ports), "concurrency": concurrency,
        "seconds": round(elapsed, 1), "turns_per_s": round(tally.turns / elapsed, 1),
        "errors": {"http": tally.errors, "error_replies": connector.error_replies, "logged": logged_errors},
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "rss_mb": [{"before": round(b / 1024, 1), "after": round(a / 1024, 1)} for b, a in zip(rss_before, rss_after)],
        "expected": expected, "stored": stored, "lost": lost, "doubled": doubled,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000, help="about this many turns in all (default 100000)")
    parser.add_argument("--workers", type=int, default=2000, help="simulated workers (default 2000)")
    parser.add_argument("--concurrency", type=int, default=32, help="workers active at once (default 32)")
    parser.add_argument("--instances", type=int, default=2, help="bot processes on the one SQLite file (default 2)")
    options = parser.parse_args()
    if min(options.turns, options.workers, options.concurrency, options.instances) < 1:
        parser.error("--turns, --workers, --concurrency and --instances must be positive")
    result = asyncio.run(main(options.turns, options.workers, options.concurrency, options.instances))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    failed = any(result["errors"].values()) or result["lost"] or result["doubled"]
    sys.exit(1 if failed else 0)
