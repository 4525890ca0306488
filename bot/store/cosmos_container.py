"""One Cosmos DB container seen through the retry policy, with the status codes the adapter
expects turned into return values (404 -> None/False, 409 -> False, 412 -> None).

Writes that may be retried after an unclear failure carry a `writeId`: when a retry meets
409 or 412, the stored document is read back, and if it holds our writeId the first attempt
had landed and the write counts as done.
"""

from __future__ import annotations

import uuid
from typing import Any

from azure.core import MatchConditions
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from bot.store.cosmos_calls import Calls

Doc = dict[str, Any]


def _status(exc: CosmosHttpResponseError) -> int:
    return exc.status_code or 0


class Docs:
    def __init__(self, container: ContainerProxy, calls: Calls):
        self.container = container
        self.calls = calls

    async def read(self, doc_id: str, partition: str, action: str) -> Doc | None:
        return await self.calls.run(action, lambda: self._read_quiet(doc_id, partition))

    async def create_once(self, doc: Doc, partition: str, action: str) -> bool:
        """True when this call stored the document, False when one with its id was there."""
        doc = {**doc, "writeId": uuid.uuid4().hex}

        async def call() -> bool:
            try:
                await self.container.create_item(doc, no_response=True)
                return True
            except CosmosHttpResponseError as exc:
                if _status(exc) != 409:
                    raise
            stored = await self._read_quiet(doc["id"], partition)
            return stored is not None and stored.get("writeId") == doc["writeId"]
        return await self.calls.run(action, call)

    async def upsert(self, doc: Doc, action: str) -> Doc:
        async def call() -> Doc:
            return await self.container.upsert_item(doc)
        return await self.calls.run(action, call)

    async def replace_if_unchanged(self, doc: Doc, etag: str, partition: str,
                                   action: str) -> Doc | None:
        """Replace when the stored etag is still `etag`; None when somebody wrote since."""
        doc = {**doc, "writeId": uuid.uuid4().hex}

        async def call() -> Doc | None:
            try:
                return await self.container.replace_item(
                    doc["id"], doc, etag=etag, match_condition=MatchConditions.IfNotModified)
            except CosmosHttpResponseError as exc:
                if _status(exc) not in (404, 412):
                    raise
            return await self._own_write(doc["id"], partition, doc["writeId"])
        return await self.calls.run(action, call)

    async def patch_if_unchanged(self, doc_id: str, partition: str, operations: list[Doc],
                                 etag: str, action: str) -> Doc | None:
        write_id = uuid.uuid4().hex
        operations = [*operations, {"op": "set", "path": "/writeId", "value": write_id}]

        async def call() -> Doc | None:
            try:
                return await self.container.patch_item(
                    doc_id, partition_key=partition, patch_operations=operations,
                    etag=etag, match_condition=MatchConditions.IfNotModified)
            except CosmosHttpResponseError as exc:
                if _status(exc) not in (404, 412):
                    raise
            return await self._own_write(doc_id, partition, write_id)
        return await self.calls.run(action, call)

    async def patch_where(self, doc_id: str, partition: str, operations: list[Doc],
                          condition: str, action: str) -> tuple[Doc | None, bool]:
        """Apply `operations` only if `condition` (a `FROM c WHERE ...` filter predicate) holds,
        checked by the server in the same request. Returns (the stored document, whether this
        call changed it); (None, False) when it does not exist. One request when it applies;
        a refusal costs one more point read, which returns the document as it is."""
        write_id = uuid.uuid4().hex
        operations = [*operations, {"op": "set", "path": "/writeId", "value": write_id}]

        async def call() -> tuple[Doc | None, bool]:
            try:
                return await self.container.patch_item(
                    doc_id, partition_key=partition, patch_operations=operations,
                    filter_predicate=condition), True
            except CosmosHttpResponseError as exc:
                if _status(exc) not in (404, 412):
                    raise
            stored = await self._read_quiet(doc_id, partition)
            return stored, stored is not None and stored.get("writeId") == write_id
        return await self.calls.run(action, call)

    async def patch(self, doc_id: str, partition: str, operations: list[Doc], action: str,
                    *, idempotent: bool = True, condition: str | None = None) -> Doc | None:
        """Apply `operations`; None when the document does not exist (or `condition` fails)."""
        async def call() -> Doc | None:
            try:
                return await self.container.patch_item(
                    doc_id, partition_key=partition, patch_operations=operations,
                    filter_predicate=condition)
            except CosmosHttpResponseError as exc:
                if _status(exc) in (404, 412):
                    return None
                raise
        return await self.calls.run(action, call, idempotent=idempotent)

    async def create(self, doc: Doc, action: str, *, idempotent: bool = True) -> bool:
        """Plain create: False on 409."""
        async def call() -> bool:
            try:
                await self.container.create_item(doc, no_response=True)
                return True
            except CosmosHttpResponseError as exc:
                if _status(exc) == 409:
                    return False
                raise
        return await self.calls.run(action, call, idempotent=idempotent)

    async def delete(self, doc_id: str, partition: str, action: str) -> bool:
        """True when this call deleted it; False when it was not there. A 404 on a retry means
        our first attempt landed before its reply was lost."""
        tries = 0

        async def call() -> bool:
            nonlocal tries
            tries += 1
            try:
                await self.container.delete_item(doc_id, partition_key=partition)
                return True
            except CosmosHttpResponseError as exc:
                if _status(exc) == 404:
                    return tries > 1
                raise
        return await self.calls.run(action, call)

    async def query(self, sql: str, params: dict[str, Any], action: str, *,
                    partition: str | None = None, page_size: int | None = None) -> list[Any]:
        """All results. In one partition it is a short request; across partitions it is a
        report-sized query and gets the long budget."""
        parameters = [{"name": name, "value": value} for name, value in params.items()]

        async def call() -> list[Any]:
            kwargs: dict[str, Any] = {"parameters": parameters}
            if partition is not None:
                kwargs["partition_key"] = partition
            if page_size:
                kwargs["max_item_count"] = page_size
            return [item async for item in self.container.query_items(sql, **kwargs)]
        return await self.calls.run(action, call, long=partition is None)

    async def page(self, sql: str, params: dict[str, Any], action: str, *,
                   token: str | None, page_size: int) -> tuple[list[Any], str | None]:
        """One page of a cross-partition query from continuation `token` (None: the first),
        and the token of the next page (None after the last). Each page gets the long budget
        of its own, so a long listing never runs into one deadline."""
        parameters = [{"name": name, "value": value} for name, value in params.items()]

        async def call() -> tuple[list[Any], str | None]:
            pager = self.container.query_items(
                sql, parameters=parameters, max_item_count=page_size).by_page(token)
            async for page in pager:
                return [item async for item in page], pager.continuation_token
            return [], None
        return await self.calls.run(action, call, long=True)

    async def _read_quiet(self, doc_id: str, partition: str) -> Doc | None:
        """One point read, no retries; a missing document is None."""
        try:
            return await self.container.read_item(doc_id, partition_key=partition)
        except CosmosHttpResponseError as exc:
            if _status(exc) == 404:
                return None
            raise

    async def _own_write(self, doc_id: str, partition: str, write_id: str) -> Doc | None:
        stored = await self._read_quiet(doc_id, partition)
        return stored if stored is not None and stored.get("writeId") == write_id else None
