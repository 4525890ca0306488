"""Worker turns on Adoption Coach (SQLite) vs a bare Agents SDK echo bot, same harness, same run.

Both bots run as their own processes on 127.0.0.1 and reply to a connector stub in this process.
A Coach turn alternates `menu` (reads all progress, a 9-module card) and a card click that moves
to the next step (an optimistic progress write + a usage event + a step card). The echo turn
answers text with text. Reported: turns/s, p50/p95 latency, and ratio = echo turns/s / coach
turns/s (goal <= 1.3). `--stores sqlite,cosmos` also runs Coach on the local Cosmos DB API server.
Usage: python -m bench.bench_turn [--turns 2000] [--concurrency 16] [--stores sqlite,cosmos]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MODULE = "mfa-sign-in"
# The documented, public key of the Azure Cosmos DB Emulator; the local server accepts any key.
EMULATOR_KEY = ("C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67"
                "XIw/Jw==")
STEPS = 7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_connector() -> tuple[web.AppRunner, str]:
    async def receive(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"id": "ok"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


def start_process(command: list[str], env: dict[str, str], stderr=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=stderr)


async def wait_until_up(session: aiohttp.ClientSession, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            async with session.get(f"http://127.0.0.1:{port}/api/messages") as response:
                if response.status == 405:  # listening (POST only)
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"bot on port {port} did not start")


def activity(service_url: str, worker: int, **fields) -> dict:
    return {
        "channelId": "msteams", "serviceUrl": service_url, "locale": "en-US",
        "from": {"id": f"user-{worker}", "name": f"Worker {worker}", "aadObjectId": f"aad-{worker}"},
        "recipient": {"id": "bot", "name": "Bot"},
        "conversation": {"id": f"conv-{worker}", "conversationType": "personal", "tenantId": "t"},
        "id": f"act-{random.getrandbits(48)}", **fields,
    }


def coach_turn(service_url: str, workers: int, i: int) -> dict:
    worker = i % workers
    if i % 2 == 0:
        return activity(service_url, worker, type="message", text="menu")
    step = (i // 2) % STEPS
    return activity(service_url, worker, type="message",
                    value={"verb": "module.step", "module": MODULE, "step": step, "n": f"c{i}"})


def echo_turn(service_url: str, workers: int, i: int) -> dict:
    return activity(service_url, i % workers, type="message", text="menu")


async def drive(session, port: int, make, service_url: str, turns: int, concurrency: int,
                workers: int) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(turns))

    async def worker_loop() -> None:
        nonlocal errors
        for i in counter:
            body = make(service_url, workers, i)
            started = time.perf_counter()
            async with session.post(f"http://127.0.0.1:{port}/api/messages", json=body) as response:
                await response.read()
                if response.status >= 300:
                    errors += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker_loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"turns_per_s": round(turns / elapsed, 1), "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2), "errors": errors}


def start_cosmos_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(["node", "tests/cosmos_server.js", "--port", "0", "--host", "127.0.0.1",
                                "--exit-with-stdin"], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"the local Cosmos DB server did not start: {line!r}")
    return process, line.split()[1]


async def main(turns: int, concurrency: int, rounds: int, workers: int, stores: list[str]) -> dict:
    connector, service_url = await start_connector()
    processes: list[subprocess.Popen] = []
    bots: dict[str, int] = {"echo": free_port(), "echo+fixes": free_port()}
    with tempfile.TemporaryDirectory() as tmp:
        processes.append(start_process([sys.executable, "-m", "bench.echo_bot", str(bots["echo"])], {}))
        processes.append(start_process([sys.executable, "-m", "bench.echo_bot", str(bots["echo+fixes"]),
                                        "--with-sdk-fixes"], {}))
        for store in stores:
            env = {"STORE": store, "SQLITE_PATH": f"{tmp}/bench.db"}
            if store == "cosmos":
                server, endpoint = start_cosmos_server()
                processes.append(server)
                env |= {"COSMOS_ENDPOINT": endpoint, "COSMOS_KEY": EMULATOR_KEY, "COSMOS_VERIFY_TLS": "false",
                        "COSMOS_DATABASE": "bench"}
            bots[f"coach-{store}"] = port = free_port()
            processes.append(start_process(
                [sys.executable, "-m", "bot.cli", "serve", "--anonymous", "--port", str(port)], env))
        runs: dict[str, list[dict]] = {name: [] for name in bots}
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
                for port in bots.values():
                    await wait_until_up(session, port)
                for name, port in bots.items():
                    make = echo_turn if name.startswith("echo") else coach_turn
                    if not name.startswith("echo"):
                        for w in range(workers):  # register every worker and start the module once
                            await session.post(f"http://127.0.0.1:{port}/api/messages", json=activity(
                                service_url, w, type="message",
                                value={"verb": "module.start", "module": MODULE, "n": "s"}))
                    await drive(session, port, make, service_url, 200, concurrency, workers)  # warm-up
                for _ in range(rounds):
                    for name, port in bots.items():
                        make = echo_turn if name.startswith("echo") else coach_turn
                        runs[name].append(await drive(session, port, make, service_url, turns, concurrency, workers))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
            await connector.cleanup()
    best = {name: max(results, key=lambda r: r["turns_per_s"]) for name, results in runs.items()}
    ratios = {f"{echo}/{name}": round(best[echo]["turns_per_s"] / best[name]["turns_per_s"], 2)
              for echo in ("echo", "echo+fixes") for name in best if not name.startswith("echo")}
    return {"turns": turns, "concurrency": concurrency, "rounds": rounds, "workers": workers,
            "best": best, "runs": runs, "ratios_turns_per_s": ratios}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--stores", default="sqlite", help="comma separated: sqlite,cosmos")
    options = parser.parse_args()
    result = asyncio.run(main(options.turns, options.concurrency, options.rounds, options.workers,
                              options.stores.split(",")))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "turn.json").write_text(json.dumps(result, indent=2) + "\n")
    for name, best in result["best"].items():
        print(f"{name:13} {best['turns_per_s']:8.1f} turns/s  p50 {best['p50_ms']:7.2f} ms  "
              f"p95 {best['p95_ms']:7.2f} ms  errors {best['errors']}")
    for name, value in result["ratios_turns_per_s"].items():
        print(f"ratio {name} (turns/s): {value}")
