"""App-only tokens for Graph from azure-identity: client credentials, or a managed identity."""

from __future__ import annotations

from typing import Any

from yarl import URL


def scope_for(base_url: str) -> str:
    url = URL(base_url)
    return f"{url.scheme}://{url.host}{'' if url.is_default_port() else f':{url.port}'}/.default"


class CredentialTokens:
    """Wraps an azure-identity async credential (it caches and refreshes tokens itself)."""

    def __init__(self, credential: Any, scope: str):
        self._credential = credential
        self._scope = scope

    async def token(self) -> str:
        return (await self._credential.get_token(self._scope)).token

    async def close(self) -> None:
        await self._credential.close()


def credential_tokens(*, tenant_id: str, client_id: str, client_secret: str, authority_host: str,
                      base_url: str, managed_identity_client_id: str = "",
                      ca_file: str = "") -> CredentialTokens:
    """`ca_file`: a CA bundle to trust instead of the system's (a TLS-inspecting proxy)."""
    from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential

    transport: dict[str, Any] = {"connection_verify": ca_file} if ca_file else {}
    if client_secret:
        credential: Any = ClientSecretCredential(tenant_id, client_id, client_secret,
                                                 authority=authority_host, **transport)
    else:
        credential = ManagedIdentityCredential(client_id=managed_identity_client_id or None, **transport)
    return CredentialTokens(credential, scope_for(base_url))
