"""Shared by the HTTP edge tests: the app under test in-process, a local stand-in for the
bot's outbound token (Entra), and the content catalog loaded once per session."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration

import bot.app
from bot.app import create_app
from bot.settings import Settings
from jwks_fixture import CLIENT_ID


class FixedToken:
    """Stands in for Entra: the outbound token the bot puts on its replies (or a failure)."""

    def __init__(self, configuration, failure: Exception | None = None):
        self._configuration = configuration
        self._failure = failure

    @property
    def configuration(self):
        return self._configuration

    async def get_access_token(self, resource_url, scopes, force_refresh=False) -> str:
        if self._failure is not None:
            raise self._failure
        return "outbound-test-token"


class LocalTokenConnections(MsalConnectionManager):
    def __init__(self, failure: Exception | None = None):
        super().__init__(connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(
            client_id=CLIENT_ID, tenant_id="tenant-1", client_secret="unused")})
        self._failure = failure

    def get_token_provider(self, claims_identity, service_url):
        return FixedToken(self.get_default_connection_configuration(), self._failure)


@pytest.fixture(autouse=True)
def reuse_catalog(monkeypatch, catalog):
    """create_app parses content/ each time (seconds on a busy machine): reuse the session's."""
    monkeypatch.setattr(bot.app, "load_catalog", lambda **_: (catalog, []))


async def client_for(settings: Settings, store=None, connections=None) -> TestClient:
    client = TestClient(TestServer(create_app(settings, store=store, connections=connections), host="127.0.0.1"))
    await client.start_server()
    return client


JSON = {"Content-Type": "application/json"}
