"""The bot's outbound token (for its replies) as a clear failure: when Entra cannot give one,
`OutboundTokenUnavailable` reaches the edge, which answers 503 (Teams retries) and logs one line."""

from __future__ import annotations

from typing import Any

from microsoft_agents.hosting.core import Connections


class OutboundTokenUnavailable(Exception):
    """No access token for the bot's own calls to the channel (Entra down or refusing)."""


class _GuardedProvider:
    def __init__(self, provider: Any):
        self._provider = provider

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        try:
            token = await self._provider.get_access_token(resource_url, scopes, force_refresh)
        except Exception as exc:
            raise OutboundTokenUnavailable(type(exc).__name__) from exc
        if not token:
            raise OutboundTokenUnavailable("empty token")
        return token

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)


class GuardedConnections:
    """Connections whose token providers raise OutboundTokenUnavailable on any failure."""

    def __init__(self, connections: Connections):
        self._connections = connections

    def get_token_provider(self, claims_identity: Any, service_url: str) -> Any:
        return _GuardedProvider(self._connections.get_token_provider(claims_identity, service_url))

    def get_connection(self, connection_name: str) -> Any:
        return _GuardedProvider(self._connections.get_connection(connection_name))

    def get_default_connection(self) -> Any:
        return _GuardedProvider(self._connections.get_default_connection())

    def get_token_provider_from_activity(self, *args: Any, **kwargs: Any) -> Any:
        return _GuardedProvider(self._connections.get_token_provider_from_activity(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connections, name)
