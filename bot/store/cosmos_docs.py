"""Document shapes of the Cosmos DB adapter: ids, partition keys, and model <-> JSON.

Times are stored as fixed-width UTC text (`2026-11-20T09:30:00.000000Z`) so that string order
is time order in range filters, and a UTC day is the first 10 characters.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SYSTEM_FIELDS = frozenset({"_rid", "_self", "_etag", "_attachments", "_ts", "ttl"})
_ENVELOPE = frozenset({"id", "workerId", "type", "key", "writeId"})
ANONYMOUS_BUCKETS = 16

M = TypeVar("M", bound=BaseModel)


def encode_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def day_of(moment: datetime) -> str:
    return encode_time(moment)[:10]  # type: ignore[index]


def encode_day(day: date) -> str:
    return day.isoformat()


def safe_key(text: str) -> str:
    """`text` usable inside a document id: Cosmos ids may not contain / \\ ? #."""
    return (text.replace("%", "%25").replace("/", "%2F").replace("\\", "%5C")
            .replace("?", "%3F").replace("#", "%23"))


def pointer(*segments: str) -> str:
    """A JSON Pointer (RFC 6901) for patch operations."""
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segments)


def plain(value: Any) -> Any:
    """Model dump value -> JSON value with times in the stored text form."""
    if isinstance(value, datetime):
        return encode_time(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


# Worker partition (container `workers`, partition key /workerId): one logical partition per
# worker holds everything a turn reads or writes, each under an id the code can compute.
WORKER_DOC = "worker"


def progress_id(module_id: str) -> str:
    return f"progress:{safe_key(module_id)}"


def attempt_id(attempt: str) -> str:
    return f"attempt:{safe_key(attempt)}"


def feedback_id(feedback: str) -> str:
    return f"feedback:{safe_key(feedback)}"


def anonymous_partition(feedback: str) -> str:
    """Anonymous feedback has no worker: spread it over a few fixed partitions, chosen from its
    id so that a retried write lands where the first one did."""
    bucket = sum(feedback.encode()) % ANONYMOUS_BUCKETS
    return f"~anonymous:{bucket:02d}"


def to_doc(model: BaseModel, *, doc_id: str, kind: str, partition: str, **extra: Any) -> dict:
    body = plain(model.model_dump())
    own_id = body.pop("id", None)
    doc = {"id": doc_id, "workerId": partition, "type": kind, **body, **extra}
    if own_id is not None:
        doc["key"] = own_id
    return doc


def from_doc(model: type[M], doc: dict, *, drop: tuple[str, ...] = ()) -> M:
    body = {k: v for k, v in doc.items()
            if k not in SYSTEM_FIELDS and k not in _ENVELOPE and k not in drop}
    if "key" in doc:
        body["id"] = doc["key"]
    return model.model_validate(body)


def sql_literal(value: str | int) -> str:
    """`value` as a Cosmos SQL literal, for filter predicates (which take no parameters).
    JSON string escaping is valid Cosmos SQL string escaping."""
    return json.dumps(value)
