"""The Campaigns page's API (/api/admin/campaigns) with Teams SSO tokens signed by locally
generated keys, on a SQLite file seeded by tests/campaign_seed.py: trainers and admins see the
list with its progress and a campaign's results; nobody else does."""

from __future__ import annotations

import csv
import io

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.store.sqlite import SqliteStore
from campaign_seed import DRAFT_TITLE, SENT_TITLE, seed_campaigns
from edge_support import reuse_catalog  # noqa: F401 (fixture)
from sso_tokens import CALLERS, entra_jwks, sso_settings

ROUTES = ["/api/admin/campaigns", "/api/admin/campaigns?format=csv", "/api/admin/campaigns/c-sent",
          "/api/admin/campaigns/c-sent?format=csv"]
EXPECTED = {"none": 401, "forged": 401, "worker": 403, "trainer": 200, "admin": 200}


@pytest.fixture
async def client(tmp_path):
    jwks = await entra_jwks().start()
    store = SqliteStore(tmp_path / "coach.db")
    await store.open()
    await seed_campaigns(store)
    settings = sso_settings(jwks, store="sqlite", sqlite_path=store.path)
    client = TestClient(TestServer(create_app(settings, store=store, jobs=False), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()
    await jwks.close()


@pytest.mark.parametrize("route", ROUTES)
async def test_every_route_checks_the_token_and_the_role(client, route):
    for caller, status in EXPECTED.items():
        response = await client.get(route, headers=CALLERS[caller])
        assert response.status == status, (caller, await response.text())
        if status != 200:
            assert set(await response.json()) == {"error"}


async def test_the_list_shows_every_campaign_with_its_progress(client):
    body = await (await client.get("/api/admin/campaigns", headers=CALLERS["trainer"])).json()
    rows = {r["id"]: r for r in body["tables"]["campaigns"]}
    assert list(rows) == ["c-draft", "c-sent"]  # newest first
    sent = rows["c-sent"]
    assert (sent["title"], sent["state"], sent["module"]) == (SENT_TITLE, "sent", "Mail and calendar in Outlook")
    assert {k: sent[k] for k in ("audience", "sent", "waiting", "failed", "skipped",
                                 "reminders_sent")} == {
        "audience": 3, "sent": 2, "waiting": 0, "failed": 1, "skipped": 0, "reminders_sent": 1}
    assert (rows["c-draft"]["state"], rows["c-draft"]["audience"]) == ("draft", 0)


async def test_the_list_filters_by_module_and_creation_day(client):
    async def ids(query: str) -> list[str]:
        body = await (await client.get(f"/api/admin/campaigns?{query}", headers=CALLERS["admin"])).json()
        return [r["id"] for r in body["tables"]["campaigns"]]

    assert await ids("module=teams") == ["c-draft"]
    assert await ids("since=2026-11-02") == ["c-draft"]
    assert await ids("until=2026-11-01") == ["c-sent"]


async def test_a_campaign_shows_its_results(client):
    body = await (await client.get("/api/admin/campaigns/c-sent", headers=CALLERS["trainer"])).json()
    tables = body["tables"]
    assert tables["results"] == [{"title": SENT_TITLE, "audience": 3, "reached": 2, "unreachable": 0,
                                  "answered": 1, "passed": 1, "response_rate": 0.5, "pass_rate": 1.0,
                                  "average_score": 50.0}]
    workers = {w["name"]: w for w in tables["workers"]}
    assert (workers["Ana Berg"]["score"], workers["Ana Berg"]["passed"],
            workers["Ana Berg"]["reminders_sent"]) == (50.0, True, 1)
    assert (workers["Cy Dahl"]["state"], workers["Cy Dahl"]["answered_at"]) == ("failed", None)
    [missed] = tables["most_missed"]
    assert (missed["question_id"], missed["missed"]) == ("q1", 1) and missed["question"]


async def test_csv_parses_back_and_defuses_formulas(client):
    raw = await (await client.get("/api/admin/campaigns/c-sent?format=csv", headers=CALLERS["admin"])).read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert ["Campaign"] in rows and ["Results"] in rows and ["Workers"] in rows
    header = rows[rows.index(["Campaign"]) + 1]
    assert rows[rows.index(["Campaign"]) + 2][header.index("Title")] == SENT_TITLE
    listed = list(csv.reader(io.StringIO((await (await client.get(
        "/api/admin/campaigns?format=csv", headers=CALLERS["trainer"])).read()).decode("utf-8-sig"))))
    titles = [row[listed[1].index("Title")] for row in listed[2:4]]
    assert titles == ["'" + DRAFT_TITLE, SENT_TITLE]


@pytest.mark.parametrize("route, status", [
    ("/api/admin/campaigns/nope", 404),
    ("/api/admin/campaigns?module=nope", 400),
    ("/api/admin/campaigns?since=yesterday", 400),
    ("/api/admin/campaigns?colour=red", 400),
    ("/api/admin/campaigns/c-sent?format=xml", 400),
    ("/api/admin/campaigns/c-sent?page=2", 400),
])
async def test_bad_requests_get_a_4xx_with_a_reason(client, route, status):
    response = await client.get(route, headers=CALLERS["admin"])
    assert response.status == status
    assert (await response.json())["error"]
