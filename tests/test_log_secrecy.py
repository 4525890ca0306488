"""No secret, token or worker text in any log line at INFO, in text and JSON format: a
realistic authenticated session (client secret and a Cosmos key in the settings, Bot Framework
tokens on every request, a forged one, worker messages and feedback, a store outage), every
log line captured from the handlers `coach serve` installs, then scanned."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import logging_setup
from bot.app import STORE_KEY, create_app
from bot.settings import Settings
from conftest import activity
from jwks_fixture import CLIENT_ID, JwksServer, make_token, public_jwk, rsa_key
from test_http_edge import LocalTokenConnections

KID = "secrecy-key"
CLIENT_SECRET = "Cl13nt~S3cret.Value-Never-Logged"
COSMOS_KEY = "QkVTVC1LRVktRVZFUi1ORVZFUi1MT0dHRUQtMTIzNDU2Nzg5MA=="
WORKER_TEXT = "how do I reset my password Zebra-Quasar-4471"
FEEDBACK_TEXT = "my manager Kestrel-Umbra-9902 shares passwords"


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_realistic_session_logs_no_secret_token_or_worker_text(
        tmp_path, connector, capsys, log_format):
    jwks = await JwksServer(keys=[public_jwk(rsa_key("secrecy"), KID)]).start()
    settings = Settings(_env_file=None, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        cosmos_key=COSMOS_KEY, openid_metadata=[jwks.metadata_url],
                        store="sqlite", sqlite_path=tmp_path / "coach.db", log_format=log_format)
    logging_setup.configure(settings)
    logging.getLogger("coach").info("Adoption Coach starting: %s", settings.safe_summary())
    token = make_token(key=rsa_key("secrecy"), kid=KID, serviceurl=connector.url)
    forged = make_token(key=rsa_key("attacker"), kid=KID, serviceurl=connector.url)
    tokens = [token, forged]
    client = TestClient(TestServer(create_app(settings, connections=LocalTokenConnections()), host="127.0.0.1"))
    await client.start_server()
    try:
        def post(body: dict, bearer: str = token):
            return client.post("/api/messages", json=body, headers={"Authorization": f"Bearer {bearer}"})

        n = 0

        def message(**fields) -> dict:
            nonlocal n
            n += 1
            return activity(connector.url, type="message", id=f"a-{n}", **fields)

        assert (await post(message(text="menu"))).status == 202
        assert (await post(message(text=WORKER_TEXT))).status == 202
        assert (await post(message(text="feedback"))).status == 202
        feedback = {"verb": "feedback.submit", "n": "nonce-1", "rating": "2", "category": "policy",
                    "text": FEEDBACK_TEXT, "anonymous": "false"}
        assert (await post(message(value=feedback))).status == 202
        assert (await post(message(value=dict(feedback, rating="9")))).status == 202  # invalid input
        assert (await post(message(text=WORKER_TEXT), bearer=forged)).status == 401
        assert (await post(message(text=WORKER_TEXT), bearer="not-a-jwt")).status == 401
        # An outage in the middle of a turn: the store fails, the worker is asked to retry.
        await client.app[STORE_KEY].close()
        assert (await post(message(text=WORKER_TEXT))).status == 202
        logging.getLogger("bot.test").error("a failure quoting a header: Authorization: Bearer %s", token)
    finally:
        await client.close()
        await jwks.close()

    captured = capsys.readouterr()
    lines = [line for line in (captured.err + captured.out).splitlines() if line.strip()]
    assert any("Adoption Coach starting" in line for line in lines), "the log was captured"
    assert any("store unavailable" in line for line in lines), "the outage was logged"
    assert any("a failure quoting a header" in line for line in lines)
    if log_format == "json":
        for line in lines:
            if line.startswith("{"):
                entry = json.loads(line)
                assert {"time", "level", "logger", "message"} <= set(entry)
        assert sum(line.startswith("{") for line in lines) >= 3
    forbidden = [CLIENT_SECRET, COSMOS_KEY, WORKER_TEXT, FEEDBACK_TEXT, "Zebra-Quasar", "Kestrel-Umbra",
                 "outbound-test-token", *tokens, *(t.split(".")[2][:20] for t in tokens)]
    for line in lines:
        for secret in forbidden:
            assert secret not in line, f"{secret[:12]}... leaked in: {line[:200]}"


def test_redactor_masks_tokens_and_connection_string_keys():
    redactor = logging_setup.Redactor(["Sup3r-Secret"])
    text = ("Sup3r-Secret eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl Bearer abc.def.ghi-123 "
            "InstrumentationKey=1234-5678;IngestionEndpoint=https://x/ AccountKey=abc==;")
    assert redactor.redact(text) == ("*** *** *** InstrumentationKey=***;IngestionEndpoint=https://x/ "
                                     "AccountKey=***;")


def test_exception_text_is_redacted_into_the_message():
    redactor = logging_setup.Redactor(["Sup3r-Secret"])
    try:
        raise ValueError("failed with Sup3r-Secret")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "boom", None,
                                                   exc_info=__import__("sys").exc_info())
    assert redactor.filter(record)
    assert record.exc_info is None and "Sup3r-Secret" not in record.getMessage()
    assert "ValueError: failed with ***" in record.getMessage()
