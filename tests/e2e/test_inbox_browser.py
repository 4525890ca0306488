"""The feedback inbox and the campaigns page in headless Chromium, served by this test's own
app with Teams SSO on (tokens signed with locally generated keys; the page gets them where it
would get them from TeamsJS) and a SQLite store. Two admins triage one item, the second gets
the conflict and loses nothing, the reply reaches the worker's 1:1 chat through the connector
stub (with the bot's own outbound token) and shows in the worker's "my data"; light and dark
screenshots land in test-artifacts/, and axe-core finds no serious or critical issue."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.store.sqlite import SqliteStore
from bot.web.assets import Assets
from domain.models import Feedback, FeedbackCategory

from .playground import ARTIFACTS, ROOT
from .test_browser import require_chromium

sys.path.insert(0, str(ROOT / "tests"))
from campaign_seed import SENT_TITLE, seed_campaigns  # noqa: E402
from card_reading import card_texts  # noqa: E402
from conftest import activity  # noqa: E402
from edge_support import LocalTokenConnections  # noqa: E402
from jwks_fixture import JwksServer, make_token, public_jwk, rsa_key  # noqa: E402
from sso_tokens import entra_jwks, sso_settings, sso_token  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
DRIVER = Path(__file__).with_name("inbox_driver.mjs")
WORKER_TEXT = "[click](https://evil.example) <script>alert(1)</script> <b>bold</b>"
REPLY = "Fixed: the **policy** now allows it <img src=x>"
JOB = {"itemId": "f-worker", "anonymousId": "f-anon", "campaignId": "c-sent",
       "noteA": "Checked with the Intune team", "noteB": "Same issue reported by phone",
       "reply": REPLY, "assignee": "oid-admin-2"}


async def test_two_admins_triage_and_reply_and_the_worker_gets_it(tmp_path: Path, connector, catalog) -> None:
    chromium = require_chromium()
    node = shutil.which("node")
    assert node, "Node.js is not on PATH"
    entra = await entra_jwks().start()
    teams = await JwksServer(keys=[public_jwk(rsa_key("teams"), "teams-key", endorsements=["msteams"])]).start()
    store = SqliteStore(tmp_path / "coach.db")
    await store.open()
    settings = sso_settings(entra, openid_metadata=[teams.metadata_url], store="sqlite",
                            sqlite_path=store.path, admin_ids=["oid-admin-2"])
    client = TestClient(TestServer(create_app(settings, store=store, connections=LocalTokenConnections(),
                                              jobs=False), host="127.0.0.1"))
    await client.start_server()
    bot_token = {"Authorization": "Bearer " + make_token(key=rsa_key("teams"), kid="teams-key",
                                                          serviceurl=connector.url)}
    try:
        assert (await client.post("/api/messages", headers=bot_token, json=activity(
            connector.url, type="message", text="menu", id="hello", locale="sv-SE"))).status == 202
        now = datetime.now(timezone.utc)
        await store.feedback.add_feedback(Feedback(
            id="f-worker", worker_id="aad-worker-1", module_id="teams", rating=2, locale="sv",
            category=FeedbackCategory.APP, text=WORKER_TEXT, created_at=now))
        await store.feedback.add_feedback(Feedback(
            id="f-anon", worker_id=None, rating=4, category=FeedbackCategory.POLICY,
            text="Anonymous worry", created_at=now - timedelta(minutes=1)))
        await seed_campaigns(store)
        connector.sent.clear()
        ARTIFACTS.mkdir(exist_ok=True)
        job = {**JOB, "url": str(client.make_url("/dashboard")), "chromium": str(chromium),
               "userDataDir": str(tmp_path / "profile"), "artifacts": str(ARTIFACTS),
               "axeUrl": str(client.make_url(Assets().urls["axe-core"])),
               "tokens": {"a": sso_token(oid="oid-admin", name="Ada Admin", roles=["Coach.Admin"]),
                          "b": sso_token(oid="oid-admin-2", name="Bo Admin", roles=["Coach.Admin"])}}
        run = await asyncio.to_thread(subprocess.run, [node, str(DRIVER), json.dumps(job)], cwd=ROOT,
                                      capture_output=True, text=True, timeout=240)
        (ARTIFACTS / "inbox-driver.log").write_text(f"exit {run.returncode}\n{run.stdout}\n{run.stderr}")
        lines = run.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"ok": False}
        assert run.returncode == 0 and result["ok"], f"{result.get('error')}\nstderr:\n{run.stderr[-3000:]}"

        steps = result["steps"]
        # Chromium logs every non-2xx answer; the one 409 is B's conflict, nothing else went wrong.
        assert result["errors"] == ["admin B: Failed to load resource: the server responded with a "
                                    "status of 409 (Conflict)"]
        assert steps["listed"] == 2
        triaged = steps["triaged"]
        assert (triaged["status"], triaged["notes"], triaged["text"]) == ("triaged", [JOB["noteA"]], WORKER_TEXT)
        assert [line.split(": ", 1)[1] for line in triaged["audit"]] == [
            "set the status to Triaged", "assigned it to oid-admin-2",
            f"added a note: {JOB['noteA']}"]
        assert all("Ada Admin" in line for line in triaged["audit"])
        conflict = steps["conflict"]
        assert conflict["version"] == "1" and conflict["notes"] == [JOB["noteA"]]
        assert conflict["note"] == JOB["noteB"]  # what B typed is still there
        assert any("Someone else changed this item" in n for n in conflict["notice"])
        assert steps["retried"]["notes"] == [JOB["noteA"], JOB["noteB"]]
        assert steps["retried"]["status"] == "triaged"  # B's retry undid nothing of A's
        replied = steps["replied"]
        assert any("in the worker's chat" in n for n in replied["notice"]) and not replied["replyBox"]
        assert "Ada Admin: replied to the worker: " + REPLY in " ".join(replied["audit"])
        for step in ("triaged", "conflict", "replied"):
            assert (steps[step]["links"], steps[step]["markup"]) == (0, 0), step
        anonymous = steps["anonymous"]
        assert not anonymous["replyBox"]
        assert any("sent anonymously" in n for n in anonymous["notice"])
        for theme in ("default", "dark"):
            shown = steps[f"campaigns-{theme}"]
            assert shown["title"] == f"Results: {SENT_TITLE}" and shown["markup"] == 0
            assert "50%" in " ".join(shown["figures"])  # response rate: 1 of 2 reached
            assert (ARTIFACTS / f"dashboard-inbox-{theme}.png").stat().st_size > 10_000
            assert (ARTIFACTS / f"dashboard-campaigns-{theme}.png").stat().st_size > 10_000
        serious = {view: [v for v in found if v["impact"] in ("serious", "critical")]
                   for view, found in result["axe"].items()}
        assert set(serious) == {"inbox-item", "inbox-dark", "campaigns-default", "campaigns-dark"}
        assert serious == {view: [] for view in serious}

        # The reply went to the worker's 1:1 chat, in their language, with the bot's own token.
        [card] = [s for s in connector.sent if s.get("attachments")]
        texts = card_texts(card["attachments"][0]["content"])
        assert catalog.ui("sv")["reply.title"] in texts  # the worker's Teams runs in Swedish
        assert r"Fixed: the \*\*policy\*\* now allows it \<img src=x\>" in texts
        assert connector.authorizations[-1] == "Bearer outbound-test-token"
        connector.sent.clear()
        assert (await client.post("/api/messages", headers=bot_token, json=activity(
            connector.url, type="message", text="mina data", id="mydata", locale="sv-SE"))).status == 202
        mydata = " ".join(card_texts(connector.sent[0]["attachments"][0]["content"]))
        assert r"Fixed: the \*\*policy\*\* now allows it" in mydata
        assert catalog.ui("sv")["mydata.feedback.status.triaged"] in mydata
    finally:
        await client.close()
        await store.close()
        await entra.close()
        await teams.close()
