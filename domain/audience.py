"""Who a campaign goes to: a rule the store answers page by page, or an explicit list of
Entra object ids / UPNs from a file. And who of them can be reached at all."""

from __future__ import annotations

import csv
import io
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.models import Worker

MAX_EXPLICIT = 100_000
_ID_COLUMNS = ("id", "objectid", "object id", "entra object id", "aadobjectid", "user id",
               "upn", "userprincipalname", "user principal name", "email", "mail")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class AudienceKind(StrEnum):
    ALL = "all"  # every installed worker of the tenant
    LOCALE = "locale"  # workers whose Teams locale (or chosen language) starts with `value`
    NOT_COMPLETED = "not-completed"  # `value` = module id
    NOT_PASSED = "not-passed"  # never took, or never passed, that module's quiz
    EXPLICIT = "explicit"  # `keys`: Entra object ids and/or UPNs
    # From the directory sync and the usage import (bot/adoption_service.py resolves them):
    DEPARTMENT = "department"  # directory users of that department (any case)
    USAGE_GAP = "usage-gap"  # completed module `value` but their use doesn't meet its expectation
    INACTIVE = "inactive"  # no activity in workload `value` in the last import period


# Resolved to worker ids from the directory, then looked up as an explicit list would be.
DIRECTORY_KINDS = frozenset({AudienceKind.DEPARTMENT, AudienceKind.USAGE_GAP, AudienceKind.INACTIVE})
_NEEDS_VALUE = frozenset({AudienceKind.LOCALE, AudienceKind.NOT_COMPLETED,
                          AudienceKind.NOT_PASSED}) | DIRECTORY_KINDS


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AudienceKind
    value: str = ""
    keys: list[str] = Field(default_factory=list, max_length=MAX_EXPLICIT)

    @model_validator(mode="after")
    def _complete(self) -> Audience:
        if self.kind in _NEEDS_VALUE and not self.value:
            raise ValueError(f"audience {self.kind.value} needs a value")
        if self.kind is AudienceKind.EXPLICIT and not self.keys:
            raise ValueError("an explicit audience needs at least one id or UPN")
        return self

    @classmethod
    def parse(cls, text: str) -> Audience:
        """`all`, `locale:sv`, `not-completed:MODULE`, `not-passed:MODULE`,
        `department:NAME`, `usage-gap:MODULE`, `inactive:WORKLOAD`."""
        kind, _, value = text.strip().partition(":")
        try:
            audience_kind = AudienceKind(kind.strip().lower())
        except ValueError:
            raise ValueError(f"unknown audience {kind!r}: use all, locale:LANG, "
                             "not-completed:MODULE, not-passed:MODULE, department:NAME, "
                             "usage-gap:MODULE, inactive:WORKLOAD or a file") from None
        if audience_kind is AudienceKind.EXPLICIT:
            raise ValueError("an explicit audience comes from a file")
        return cls(kind=audience_kind, value=value.strip())

    def label(self) -> str:
        if self.kind is AudienceKind.EXPLICIT:
            return f"explicit ({len(self.keys)})"
        return self.kind.value + (f":{self.value}" if self.value else "")


def parse_recipient_file(text: str) -> list[str]:
    """Ids/UPNs from a file: one per line, or a CSV whose header names an id or UPN column.
    Blank lines and duplicates are dropped (first occurrence kept, case-insensitively)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    if len(header) > 1 or header[0] in _ID_COLUMNS:
        column = next((header.index(name) for name in _ID_COLUMNS if name in header), None)
        if column is None:
            raise ValueError("the CSV has no id or UPN column (name one 'id' or 'upn')")
        rows = csv.reader(io.StringIO("\n".join(lines[1:])))
        keys = [row[column].strip() for row in rows if len(row) > column and row[column].strip()]
    else:
        keys = [line.strip() for line in lines]
    seen: set[str] = set()
    unique = []
    for key in keys:
        if key.lower() not in seen:
            seen.add(key.lower())
            unique.append(key)
    if len(unique) > MAX_EXPLICIT:
        raise ValueError(f"at most {MAX_EXPLICIT} recipients in one file")
    return unique


def is_upn(key: str) -> bool:
    return "@" in key and not _GUID.match(key)


class Unreachable(StrEnum):
    UNINSTALLED = "uninstalled"
    BLOCKED = "blocked"  # Teams answered 403 MessageWritesBlocked; cleared when they write
    NO_CONVERSATION = "no_conversation"
    UNKNOWN_WORKER = "unknown_worker"  # in the file but never seen by the bot


def matches_locale(worker: Worker, value: str) -> bool:
    """`value` a language ("sv": the worker's chosen language, else their Teams locale's) or a
    full Teams locale ("sv-FI": that locale exactly)."""
    wanted = value.lower()
    if "-" in wanted:
        return worker.teams_locale.lower() == wanted
    return (worker.language or worker.teams_locale.split("-")[0]).lower() == wanted


def unreachable_reason(worker: Worker, blocked: bool) -> Unreachable | None:
    if not worker.installed:
        return Unreachable.UNINSTALLED
    if blocked:
        return Unreachable.BLOCKED
    if not worker.conversation.get("conversation", {}).get("id"):
        return Unreachable.NO_CONVERSATION
    return None
