"""Start-up time of `coach serve` with and without telemetry: from process start until it
answers HTTP, median of N starts each. "With" sets APPLICATIONINSIGHTS_CONNECTION_STRING to a
local closed port (nothing leaves the machine; statsbeat and the control plane are off), so
the Azure Monitor distro is imported and configured. Results: bench/results/startup.json.

Usage: python -m bench.bench_startup [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

import aiohttp

from bench.bench_turn import RESULTS, free_port, start_process, wait_until_up

TELEMETRY_ENV = {
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
    "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "true",
    "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true",
}


async def start_once(env: dict[str, str]) -> float:
    port = free_port()
    started = time.perf_counter()
    process = start_process([sys.executable, "-m", "bot.cli", "serve", "--anonymous", "--port", str(port)],
                            {"STORE": "memory", **env})
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, port)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=20)


async def main(runs: int) -> dict:
    closed = free_port()
    variants = {
        "without": {"APPLICATIONINSIGHTS_CONNECTION_STRING": ""},
        "with": {**TELEMETRY_ENV, "APPLICATIONINSIGHTS_CONNECTION_STRING":
                 f"InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=http://127.0.0.1:{closed}"},
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):  # interleaved, so load changes hit both alike
        for name, env in variants.items():
            times[name].append(await start_once(env))
    medians = {name: round(statistics.median(values), 2) for name, values in times.items()}
    return {"runs": runs, "median_s": medians, "all_s": {k: [round(v, 2) for v in vs] for k, vs in times.items()},
            "ratio_with_without": round(medians["with"] / medians["without"], 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts per variant (default 5)")
    options = parser.parse_args()
    if options.runs < 1:
        parser.error("--runs must be positive")
    result = asyncio.run(main(options.runs))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
