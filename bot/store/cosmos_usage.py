"""The directory and the usage rows on Cosmos DB.

- container `directory` (partition key /id): one document per directory user (`type: user`,
  id = the Entra object id made safe) and the sync checkpoint (`~checkpoint`).
- container `usage` (partition key /pk): the rows of one report day share the partition
  `pk = YYYY-MM-DD` (id `<workload>:<upn>`), so a re-import upserts the same ids and a day is
  read or purged in one partition; the imports made live in the partition `~imports`.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from domain.adoption import Threshold
from domain.usage_records import (
    Completion, DirectoryEntry, UsageImport, UsageRecord, UsageSummary, summarise)
from bot.store.cosmos_container import Doc, Docs
from bot.store.cosmos_docs import encode_time, safe_key

IMPORTS = "~imports"
CHECKPOINT = "~checkpoint"
PAGE = 100
PARALLEL = 16  # concurrent upserts of one batch


def _user_doc(entry: DirectoryEntry) -> Doc:
    return {"id": safe_key(entry.id), "type": "user", "key": entry.id, "upn": entry.upn,
            "name": entry.name, "department": entry.department, "country": entry.country,
            "office": entry.office, "preferredLanguage": entry.preferred_language,
            "enabled": entry.enabled, "removed": entry.removed}


def _entry(doc: Doc) -> DirectoryEntry:
    return DirectoryEntry(doc["key"], doc["upn"], doc["name"], doc["department"], doc["country"],
                          doc["office"], doc["preferredLanguage"], doc["enabled"], doc["removed"])


async def _each(items: list, action) -> None:
    for start in range(0, len(items), PARALLEL):
        await asyncio.gather(*(action(item) for item in items[start:start + PARALLEL]))


class CosmosDirectoryStore:
    def __init__(self, directory: Docs):
        self._docs = directory

    async def save_users(self, entries: list[DirectoryEntry]) -> int:
        async def save(entry: DirectoryEntry) -> None:
            doc_id = safe_key(entry.id)
            if entry.removed and await self._docs.patch(
                    doc_id, doc_id, [{"op": "set", "path": "/removed", "value": True}],
                    "mark a directory user removed") is not None:
                return
            await self._docs.upsert(_user_doc(entry), "save a directory user")
        await _each(entries, save)
        return len(entries)

    async def get_users(self, user_ids: list[str]) -> dict[str, DirectoryEntry]:
        found: dict[str, DirectoryEntry] = {}

        async def read(user_id: str) -> None:
            doc = await self._docs.read(safe_key(user_id), safe_key(user_id), "read a directory user")
            if doc is not None and doc.get("type") == "user":
                found[user_id] = _entry(doc)
        await _each(list(dict.fromkeys(user_ids)), read)
        return found

    async def users_page(self, cursor: str | None, limit: int) -> tuple[list[DirectoryEntry], str | None]:
        docs, token = await self._docs.page("SELECT * FROM c WHERE c.type = 'user'", {},
                                            "list directory users", token=cursor, page_size=limit)
        return [_entry(d) for d in docs], token

    async def get_checkpoint(self) -> str | None:
        doc = await self._docs.read(CHECKPOINT, CHECKPOINT, "read the directory checkpoint")
        return doc.get("link") if doc else None

    async def save_checkpoint(self, link: str | None) -> None:
        await self._docs.upsert({"id": CHECKPOINT, "type": "checkpoint", "link": link},
                                "save the directory checkpoint")

    async def upn_of(self, worker_id: str) -> str | None:
        doc = await self._docs.read(safe_key(worker_id), safe_key(worker_id), "read a directory user")
        return doc["upn"] if doc and doc.get("upn") else None

    async def delete_for_worker(self, worker_id: str) -> None:
        await self._docs.delete(safe_key(worker_id), safe_key(worker_id), "delete a directory user")

    async def holds_worker(self, worker_id: str) -> bool:
        return await self._docs.read(safe_key(worker_id), safe_key(worker_id),
                                     "read a directory user") is not None


def _row_doc(row: UsageRecord) -> Doc:
    return {"id": safe_key(f"{row.workload}:{row.upn}"), "pk": row.report_date.isoformat(),
            "kind": "row", "workload": row.workload, "upn": row.upn,
            "lastActivity": row.last_activity.isoformat() if row.last_activity else None,
            "periodDays": row.period_days, "metrics": dict(row.metrics)}


def _record(doc: Doc) -> UsageRecord:
    last = doc.get("lastActivity")
    return UsageRecord(date.fromisoformat(doc["pk"]), doc["workload"], doc["upn"],
                       date.fromisoformat(last) if last else None, doc["periodDays"], doc["metrics"])


def _import_doc(i: UsageImport) -> Doc:
    return {"id": f"{i.report_date.isoformat()}:{i.workload}", "pk": IMPORTS, "kind": "import",
            "reportDate": i.report_date.isoformat(), "workload": i.workload,
            "periodDays": i.period_days, "rows": i.rows, "concealed": i.concealed,
            "importedAt": encode_time(i.imported_at)}


def _import(doc: Doc) -> UsageImport:
    return UsageImport(date.fromisoformat(doc["reportDate"]), doc["workload"], doc["periodDays"],
                       doc["rows"], doc["concealed"], datetime.fromisoformat(doc["importedAt"]))


class CosmosUsageStore:
    def __init__(self, usage: Docs, directory: CosmosDirectoryStore):
        self._docs = usage
        self._directory = directory

    async def save_rows(self, rows: list[UsageRecord]) -> None:
        async def save(row: UsageRecord) -> None:
            await self._docs.upsert(_row_doc(row), "save a usage row")
        await _each(rows, save)

    async def record_import(self, imported: UsageImport) -> None:
        await self._docs.upsert(_import_doc(imported), "record a usage import")

    async def list_imports(self) -> list[UsageImport]:
        # The partition filter is repeated in the query: the local test server needs it.
        docs = await self._docs.query("SELECT * FROM c WHERE c.pk = @pk AND c.kind = @kind",
                                      {"@pk": IMPORTS, "@kind": "import"},
                                      "list usage imports", partition=IMPORTS)
        return sorted((_import(d) for d in docs), key=lambda i: (i.report_date, i.workload))

    async def rows_page(self, report_date: date, cursor: str | None,
                        limit: int) -> tuple[list[UsageRecord], str | None]:
        docs, token = await self._docs.page(
            "SELECT * FROM c WHERE c.pk = @day AND c.kind = @kind",
            {"@day": report_date.isoformat(), "@kind": "row"},
            "read usage rows", token=cursor, page_size=limit)
        return [_record(d) for d in docs], token

    async def rows_of(self, upn: str, chosen: list[tuple[date, str]]) -> list[UsageRecord]:
        found = []
        for day, workload in chosen:  # point reads: at most one per workload
            doc = await self._docs.read(safe_key(f"{workload}:{upn}"), day.isoformat(), "read a usage row")
            if doc is not None:
                found.append(_record(doc))
        return found

    async def summaries(self, chosen: list[tuple[date, str]],
                        thresholds: list[Threshold]) -> list[UsageSummary]:
        records: list[UsageRecord] = []
        for day in sorted({d for d, _ in chosen}):
            cursor: str | None = None
            while True:
                page, cursor = await self.rows_page(day, cursor, 1000)
                records += page
                if cursor is None:
                    break
        return summarise(records, chosen, thresholds)

    async def purge_before(self, cutoff: date) -> int:
        removed = 0
        for imported in await self.list_imports():
            if imported.report_date >= cutoff:
                continue
            day = imported.report_date.isoformat()
            removed += await self._delete_all(f"SELECT TOP {PAGE} c.id, c.pk FROM c WHERE c.pk = @pk AND c.kind = @kind",
                                              {"@pk": day, "@kind": "row"}, "purge usage rows", partition=day)
            doc = _import_doc(imported)
            await self._docs.delete(doc["id"], IMPORTS, "purge a usage import")
        return removed

    async def _delete_all(self, sql: str, params: dict, action: str, partition: str | None = None) -> int:
        deleted = 0
        while page := await self._docs.query(sql, params, action, partition=partition):
            for doc in page:
                deleted += await self._docs.delete(doc["id"], doc["pk"], action)
        return deleted

    async def delete_for_worker(self, worker_id: str) -> None:
        upn = await self._directory.upn_of(worker_id)
        if upn is not None:
            await self._delete_all(f"SELECT TOP {PAGE} c.id, c.pk FROM c WHERE c.upn = @upn",
                                   {"@upn": upn}, "delete a worker's usage rows")

    async def holds_worker(self, worker_id: str) -> bool:
        upn = await self._directory.upn_of(worker_id)
        if upn is None:
            return False
        counted = await self._docs.query("SELECT VALUE COUNT(1) FROM c WHERE c.upn = @upn",
                                         {"@upn": upn}, "look for a worker's usage rows")
        return bool(counted and counted[0])


async def completions_page(workers: Docs, cursor: str | None,
                           limit: int) -> tuple[list[Completion], str | None]:
    """Completed progress across every worker's partition, a page at a time."""
    docs, token = await workers.page(
        "SELECT c.workerId, c.module_id, c.completed_at FROM c WHERE c.type = 'progress' "
        "AND c.status = 'done' AND IS_STRING(c.completed_at)", {}, "list completed modules",
        token=cursor, page_size=limit)
    return [Completion(d["workerId"], d["module_id"], datetime.fromisoformat(d["completed_at"]))
            for d in docs], token
