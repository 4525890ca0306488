"""GET /api/admin/adoption with Teams SSO tokens signed by local keys (tests/sso_tokens.py):
admins only, the hand-counted figures of store_contract/test_adoption_facts.py, CSV, the
department filter, bad parameters, and concealed names explained."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.store.memory import MemoryStore
from domain.usage_records import DirectoryEntry, UsageImport
from sso_tokens import CALLERS, entra_jwks, sso_settings
from store_contract.dataset import usage_row
from store_contract.test_adoption_facts import DAY, seed

pytestmark = pytest.mark.asyncio(loop_scope="module")
ADMIN = CALLERS["admin"]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def jwks():
    server = await entra_jwks().start()
    yield server
    await server.close()


async def started(jwks, store: MemoryStore) -> TestClient:
    app = create_app(sso_settings(jwks, store="memory"), store=store, jobs=False)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(jwks):
    store = MemoryStore()
    await seed(store)
    await store.directory.save_users([DirectoryEntry("w7", "w7@contoso.example", "=HYPERLINK(\"x\")", "HR")])
    client = await started(jwks, store)
    yield client
    await client.close()


@pytest.mark.parametrize("caller, status", [("admin", 200), ("trainer", 403), ("worker", 403),
                                            ("forged", 401), ("none", 401)])
async def test_only_admins_see_it(client: TestClient, caller: str, status: int) -> None:
    response = await client.get("/api/admin/adoption", headers=CALLERS[caller])
    assert response.status == status
    if status != 200:
        assert set(await response.json()) == {"error"}


async def test_an_admin_is_offered_the_page(client: TestClient) -> None:
    me = await (await client.get("/api/admin/me", headers=ADMIN)).json()
    assert me["pages"][-1] == "adoption"


async def test_the_figures_are_the_hand_counted_ones(client: TestClient) -> None:
    data = await (await client.get("/api/admin/adoption?since=2026-11-01", headers=ADMIN)).json()
    assert (data["report_date"], data["concealed"], data["notice"]) == (DAY.isoformat(), False, None)
    teams = next(w for w in data["tables"]["workloads"] if w["workload"] == "teams")
    assert (teams["trained"], teams["trained_active"], teams["trained_share"],
            teams["untrained"], teams["untrained_active"], teams["untrained_share"]) == (3, 1, 0.333, 3, 1, 0.333)
    modules = {m["module_id"]: (m["completed"], m["evaluated"], m["meeting"]) for m in data["tables"]["modules"]}
    assert modules["teams"] == (3, 2, 1) and modules["outlook"] == (1, 1, 0)
    assert [(r["department"], r["module_id"], r["name"]) for r in data["tables"]["trained_not_using"]] == [
        ("Sales", "outlook", "Worker 1"), ("Sales", "teams", "Worker 2")]
    assert data["departments"] == ["HR", "Sales"]
    assert data["names_total"]["untrained_not_using"] == len(data["tables"]["untrained_not_using"])


async def test_one_department_and_csv(client: TestClient) -> None:
    data = await (await client.get("/api/admin/adoption?department=sales", headers=ADMIN)).json()
    assert data["tables"]["untrained_not_using"] and {
        r["department"] for r in data["tables"]["untrained_not_using"]} == {"Sales"}
    response = await client.get("/api/admin/adoption?format=csv&department=HR", headers=ADMIN)
    assert response.status == 200 and response.content_type == "text/csv"
    text = (await response.read()).decode("utf-8-sig")
    assert "Worker 2" not in text and "Worker 5" in text
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text  # a formula is defused
    assert list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("query, fragment", [("format=xml", "json or csv"), ("nope=1", "unknown parameter"),
                                             ("department=" + "x" * 101, "at most 100"),
                                             ("format=csv&format=json", "more than once")])
async def test_bad_parameters_get_a_400_with_the_reason(client: TestClient, query: str, fragment: str) -> None:
    response = await client.get(f"/api/admin/adoption?{query}", headers=ADMIN)
    assert response.status == 400
    assert fragment in (await response.json())["error"]


async def test_concealed_names_are_explained_and_tenant_figures_kept(jwks) -> None:
    store = MemoryStore()
    await store.usage.save_rows([usage_row(DAY, "teams", "554630b7593dde8e04f27933a965d5b2", DAY, meetings=1)])
    await store.usage.record_import(UsageImport(DAY, "teams", 30, 1, True, datetime(2026, 12, 1, tzinfo=timezone.utc)))
    client = await started(jwks, store)
    try:
        data = await (await client.get("/api/admin/adoption", headers=ADMIN)).json()
    finally:
        await client.close()
    assert data["concealed"] is True and "Org settings" in data["notice"]
    teams = next(w for w in data["tables"]["workloads"] if w["workload"] == "teams")
    assert (teams["tenant_users"], teams["tenant_active"], teams["trained"]) == (1, 1, 0)
    assert data["tables"]["trained_not_using"] == [] and data["tables"]["untrained_not_using"] == []
