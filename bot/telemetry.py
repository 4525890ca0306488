"""Metrics, traces and logs to Azure Monitor through OpenTelemetry, when configured.

Instruments are defined here, once, and the rest of the code reports through two calls:

    telemetry.count("turns", kind="message")          # a counter
    telemetry.record("store_latency", 3.2, operation="progress.save_progress")  # ms

Without APPLICATIONINSIGHTS_CONNECTION_STRING nothing is exported and Microsoft's distro
(`azure-monitor-opentelemetry`, with its instrumentations) is never imported: the calls go
to OpenTelemetry's no-op API, which the Agents SDK imports anyway. `configure()` installs the
exporters once per process; `instrument_store` / `instrument_agent` add the store-latency
and turn counters only then, so an unobserved bot pays nothing for them.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics

from bot.settings import Settings
from bot.store.port import Store

METER_NAME = "adoption_coach"
SERVICE_NAME = "adoption-coach"


@dataclass(frozen=True)
class Instrument:
    otel_name: str
    kind: str  # "counter" | "histogram"
    unit: str
    description: str


INSTRUMENTS: dict[str, Instrument] = {
    "turns": Instrument("coach.turns", "counter", "{turn}", "activities processed, by kind and HTTP status"),
    "errors": Instrument("coach.errors", "counter", "{error}", "errors logged, by logger"),
    "store_latency": Instrument("coach.store.latency", "histogram", "ms",
                                "one store operation, by operation and outcome"),
    "campaign_sends": Instrument("coach.campaign.sends", "counter", "{message}",
                                 "proactive campaign messages, by outcome"),
    "throttled": Instrument("coach.throttled", "counter", "{response}",
                            "429 answers received, by service (teams, graph, cosmos)"),
    "retries": Instrument("coach.retries", "counter", "{retry}", "retried calls, by service"),
    "job_runs": Instrument("coach.job.runs", "counter", "{run}", "background job runs, by job and outcome"),
}

_meter = metrics.get_meter(METER_NAME)  # a proxy: it starts exporting once configure() ran
_instruments: dict[str, Any] = {}
_configured = False


def _instrument(name: str) -> Any:
    found = _instruments.get(name)
    if found is None:
        spec = INSTRUMENTS[name]  # KeyError: an undefined metric is a programming error
        create = _meter.create_counter if spec.kind == "counter" else _meter.create_histogram
        found = _instruments[name] = create(spec.otel_name, unit=spec.unit, description=spec.description)
    return found


def count(name: str, value: int = 1, **attributes: str | int | bool) -> None:
    """Add to a counter defined in INSTRUMENTS."""
    _instrument(name).add(value, attributes)


def record(name: str, value: float, **attributes: str | int | bool) -> None:
    """Record a value of a histogram defined in INSTRUMENTS."""
    _instrument(name).record(value, attributes)


def enabled() -> bool:
    return _configured


def configure(settings: Settings, **distro_options: Any) -> bool:
    """Send traces, metrics and logs to Azure Monitor if a connection string is set.
    Returns whether telemetry is on. `distro_options` go to `configure_azure_monitor`
    (tests pass an in-memory metric reader)."""
    global _configured
    connection_string = settings.applicationinsights_connection_string.get_secret_value()
    if _configured or not connection_string:
        return _configured
    # The VM detector would ask the instance metadata service on every start; App Service's
    # detector reads environment variables only.
    os.environ.setdefault("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "azure_app_service")
    os.environ.setdefault("OTEL_SERVICE_NAME", SERVICE_NAME)
    from azure.monitor.opentelemetry import configure_azure_monitor

    options: dict[str, Any] = {
        "connection_string": connection_string,
        "logger_name": "",  # the root logger: our records and the SDK's, at their levels
        "enable_live_metrics": False,
        "instrumentation_options": {name: {"enabled": False}
                                    for name in ("django", "fastapi", "flask", "psycopg2")},
    }
    options.update(distro_options)
    configure_azure_monitor(**options)
    _configured = True
    logging.getLogger(__name__).info("telemetry: exporting to Azure Monitor")
    return True


# --- store latency ------------------------------------------------------------------------

# Every aggregate the port declares (workers, progress, ..., leases, job_runs).
STORE_AGGREGATES = frozenset(Store.__annotations__)


class _TimedAggregate:
    def __init__(self, inner: Any, name: str) -> None:
        self._inner = inner
        self._name = name
        self._wrapped: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._inner, attr)
        if attr.startswith("_") or not inspect.iscoroutinefunction(value):
            return value
        cached = self._wrapped.get(attr)
        if cached is None:
            cached = self._wrapped[attr] = _timed(value, f"{self._name}.{attr}")
        return cached


def _timed(method: Callable[..., Any], operation: str) -> Callable[..., Any]:
    @functools.wraps(method)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        outcome = "ok"
        try:
            return await method(*args, **kwargs)
        except BaseException as exc:
            outcome = type(exc).__name__
            raise
        finally:
            record("store_latency", (time.perf_counter() - start) * 1000.0,
                   operation=operation, outcome=outcome)
    return timed


class TimedStore:
    """A Store whose aggregate methods record their latency. Everything else passes through
    (aggregates are looked up on each access: the Cosmos adapter wires them in `open()`)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._aggregates: dict[str, _TimedAggregate] = {}

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._inner, attr)
        if attr not in STORE_AGGREGATES:
            return value
        timed = self._aggregates.get(attr)
        if timed is None or timed._inner is not value:
            timed = self._aggregates[attr] = _TimedAggregate(value, attr)
        return timed


def instrument_store(store: Any) -> Any:
    return TimedStore(store) if _configured else store


# --- turns --------------------------------------------------------------------------------

def turn_kind(activity: Any) -> str:
    """message.text, message.card (a card submit), invoke.<name>, or the activity type."""
    kind = str(getattr(activity, "type", "") or "unknown")
    if kind == "message":
        has_value = isinstance(getattr(activity, "value", None), dict)
        return "message.card" if has_value and not (activity.text or "").strip() else "message.text"
    if kind == "invoke":
        return f"invoke.{getattr(activity, 'name', '') or 'unnamed'}"
    return kind


def instrument_agent(agent: Any) -> Any:
    """Count every activity the agent processes, by kind and status."""
    if not _configured:
        return agent
    process = agent.process

    @functools.wraps(process)
    async def counted(activity: Any, identity: Any) -> Any:
        kind = turn_kind(activity)
        try:
            status, payload = await process(activity, identity)
        except BaseException:
            count("turns", kind=kind, status=500)
            raise
        count("turns", kind=kind, status=status)
        return status, payload

    agent.process = counted
    return agent


class ErrorCounter(logging.Handler):
    """Counts every ERROR (and worse) record: one place that sees every error path."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        count("errors", logger=record.name)
