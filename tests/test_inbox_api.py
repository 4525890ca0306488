"""The feedback inbox API over real HTTP on a SQLite file: every route for every caller, the
triage rules, two admins on one item, and a reply that reaches the worker's 1:1 chat through
the SDK's proactive API (the connector stub records it)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import STORE_KEY, create_app
from bot.settings import Settings
from bot.web.inbox_api import IDENTIFY_KEY, Caller, CallerRefused
from card_reading import card_texts
from conftest import activity
from domain.models import Feedback, FeedbackCategory

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
TOKENS = {"admin-token": Caller("admin-1", "Ada Admin", True),
          "admin2-token": Caller("admin-2", "Bo Admin", True),
          "trainer-token": Caller("trainer-1", "Tia Trainer", False),
          "worker-token": Caller("worker-9", "Will Worker", False)}
ROUTES = [("GET", "/api/admin/feedback", None),
          ("GET", "/api/admin/feedback/f-worker", None),
          ("PATCH", "/api/admin/feedback/f-worker", {"version": 0, "status": "triaged"}),
          ("POST", "/api/admin/feedback/f-worker/reply", {"version": 0, "text": "Thanks"})]


async def by_token(request: web.Request) -> Caller:
    """Stands in for the dashboard's SSO + roles (bot/web/roles.py on that branch)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise CallerRefused(401, "sign in first")
    caller = TOKENS.get(header.removeprefix("Bearer "))
    if caller is None:
        raise CallerRefused(401, "the token is not valid")
    return caller


@pytest.fixture
async def api(tmp_path, connector):
    app = create_app(Settings(anonymous=True, store="sqlite", sqlite_path=tmp_path / "bot.db"),
                     jobs=False)
    app[IDENTIFY_KEY] = by_token
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    # The worker writes to the bot once: the conversation reference is stored.
    assert (await client.post("/api/messages", json=activity(
        connector.url, type="message", text="menu", id="hello", locale="sv-SE"))).status == 202
    connector.sent.clear()
    store = app[STORE_KEY]
    await store.feedback.add_feedback(Feedback(
        id="f-worker", worker_id="aad-worker-1", module_id="teams", rating=2,
        category=FeedbackCategory.APP, text="[click](https://evil.example) <script>x</script>",
        created_at=NOW))
    await store.feedback.add_feedback(Feedback(
        id="f-anon", worker_id=None, rating=4, category=FeedbackCategory.POLICY, text="Anon",
        created_at=NOW.replace(hour=8)))
    yield client
    await client.close()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method,path,body", ROUTES)
async def test_every_route_refuses_everyone_but_admins(api, method, path, body):
    calls = [({}, 401), (auth("forged"), 401), (auth("worker-token"), 403),
             (auth("trainer-token"), 403)]
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


@pytest.mark.parametrize("query", ["status=open", "category=x", "rating=9", "limit=0",
                                   "limit=many", "since=yesterday", "since=2026-11-30T08:00",
                                   "cursor=bogus"])
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
        ("admin-1", "status", "triaged"), ("admin-1", "assignee", "admin-2"),
        ("admin-1", "note", "Teams app issue")]
    fetched = await (await api.get("/api/admin/feedback/f-worker", headers=auth("admin-token"))).json()
    assert fetched["audit"] == item["audit"] and fetched["notes"][0]["author"] == "admin-1"


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
    await api.post("/api/messages", json=activity(connector.url, type="message", text="mina data",
                                                  id="mydata", locale="sv-SE"))
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
