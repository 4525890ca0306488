"""The dashboard API under /api/admin/ with Teams SSO tokens signed by locally generated keys
(served as the tenant's Entra v2 metadata by tests/jwks_fixture.py), over tests/dashboard_seed.py.

Every route is called with no token, a forged token, a worker's, a trainer's and an admin's."""

from __future__ import annotations

import csv
import io
import time

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.content import load_catalog
from bot.settings import Settings
from bot.store.memory import MemoryStore
from bot.web.sso import entra_issuer
from dashboard_seed import EVIL_LINK, EVIL_NAME, EVIL_SCRIPT, FORMULA, seed_dashboard
from jwks_fixture import CLIENT_ID
from sso_tokens import CALLERS as SIGNED_CALLERS
from sso_tokens import bearer, entra_jwks, sso_settings, sso_token

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN_BY_ID = "oid-admin-by-setting"
NOVEMBER = "since=2026-11-01&until=2026-11-30"
ROUTES = ("me", "overview", "modules", "quizzes", "workers", "feedback-report")
TRAINER_ROUTES = {"me", "quizzes"}


CALLERS = {
    **SIGNED_CALLERS,
    "admin-by-id": bearer(sso_token(oid=ADMIN_BY_ID)),
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def jwks():
    server = await entra_jwks().start()
    yield server
    await server.close()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(jwks):
    store = MemoryStore()
    await seed_dashboard(store)
    settings = sso_settings(jwks, admin_ids=[ADMIN_BY_ID], store="memory")
    client = TestClient(TestServer(create_app(settings, store=store, jobs=False), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def expected_status(route: str, caller: str) -> int:
    if caller in ("none", "forged"):
        return 401
    if caller == "worker" or (caller == "trainer" and route not in TRAINER_ROUTES):
        return 403
    return 200


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("route", ROUTES)
async def test_every_route_checks_the_token_and_the_role(client: TestClient, route: str, caller: str) -> None:
    response = await client.get(f"/api/admin/{route}", headers=CALLERS[caller])
    assert response.status == expected_status(route, caller)
    body = await response.json()
    if response.status != 200:
        assert set(body) == {"error"} and body["error"]


@pytest.mark.parametrize("claims, reason", [
    ({"aud": "api://other.example.com/x"}, "audience"),
    ({"iss": entra_issuer("another-tenant"), "tid": "another-tenant"}, "issuer"),
    ({"tid": "another-tenant"}, "tenant"),
    ({"scp": "User.Read"}, "scope"),
    ({"exp": int(time.time()) - 600, "nbf": int(time.time()) - 4000}, "expired"),
    ({"nbf": int(time.time()) + 600}, "not yet valid"),
])
async def test_tokens_for_something_else_are_refused(client: TestClient, claims: dict, reason: str) -> None:
    token = sso_token(roles=["Coach.Admin"], **claims)
    response = await client.get("/api/admin/overview", headers=bearer(token))
    assert response.status == 401, reason


async def test_the_client_id_alone_is_an_accepted_audience(client: TestClient) -> None:
    token = sso_token(roles=["Coach.Admin"], aud=CLIENT_ID)
    response = await client.get("/api/admin/me", headers=bearer(token))
    assert response.status == 200
    assert (await response.json())["role"] == "admin"


async def test_a_trainer_is_offered_the_quiz_and_campaign_pages_only(client: TestClient) -> None:
    me = await (await client.get("/api/admin/me", headers=CALLERS["trainer"])).json()
    assert me["pages"] == ["quizzes", "campaigns"] and me["role"] == "trainer"


async def test_overview_figures_come_from_the_store(client: TestClient) -> None:
    response = await client.get(f"/api/admin/overview?{NOVEMBER}", headers=CALLERS["admin"])
    tables = (await response.json())["tables"]
    assert tables["figures"] == [{"installed": 4, "active": 5, "trained": 2, "open_feedback": 2, "pass_rate": 0.6}]
    assert [(m["module_id"], m["started"], m["completed"]) for m in tables["modules"]] == [
        ("outlook", 3, 2), ("teams", 2, 0)]


async def test_quizzes_name_the_question_and_the_wrong_option_most_chosen(client: TestClient) -> None:
    tables = (await (await client.get(f"/api/admin/quizzes?{NOVEMBER}", headers=CALLERS["trainer"])).json())["tables"]
    outlook = next(m for m in tables["modules"] if m["module_id"] == "outlook")
    assert (outlook["first_attempt_pass_rate"], outlook["pass_rate"]) == (0.3333, 0.5)
    top = tables["most_missed"][0]
    assert (top["question_id"], top["misses"], top["wrong_option_count"]) == ("q1", 3, 2)
    question = load_catalog()[0].module("en", "outlook").question("q1")
    assert top["question"] == question.text
    assert top["wrong_option"] == next(o.text for o in question.options if o.id == "c")


async def test_modules_name_the_stuck_step(client: TestClient) -> None:
    tables = (await (await client.get("/api/admin/modules", headers=CALLERS["admin"])).json())["tables"]
    assert tables["stuck_steps"][0] == {"module_id": "outlook", "module": "Mail and calendar in Outlook", "step": 2,
                                        "step_title": "Reply, reply all or forward", "stuck": 3}
    assert [(f["module_id"], f["started"], f["completed"], f["quiz_passed"]) for f in tables["funnel"]] == [
        ("outlook", 3, 2, 2), ("teams", 2, 0, 1)]


async def test_workers_filter_search_and_page(client: TestClient) -> None:
    get = lambda query: client.get(f"/api/admin/workers?{query}", headers=CALLERS["admin"])  # noqa: E731
    not_trained = (await (await get("not_trained=true")).json())["tables"]
    assert sorted(w["worker_id"] for w in not_trained["workers"]) == ["w3", "w4", "w5"]
    found = (await (await get("search=bj%C3%B6rn")).json())["tables"]["workers"]
    assert [w["name"] for w in found] == [EVIL_NAME]
    page = (await (await get("page=2&page_size=2")).json())["tables"]
    assert page["page"] == [{"offset": 2, "limit": 2, "total": 5}] and len(page["workers"]) == 2


def csv_sections(raw: bytes) -> dict[str, list[list[str]]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    sections, current = {}, None
    for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


@pytest.mark.parametrize("route", [r for r in ROUTES if r != "me"])
async def test_every_list_exports_as_csv_that_parses_back(client: TestClient, route: str) -> None:
    response = await client.get(f"/api/admin/{route}?format=csv&{NOVEMBER}", headers=CALLERS["admin"])
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="coach-{route}-')
    sections = csv_sections(await response.read())
    assert sections and all(rows for rows in sections.values())  # each section: header row + data


async def test_csv_holds_every_row_and_defuses_formulas(client: TestClient) -> None:
    raw = await (await client.get("/api/admin/workers?format=csv&page_size=1", headers=CALLERS["admin"])).read()
    header, *rows = csv_sections(raw)["Workers"]
    names = [row[header.index("Name")] for row in rows]
    assert len(rows) == 5 and "'" + FORMULA in names and EVIL_NAME in names
    feedback = csv_sections(await (await client.get("/api/admin/feedback?format=csv&limit=1",
                                                    headers=CALLERS["admin"])).read())
    head, *items = feedback["Feedback inbox, newest first"]
    assert len(items) == 3  # every item, not the page of one the call asked for
    assert {EVIL_LINK, EVIL_SCRIPT} <= {row[head.index("Text")] for row in items}


async def test_the_feedback_summary_counts_and_averages_and_lists_no_items(client: TestClient) -> None:
    tables = (await (await client.get(f"/api/admin/feedback-report?{NOVEMBER}",
                                      headers=CALLERS["admin"])).json())["tables"]
    assert set(tables) == {"by_category", "by_rating", "by_module"}
    assert sorted((r["rating"], r["count"]) for r in tables["by_rating"]) == [(1, 1), (2, 1), (5, 1)]


@pytest.mark.parametrize("query, fragment", [
    ("since=2026-13-01", "'since' must be a date"),
    ("until=yesterday", "'until' must be a date"),
    ("since=2026-11-30&until=2026-11-01", "must not be after"),
    ("module=nope", "'module' must be one of"),
    ("language=de", "'language' must be one of"),
    ("format=xml", "'format' must be json or csv"),
    ("page=0", "'page' must be a whole number"),
    ("page_size=1000", "'page_size' must be a whole number"),
    ("not_trained=maybe", "'not_trained' must be true or false"),
    ("search=" + "x" * 101, "at most 100"),
    ("page=1&page=2", "may be given once"),
    ("colour=red", "unknown parameter 'colour'"),
])
async def test_bad_parameters_get_a_400_with_the_reason(client: TestClient, query: str, fragment: str) -> None:
    response = await client.get(f"/api/admin/workers?{query}", headers=CALLERS["admin"])
    assert response.status == 400
    assert fragment in (await response.json())["error"]


async def test_anonymous_local_mode_is_a_local_admin(tmp_path) -> None:
    store = MemoryStore()
    await seed_dashboard(store)
    app = create_app(Settings(anonymous=True, store="memory"), store=store, jobs=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as local:
        me = await (await local.get("/api/admin/me")).json()
        assert (me["role"], me["name"]) == ("admin", "Local admin")
        assert (await local.get("/api/admin/workers")).status == 200
