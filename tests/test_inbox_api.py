"""The feedback inbox API over real HTTP on a SQLite file, signed in the way the dashboard is:
Teams SSO tokens signed with locally generated keys (tests/sso_tokens.py), and the worker's
messages carrying Bot Framework tokens from another local key set. Every route for every
caller, the triage rules, two admins on one item, CSV, and a reply that reaches the worker's
1:1 chat through the SDK's proactive API (the connector stub records it)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import STORE_KEY, create_app
from bot.settings import Settings
from card_reading import card_texts
from conftest import activity
from domain.models import Feedback, FeedbackCategory
from edge_support import LocalTokenConnections, reuse_catalog  # noqa: F401 (fixture)
from jwks_fixture import JwksServer, make_token, public_jwk, rsa_key
from sso_tokens import CALLERS, bearer, entra_jwks, sso_settings, sso_token

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
BOT_KID = "teams-key"
TOKENS = {"admin-token": CALLERS["admin"],
          "admin2-token": bearer(sso_token(oid="oid-admin-2", name="Bo Admin", roles=["Coach.Admin"])),
          "trainer-token": CALLERS["trainer"], "worker-token": CALLERS["worker"],
          "forged": CALLERS["forged"]}
ROUTES = [("GET", "/api/admin/feedback", None),
          ("GET", "/api/admin/feedback?format=csv", None),
          ("GET", "/api/admin/feedback/f-worker", None),
          ("PATCH", "/api/admin/feedback/f-worker", {"version": 0, "status": "triaged"}),
          ("POST", "/api/admin/feedback/f-worker/reply", {"version": 0, "text": "Thanks"})]


@pytest.fixture
async def api(tmp_path, connector):
    entra = await entra_jwks().start()
    teams = await JwksServer(keys=[public_jwk(rsa_key("teams"), BOT_KID, endorsements=["msteams"])]).start()
    settings = sso_settings(entra, openid_metadata=[teams.metadata_url], store="sqlite",
                            sqlite_path=tmp_path / "bot.db", admin_ids=["oid-admin-3"])
    app = create_app(settings, connections=LocalTokenConnections(), jobs=False)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    client.bot_token = {"Authorization": "Bearer " + make_token(  # type: ignore[attr-defined]
        key=rsa_key("teams"), kid=BOT_KID, serviceurl=connector.url)}
    # The worker writes to the bot once: the conversation reference is stored.
    assert (await client.post("/api/messages", headers=client.bot_token, json=activity(
        connector.url, type="message", text="menu", id="hello", locale="sv-SE"))).status == 202
    connector.sent.clear()
    store = app[STORE_KEY]
    await store.feedback.add_feedback(Feedback(
        id="f-worker", worker_id="aad-worker-1", module_id="teams", rating=2, locale="sv",
        category=FeedbackCategory.APP, text="[click](https://evil.example) <script>x</script>",
        created_at=NOW))
    await store.feedback.add_feedback(Feedback(
        id="f-anon", worker_id=None, rating=4, category=FeedbackCategory.POLICY, text="=1+2",
        created_at=NOW.replace(hour=8)))
    yield client
    await client.close()
    await entra.close()
    await teams.close()


def auth(token: str) -> dict[str, str]:
    return TOKENS[token]


@pytest.mark.parametrize("method,path,body", ROUTES)
async def test_every_route_refuses_everyone_but_admins(api, method, path, body):
    calls = [({}, 401), (auth("forged"), 401), (auth("worker-token"), 403),
             (auth("trainer-token"), 403)]
    # A Bot Framework token (the bot's own channel) is no dashboard sign-in either.
    calls.append((api.bot_token, 401))
    for headers, status in calls:
        response = await api.request(method, path, json=body, headers=headers)
        assert response.status == status, (headers, await response.text())
        assert "error" in await response.json()
    response = await api.request(method, path, json=body, headers=auth("admin-token"))
    assert response.status == 200, await response.text()


async def test_list_filters_and_pages(api):
    listed = await (await api.get("/api/admin/feedback", headers=auth("admin-token"))).json()
    assert [i["id"] for i in listed["items"]] == ["f-worker", "f-anon"]
    anon = listed["items"][1]
    assert (anon["anonymous"], anon["submitter"], anon["can_reply"]) == (True, None, False)

    first = await (await api.get("/api/admin/feedback?limit=1", headers=auth("admin-token"))).json()
    second = await (await api.get("/api/admin/feedback", params={"limit": 1, "cursor": first["cursor"]},
                                  headers=auth("admin-token"))).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ["f-worker", "f-anon"]
    assert second["cursor"] is None
    for query, ids in (("category=policy", ["f-anon"]), ("rating=2", ["f-worker"]),
                       ("module=teams", ["f-worker"]), ("status=done", []),
                       ("since=2026-11-30T08:30:00%2B00:00", ["f-worker"])):
        got = await (await api.get(f"/api/admin/feedback?{query}", headers=auth("admin-token"))).json()
        assert [i["id"] for i in got["items"]] == ids, query


async def test_list_filters_by_language_and_whole_days_like_the_other_pages(api):
    async def ids(query: str) -> list[str]:
        got = await (await api.get(f"/api/admin/feedback?{query}", headers=auth("admin-token"))).json()
        return [i["id"] for i in got["items"]]

    assert await ids("language=sv") == ["f-worker"]
    assert await ids("language=en") == ["f-anon"]
    assert await ids("since=2026-11-30&until=2026-11-30") == ["f-worker", "f-anon"]  # inclusive
    assert await ids("until=2026-11-29") == []
    assert await ids("since=2026-12-01") == []


async def test_the_list_names_the_admins_an_item_can_be_assigned_to(api):
    listed = await (await api.get("/api/admin/feedback", headers=auth("admin-token"))).json()
    assert listed["admins"] == [{"id": "oid-admin", "name": "Ada Admin"},
                                {"id": "oid-admin-3", "name": "oid-admin-3"}]  # ADMIN_IDS, unnamed
    await api.get("/api/admin/feedback/f-worker", headers=auth("admin2-token"))  # Bo signs in
    await api.get("/api/admin/feedback", headers=auth("trainer-token"))  # refused: not an admin
    listed = await (await api.get("/api/admin/feedback", headers=auth("admin-token"))).json()
    assert listed["admins"] == [{"id": "oid-admin", "name": "Ada Admin"},
                                {"id": "oid-admin-2", "name": "Bo Admin"},
                                {"id": "oid-admin-3", "name": "oid-admin-3"}]


async def test_csv_holds_every_matching_item_formula_safe(api):
    response = await api.get("/api/admin/feedback?format=csv&limit=1", headers=auth("admin-token"))
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="coach-feedback-')
    raw = await response.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    title, header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))[:4]
    assert title == ["Feedback inbox, newest first"]
    texts = {row[header.index("Id")]: row[header.index("Text")] for row in rows}
    assert texts == {"f-worker": "[click](https://evil.example) <script>x</script>",
                     "f-anon": "'=1+2"}  # Excel would run =1+2 as a formula
    only_sv = await (await api.get("/api/admin/feedback?format=csv&language=sv",
                                   headers=auth("admin-token"))).read()
    assert b"f-anon" not in only_sv and b"f-worker" in only_sv


@pytest.mark.parametrize("query", ["status=open", "category=x", "rating=9", "limit=0",
                                   "limit=many", "since=yesterday", "since=2026-11-30T08:00",
                                   "cursor=bogus", "language=de", "until=2026-13-01",
                                   "format=xml"])
async def test_bad_list_queries_are_400(api, query):
    response = await api.get(f"/api/admin/feedback?{query}", headers=auth("admin-token"))
    assert response.status == 400
    assert (await response.json())["error"]


async def test_get_shows_the_submitter_and_404s_unknown_items(api):
    item = await (await api.get("/api/admin/feedback/f-worker", headers=auth("admin-token"))).json()
    assert (item["submitter"], item["submitter_name"], item["version"]) == (
        "aad-worker-1", "Alex Wilber", 0)
    assert item["text"] == "[click](https://evil.example) <script>x</script>"  # as typed
    missing = await api.get("/api/admin/feedback/nope", headers=auth("admin-token"))
    assert missing.status == 404


async def test_patch_records_who_changed_what(api):
    response = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"), json={
        "version": 0, "status": "triaged", "assignee": "admin-2", "note": "Teams app issue"})
    item = await response.json()
    assert (item["status"], item["assignee"], item["version"]) == ("triaged", "admin-2", 1)
    assert [(a["actor"], a["action"], a["value"]) for a in item["audit"]] == [
        ("oid-admin", "status", "triaged"), ("oid-admin", "assignee", "admin-2"),
        ("oid-admin", "note", "Teams app issue")]
    fetched = await (await api.get("/api/admin/feedback/f-worker", headers=auth("admin-token"))).json()
    assert fetched["audit"] == item["audit"] and fetched["notes"][0]["author"] == "oid-admin"


async def test_the_second_admin_gets_a_conflict_and_nothing_is_lost(api):
    first = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"),
                            json={"version": 0, "note": "Mine"})
    second = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin2-token"),
                             json={"version": 0, "note": "Theirs"})
    assert (first.status, second.status) == (200, 409)
    conflict = await second.json()
    assert conflict["reason"] == "conflict"
    assert [n["text"] for n in conflict["current"]["notes"]] == ["Mine"]
    retried = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin2-token"),
                              json={"version": conflict["current"]["version"], "note": "Theirs"})
    assert [n["text"] for n in (await retried.json())["notes"]] == ["Mine", "Theirs"]


@pytest.mark.parametrize("body,status", [
    ({"status": "done"}, 400),  # no version
    ({"version": "1", "status": "done"}, 400),
    ({"version": 0, "status": "closed"}, 400),
    ({"version": 0, "colour": "red"}, 400),
    ({"version": 0, "note": 5}, 400),
    ({"version": 0}, 422),  # changes nothing
    ({"version": 0, "note": "   "}, 422),
    ({"version": 0, "note": "x" * 2001}, 422),
])
async def test_bad_patches(api, body, status):
    response = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"), json=body)
    assert response.status == status, await response.text()


async def test_a_bad_status_move_is_422(api):
    await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"),
                    json={"version": 0, "status": "triaged"})
    back = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"),
                           json={"version": 1, "status": "new"})
    assert (back.status, (await back.json())["reason"]) == (422, "bad_transition")


async def test_not_json_is_400(api):
    response = await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"),
                               data=b"{nope")
    assert response.status == 400


async def test_a_reply_reaches_the_worker_in_their_language_escaped(api, connector, catalog):
    response = await api.post("/api/admin/feedback/f-worker/reply", headers=auth("admin-token"),
                              json={"version": 0, "text": "Fixed: see **[here](https://x.example)**"})
    result = await response.json()
    assert response.status == 200 and result["delivered"] is True, result
    assert result["item"]["reply"]["text"] == "Fixed: see **[here](https://x.example)**"
    assert [a["action"] for a in result["item"]["audit"]] == ["reply"]

    [sent] = connector.sent
    assert connector.authorizations[-1] == "Bearer outbound-test-token"  # the bot's own token
    texts = card_texts(sent["attachments"][0]["content"])
    assert catalog.ui("sv")["reply.title"] in texts  # the worker's Teams runs in Swedish
    assert r"\[click\]\(https://evil.example\) \<script\>x\</script\>" in texts
    assert r"Fixed: see \*\*\[here\]\(https://x.example\)\*\*" in texts
    assert not any("[click](" in t for t in texts)

    again = await api.post("/api/admin/feedback/f-worker/reply", headers=auth("admin-token"),
                           json={"version": 1, "text": "Twice?"})
    assert (again.status, (await again.json())["reason"]) == (409, "already_replied")
    stale = await api.post("/api/admin/feedback/f-worker/reply", headers=auth("admin2-token"),
                           json={"version": 0, "text": "Me too"})
    assert stale.status == 409
    assert len(connector.sent) == 1


async def test_anonymous_items_cannot_be_replied_to(api, connector):
    response = await api.post("/api/admin/feedback/f-anon/reply", headers=auth("admin-token"),
                              json={"version": 0, "text": "Hello?"})
    assert (response.status, (await response.json())["reason"]) == (422, "anonymous")
    assert connector.sent == []


async def test_my_data_shows_the_status_and_the_reply(api, connector, catalog):
    await api.post("/api/admin/feedback/f-worker/reply", headers=auth("admin-token"),
                   json={"version": 0, "text": "We fixed it"})
    await api.patch("/api/admin/feedback/f-worker", headers=auth("admin-token"),
                    json={"version": 1, "status": "done"})
    connector.sent.clear()
    await api.post("/api/messages", headers=api.bot_token, json=activity(
        connector.url, type="message", text="mina data", id="mydata", locale="sv-SE"))
    texts = " ".join(card_texts(connector.sent[0]["attachments"][0]["content"]))
    assert catalog.ui("sv")["mydata.feedback.status.done"] in texts
    assert "We fixed it" in texts
    assert r"\[click\]\(https://evil.example\)" in texts


async def test_anonymous_local_mode_makes_the_local_user_an_admin(tmp_path):
    app = create_app(Settings(anonymous=True, store="memory"), jobs=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/api/admin/feedback")
        assert response.status == 200
        assert (await response.json())["items"] == []
