"""Logging for the service: text or JSON lines (LOG_FORMAT), secrets and tokens masked in
every record whatever handler takes it (ours, or Azure Monitor's), noisy SDK loggers quieted,
errors counted (bot.telemetry), and the telemetry exporters started when configured."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

from bot import telemetry
from bot.settings import Settings

MASK = "***"
# A JWT (three base64url parts, the first a JSON header), or a bearer credential.
_TOKEN = re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*|(?i:\bbearer\s+)[\w.~+/=-]{8,}")
# Connection string parts that are credentials.
_KEYED = re.compile(r"(?i)\b(InstrumentationKey|AccountKey|SharedAccessKey|sig)=[^;&\s]+")
_NOISY = ("microsoft_agents", "azure", "msal", "opentelemetry")
# The exporters' own records must not be exported: a failing export would log, export the
# log, fail again, and so on without end (measured: thousands of requests a second).
_EXPORTER_LOGGERS = ("azure.monitor", "azure.core", "opentelemetry", "urllib3", "requests")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        trace_id = getattr(record, "otelTraceID", None)
        if trace_id and trace_id != "0":
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class Redactor(logging.Filter):
    """Masks the configured secrets, JWTs, bearer tokens and keyed connection-string parts in
    the message and the exception text, before any handler formats the record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        text = _TOKEN.sub(MASK, text)
        return _KEYED.sub(lambda m: f"{m.group(1)}={MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_coach_redacted", False):
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:  # into the message, so no handler renders it unmasked
            message = f"{message}\n{record.exc_text}"
            record.exc_info, record.exc_text = None, None
        redacted = self.redact(message)
        if redacted != record.msg or record.args:
            record.msg, record.args = redacted, None
        record._coach_redacted = True  # type: ignore[attr-defined]
        return True


class NotFromExporters(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(_EXPORTER_LOGGERS)


def settings_secrets(settings: Settings) -> list[str]:
    secrets = [settings.client_secret.get_secret_value(), settings.cosmos_key.get_secret_value()]
    connection_string = settings.applicationinsights_connection_string.get_secret_value()
    secrets += [part.split("=", 1)[1] for part in connection_string.split(";")
                if part.lower().startswith("instrumentationkey=")]
    return secrets


def configure(settings: Settings, *, verbose: bool = False) -> Redactor:
    """Set up the root logger for a serving or CLI process; returns the installed filter."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_coach", False)]:
        root.removeHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    errors = telemetry.ErrorCounter()
    for handler in (console, errors):
        handler._coach = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Anonymous turns have no app id by design; the SDK warns about it on every turn.
    logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(logging.ERROR)
    telemetry.configure(settings)
    redactor = Redactor(settings_secrets(settings))
    for handler in root.handlers:  # Azure Monitor's log handler included
        for old in [f for f in handler.filters if isinstance(f, (Redactor, NotFromExporters))]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
        if not getattr(handler, "_coach", False):
            handler.addFilter(NotFromExporters())
    return redactor
