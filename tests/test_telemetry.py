"""Telemetry: off (nothing imported, nothing wrapped) without a connection string; with one,
the Azure Monitor exporters are configured, turns/errors/store latency are measured, spans
are produced, and everything reaches a local stand-in ingestion endpoint."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sys
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import telemetry
from bot.store.memory import MemoryStore

REPO = Path(__file__).resolve().parent.parent
PROBE = REPO / "tests" / "telemetry_probe.py"
IKEY = "00000000-0000-4000-8000-00000000abcd"


class Ingestion:
    """Stands in for Application Insights' ingestion endpoint (POST /v2.1/track)."""

    def __init__(self, refuse: bool = False) -> None:
        self.envelopes: list[dict] = []
        self.requests = 0
        self.refuse = refuse  # answer 400 (not retried) to everything
        self.server: TestServer | None = None

    async def start(self) -> "Ingestion":
        app = web.Application()
        app.router.add_post("/v2.1/track", self._track)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def _track(self, request: web.Request) -> web.Response:
        self.requests += 1
        raw = await request.read()
        if self.refuse:
            return web.json_response({"error": "refused"}, status=400)
        if request.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        items = json.loads(raw)
        self.envelopes.extend(items if isinstance(items, list) else [items])
        return web.json_response({"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []})

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")  # type: ignore[union-attr]


def probe_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPLICATIONINSIGHTS_", "OTEL_"))}
    # Nothing may leave this machine: no statsbeat, no control plane, no metadata service.
    env.update(APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL="true",
               APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED="true",
               APPLICATIONINSIGHTS_SDKSTATS_DISABLED="true", PYTHONPATH=str(REPO))
    env.update(extra)
    return env


async def run_probe(env: dict[str, str], *args: str) -> tuple[dict, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(PROBE), *args, cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, err.decode()[-3000:]
    return json.loads(out.decode().strip().splitlines()[-1]), err.decode()


async def test_without_a_connection_string_nothing_is_imported_or_exported(connector):
    result, _ = await run_probe(probe_env(), connector.url)
    assert result["statuses"] == [202, 202, 202]
    assert result["telemetry"] is False
    assert result["distro_imported"] is False


async def probe_with_ingestion(connector, ingestion: Ingestion) -> tuple[dict, str]:
    await ingestion.start()
    try:
        connection = f"InstrumentationKey={IKEY};IngestionEndpoint={ingestion.url}"
        return await run_probe(
            probe_env(APPLICATIONINSIGHTS_CONNECTION_STRING=connection), connector.url, "--flush")
    finally:
        await ingestion.server.close()  # type: ignore[union-attr]


async def test_with_a_connection_string_turns_errors_latency_and_spans_reach_the_ingestion(connector):
    ingestion = Ingestion()
    result, stderr = await probe_with_ingestion(connector, ingestion)
    assert result["telemetry"] is True and result["distro_imported"] is True
    metrics = result["metrics"]
    kinds = sorted(point["kind"] for point in metrics["coach.turns"])
    assert kinds == ["message.card", "message.text"]  # two text turns aggregate into one point
    assert {"logger": "bot.probe"} in metrics["coach.errors"]
    operations = {point["operation"] for point in metrics["coach.store.latency"]}
    assert "workers.get_worker" in operations
    assert result["spans"], "the Agents SDK's spans are recorded"
    names = {envelope["name"] for envelope in ingestion.envelopes}
    assert "Microsoft.ApplicationInsights.Metric" in names
    assert "Microsoft.ApplicationInsights.Message" in names
    assert names & {"Microsoft.ApplicationInsights.RemoteDependency", "Microsoft.ApplicationInsights.Request"}
    assert all(envelope["iKey"] == IKEY for envelope in ingestion.envelopes)
    sent_metrics = {envelope["data"]["baseData"]["metrics"][0]["name"] for envelope in ingestion.envelopes
                    if envelope["name"] == "Microsoft.ApplicationInsights.Metric"}
    assert {"coach.turns", "coach.store.latency", "coach.errors"} <= sent_metrics
    assert IKEY not in stderr  # the key is masked in the process's own log lines


async def test_failing_exports_are_not_exported_as_logs_again(connector):
    """The exporter logs each failed export; were those records exported too, every failure
    would make another export, without end (seen here before the filter: thousands a second)."""
    ingestion = Ingestion(refuse=True)
    result, stderr = await probe_with_ingestion(connector, ingestion)
    assert result["telemetry"] is True
    assert "server side error" in stderr  # the failures were logged...
    assert 0 < ingestion.requests <= 10  # ...and not exported again and again


def test_unconfigured_process_leaves_store_and_agent_unwrapped():
    store = MemoryStore()
    assert telemetry.enabled() is False
    assert telemetry.instrument_store(store) is store


async def test_timed_store_records_each_operation_and_passes_everything_else(monkeypatch):
    recorded: list[tuple[float, dict]] = []
    monkeypatch.setattr(telemetry, "record", lambda name, value, **attrs: recorded.append((value, attrs)))
    inner = MemoryStore()
    timed = telemetry.TimedStore(inner)
    await timed.open()
    assert await timed.workers.get_worker("nobody") is None
    assert (await timed.health()).status == "ok"
    assert [attrs for _, attrs in recorded] == [{"operation": "workers.get_worker", "outcome": "ok"}]
    assert recorded[0][0] >= 0


def test_every_aggregate_of_the_port_is_timed():
    assert {"workers", "progress", "attempts", "feedback", "leases", "job_runs"} <= telemetry.STORE_AGGREGATES


def test_an_undefined_metric_is_refused():
    with pytest.raises(KeyError):
        telemetry.count("no_such_metric")


def test_turn_kinds():
    from microsoft_agents.activity import Activity

    assert telemetry.turn_kind(Activity(type="message", text="hi")) == "message.text"
    assert telemetry.turn_kind(Activity(type="message", value={"verb": "x"})) == "message.card"
    assert telemetry.turn_kind(Activity(type="invoke", name="adaptiveCard/action")) == "invoke.adaptiveCard/action"
    assert telemetry.turn_kind(Activity(type="conversationUpdate")) == "conversationUpdate"
