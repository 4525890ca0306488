"""A Graph client built from the settings: app-only tokens, TLS trust, one HTTP session for
Graph and one without credentials for the pre-signed report downloads."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.settings import Settings
from integrations.graph.client import GraphClient
from integrations.graph.tokens import credential_tokens


class GraphNotConfigured(Exception):
    """The settings name no tenant for Graph."""


@dataclass
class GraphSession:
    graph: GraphClient
    downloads: aiohttp.ClientSession


def _tls(settings: Settings) -> ssl.SSLContext:
    if settings.graph_ca_file:
        return ssl.create_default_context(cafile=str(settings.graph_ca_file))
    return ssl.create_default_context()


@asynccontextmanager
async def graph_session(settings: Settings) -> AsyncIterator[GraphSession]:
    if not settings.graph_configured:
        raise GraphNotConfigured("Microsoft Graph is not configured: set GRAPH_TENANT_ID (or the "
                                 "bot's TENANTID) and a client secret or a managed identity")
    secret = settings.graph_secret
    tokens = credential_tokens(
        tenant_id=settings.graph_tenant, client_id=settings.graph_client, client_secret=secret,
        authority_host=settings.graph_authority_host, base_url=settings.graph_base_url,
        managed_identity_client_id="" if secret else settings.graph_client_id,
        ca_file=str(settings.graph_ca_file or ""))
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=120)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_tls(settings)),
                                         timeout=timeout) as session, \
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_tls(settings)),
                                      timeout=timeout) as downloads:
            yield GraphSession(GraphClient(session, tokens, settings.graph_base_url), downloads)
    finally:
        await tokens.close()
