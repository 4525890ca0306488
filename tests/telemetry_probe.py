"""Run as a process of its own by tests/test_telemetry.py (OpenTelemetry's global providers
can be set once per process): set up logging + telemetry from the environment like
`coach serve`, run a few anonymous turns through the real app, and print one JSON line with
what was imported, measured and traced. With `--flush`, also push everything to the
exporters (the test's local ingestion endpoint) before exiting."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from aiohttp.test_utils import TestClient, TestServer


def _activity(n: int, **fields: object) -> dict:
    base = {"type": "message", "channelId": "msteams", "serviceUrl": sys.argv[1],
            "from": {"id": "user-1", "name": "Alex", "aadObjectId": "aad-1"},
            "recipient": {"id": "bot"}, "conversation": {"id": "conv-1", "conversationType": "personal"},
            "locale": "en-US", "id": f"activity-{n}"}
    base.update(fields)
    return base


async def main(flush: bool) -> dict:
    from bot import logging_setup, telemetry
    from bot.settings import Settings

    settings = Settings(_env_file=None, anonymous=True, store="memory")
    options: dict = {}
    reader = spans = None
    if settings.applicationinsights_connection_string.get_secret_value():
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        reader, spans = InMemoryMetricReader(), InMemorySpanExporter()
        options = {"metric_readers": [reader], "span_processors": [SimpleSpanProcessor(spans)],
                   "disable_offline_storage": True}
    telemetry.configure(settings, **options)
    logging_setup.configure(settings)

    from bot.app import create_app

    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    statuses = []
    for n, fields in enumerate([{"text": "menu"}, {"text": "help"}, {"value": {"verb": "nonsense"}}]):
        response = await client.post("/api/messages", json=_activity(n, **fields))
        statuses.append(response.status)
    await client.close()
    logging.getLogger("bot.probe").error("probe error line")

    result: dict = {"statuses": statuses, "telemetry": telemetry.enabled(),
                    "distro_imported": any(m.startswith("azure.monitor") for m in sys.modules)}
    if reader is not None:
        points: dict[str, list] = {}
        for resource_metrics in reader.get_metrics_data().resource_metrics:
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    points.setdefault(metric.name, []).extend(
                        dict(p.attributes) for p in metric.data.data_points)
        result["metrics"] = points
        result["spans"] = sorted({s.name for s in spans.get_finished_spans()})
    if flush:
        from opentelemetry import metrics, trace
        from opentelemetry._logs import get_logger_provider

        for provider in (trace.get_tracer_provider(), metrics.get_meter_provider(), get_logger_provider()):
            provider.force_flush()
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main("--flush" in sys.argv))), flush=True)
