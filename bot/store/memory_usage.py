"""The directory and the usage rows in memory (dicts keyed as the other adapters key them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.adoption import Threshold
from domain.usage_records import DirectoryEntry, UsageImport, UsageRecord, UsageSummary, summarise


def page_after(keys: list, cursor: str | None, limit: int, key_text) -> tuple[list, str | None]:
    """`limit` keys (sorted) after the one whose text is `cursor`, and the next cursor."""
    ordered = sorted(keys)
    if cursor is not None:
        ordered = [k for k in ordered if key_text(k) > cursor]
    chunk = ordered[:limit]
    return chunk, key_text(chunk[-1]) if len(ordered) > limit else None


class MemoryDirectoryStore:
    def __init__(self) -> None:
        self.entries: dict[str, DirectoryEntry] = {}
        self._checkpoint: str | None = None

    async def save_users(self, entries: list[DirectoryEntry]) -> int:
        for entry in entries:
            stored = self.entries.get(entry.id)
            self.entries[entry.id] = replace(stored, removed=True) if entry.removed and stored else entry
        return len(entries)

    async def get_users(self, user_ids: list[str]) -> dict[str, DirectoryEntry]:
        return {i: self.entries[i] for i in user_ids if i in self.entries}

    async def users_page(self, cursor: str | None, limit: int) -> tuple[list[DirectoryEntry], str | None]:
        ids, next_cursor = page_after(list(self.entries), cursor, limit, str)
        return [self.entries[i] for i in ids], next_cursor

    async def get_checkpoint(self) -> str | None:
        return self._checkpoint

    async def save_checkpoint(self, link: str | None) -> None:
        self._checkpoint = link

    async def delete_for_worker(self, worker_id: str) -> None:
        self.entries.pop(worker_id, None)

    async def holds_worker(self, worker_id: str) -> bool:
        return worker_id in self.entries


class MemoryUsageStore:
    def __init__(self, directory: MemoryDirectoryStore):
        self._directory = directory
        self._rows: dict[tuple[date, str, str], UsageRecord] = {}
        self._imports: dict[tuple[date, str], UsageImport] = {}

    async def save_rows(self, rows: list[UsageRecord]) -> None:
        for row in rows:
            self._rows[(row.report_date, row.workload, row.upn)] = row

    async def record_import(self, imported: UsageImport) -> None:
        self._imports[(imported.report_date, imported.workload)] = imported

    async def list_imports(self) -> list[UsageImport]:
        return [self._imports[k] for k in sorted(self._imports)]

    async def rows_page(self, report_date: date, cursor: str | None,
                        limit: int) -> tuple[list[UsageRecord], str | None]:
        keys = [(w, u) for (d, w, u) in self._rows if d == report_date]
        chunk, next_cursor = page_after(keys, cursor, limit, "\t".join)
        return [self._rows[(report_date, w, u)] for w, u in chunk], next_cursor

    async def rows_of(self, upn: str, chosen: list[tuple[date, str]]) -> list[UsageRecord]:
        return [self._rows[(d, w, upn)] for d, w in chosen if (d, w, upn) in self._rows]

    async def summaries(self, chosen: list[tuple[date, str]],
                        thresholds: list[Threshold]) -> list[UsageSummary]:
        return summarise(self._rows.values(), chosen, thresholds)

    async def purge_before(self, cutoff: date) -> int:
        old = [k for k in self._rows if k[0] < cutoff]
        for key in old:
            del self._rows[key]
        for key in [k for k in self._imports if k[0] < cutoff]:
            del self._imports[key]
        return len(old)

    def _upn(self, worker_id: str) -> str | None:
        entry = self._directory.entries.get(worker_id)
        return entry.upn if entry and entry.upn else None

    async def delete_for_worker(self, worker_id: str) -> None:
        upn = self._upn(worker_id)
        for key in [k for k in self._rows if k[2] == upn]:
            del self._rows[key]

    async def holds_worker(self, worker_id: str) -> bool:
        upn = self._upn(worker_id)
        return upn is not None and any(k[2] == upn for k in self._rows)
