"""The production configuration from deploy/: AUTHTYPE=UserManagedIdentity (no client secret)
and Cosmos DB through the identity (no key), against local stand-ins:
- App Service's managed-identity token endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, which
  MSAL and azure-identity both honour), here an aiohttp server handing out test tokens;
- the local Cosmos DB server over TLS (bearer tokens need https). It ignores the
  Authorization header altogether (no code in @vercel/cosmosdb-server reads it), so what this
  proves about Cosmos is that the adapter asked the identity for a Cosmos token and worked;
- Bot Framework tokens for incoming requests from a local JWKS, replies to a connector stub.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from bot.store.cosmos import CosmosStore
from conftest import activity
from cosmos_support import LAUNCHER, REPO, EMULATOR_KEY, _drain, _read_line, cosmos_config
from jwks_fixture import CLIENT_ID, JwksServer, make_token, public_jwk, rsa_key

pytestmark = pytest.mark.cosmos

SDK = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
TENANT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
IDENTITY_HEADER = "local-identity-header-value"


class TokenEndpoint:
    """App Service's managed identity endpoint (api-version 2019-08-01)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.server: TestServer | None = None

    async def start(self) -> "TokenEndpoint":
        app = web.Application()
        app.router.add_get("/msi/token", self._token)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def _token(self, request: web.Request) -> web.Response:
        if request.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER:
            return web.json_response({"error": "bad identity header"}, status=401)
        query = dict(request.query)
        self.requests.append(query)
        resource = query.get("resource", "")
        return web.json_response({
            "access_token": f"mi-token-{len(self.requests)}", "expires_on": str(int(time.time()) + 3600),
            "resource": resource, "token_type": "Bearer", "client_id": query.get("client_id", "")})

    @property
    def url(self) -> str:
        return str(self.server.make_url("/msi/token"))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def tls_cosmos() -> Iterator[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed for the local Cosmos DB server"
    process = subprocess.Popen([node, str(LAUNCHER), "--port", "0", "--host", "127.0.0.1", "--tls",
                                "--exit-with-stdin"], cwd=REPO, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = _read_line(process, 20)
    assert line.startswith("READY "), line
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=_drain, args=(stream,), daemon=True).start()
    yield line.split()[1]
    process.terminate()
    process.wait(10)


async def test_bot_runs_on_the_managed_identity_with_no_secret_and_no_key(
        tls_cosmos, connector, monkeypatch):
    assert tls_cosmos.startswith("https://")
    # The containers exist beforehand (deploy/modules/cosmos.bicep creates them in Azure).
    config = cosmos_config(endpoint=tls_cosmos, key=EMULATOR_KEY, verify_tls=False)
    setup = CosmosStore(config)
    await setup.open()
    await setup.close()

    tokens = await TokenEndpoint().start()
    jwks = await JwksServer(keys=[public_jwk(rsa_key("mi"), "mi-kid")]).start()
    identity_client_id = CLIENT_ID  # the identity's client id is the bot's app id
    env = {
        "IDENTITY_ENDPOINT": tokens.url, "IDENTITY_HEADER": IDENTITY_HEADER,
        f"{SDK}CLIENTID": identity_client_id, f"{SDK}TENANTID": TENANT,
        f"{SDK}AUTHTYPE": "UserManagedIdentity", "AZURE_CLIENT_ID": identity_client_id,
        "OPENID_METADATA": jwks.metadata_url, "STORE": "cosmos", "COSMOS_ENDPOINT": tls_cosmos,
        "COSMOS_DATABASE": config.database, "COSMOS_CREATE_CONTAINERS": "false",
        "COSMOS_VERIFY_TLS": "false",
    }
    for name in ("AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "MSI_ENDPOINT",
                 f"{SDK}CLIENTSECRET", "COSMOS_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.client_secret.get_secret_value() == "" and settings.cosmos_key.get_secret_value() == ""

    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        token = make_token(key=rsa_key("mi"), kid="mi-kid", serviceurl=connector.url)
        response = await client.post("/api/messages", headers={"Authorization": f"Bearer {token}"},
                                     json=activity(connector.url, type="message", text="menu"))
        assert response.status == 202
        ready = await client.get("/readyz")  # the Cosmos store answers through the identity
        assert ready.status == 200 and (await ready.json())["status"] == "ok"
    finally:
        await client.close()
        await tokens.server.close()  # type: ignore[union-attr]
        await jwks.close()

    # Replies went to Teams (the stub) with a token from the managed identity endpoint.
    assert connector.sent, "the bot replied"
    assert all(auth and auth.startswith("Bearer mi-token-") for auth in connector.authorizations)
    resources = {r.get("resource") for r in tokens.requests}
    assert any("botframework" in (r or "") for r in resources), resources  # outbound to Teams
    assert any("127.0.0.1" in (r or "") for r in resources), resources  # the Cosmos account
    assert all(r.get("client_id") == identity_client_id for r in tokens.requests)
    # The worker's turn was stored in Cosmos through the identity.
    check = CosmosStore(config)
    await check.open()
    try:
        assert await check.workers.get_worker("aad-worker-1") is not None
    finally:
        await check.close()
