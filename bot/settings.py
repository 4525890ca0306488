"""All configuration, from the environment (and an optional .env file). Nothing else reads env."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

_SDK = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"

BOT_FRAMEWORK_OPENID = "https://login.botframework.com/v1/.well-known/openidconfiguration"


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return value


IdList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Bot identity, in the Microsoft 365 Agents SDK's standard env names.
    client_id: str = Field("", validation_alias=AliasChoices(f"{_SDK}CLIENTID", "client_id"))
    client_secret: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices(f"{_SDK}CLIENTSECRET", "client_secret"))
    tenant_id: str = Field("", validation_alias=AliasChoices(f"{_SDK}TENANTID", "tenant_id"))
    auth_type: str = Field("ClientSecret", validation_alias=AliasChoices(f"{_SDK}AUTHTYPE", "auth_type"))
    # Where signing keys for incoming tokens come from (OpenID metadata documents).
    openid_metadata: IdList = Field(default_factory=lambda: [BOT_FRAMEWORK_OPENID])
    # Accepted token issuers; empty = Bot Framework only. Each issuer's keys come from the
    # metadata document that names it. Any other issuer (Entra) needs token_allowed_callers:
    # the app ids (azp/appid claims) that may call the bot with such tokens.
    token_issuers: IdList = Field(default_factory=list)
    token_allowed_callers: IdList = Field(default_factory=list)
    # Keys are refetched daily; when every refetch fails this long, tokens are refused.
    max_key_age_days: float = Field(5.0, gt=0)

    # Local development only: no token checks. Set by `coach serve --anonymous` / `coach dev`.
    anonymous: bool = False

    host: str = "127.0.0.1"
    port: int = Field(3978, ge=1, le=65535)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    body_read_seconds: float = Field(10.0, gt=0)  # the whole request body, or 408
    behind_https: bool = False  # send HSTS on every response (else only when X-Forwarded-Proto is https)
    health_cache_seconds: float = Field(5.0, ge=0)  # /readyz probes the store at most this often
    # Per-worker flood control: a burst, then this many activities per second; the rest is dropped.
    worker_burst: int = Field(40, ge=1)  # a quiz clicked through fast, with double-clicks
    worker_per_second: float = Field(5.0, gt=0)
    flood_tracked_workers: int = Field(10_000, ge=10)  # bounded memory: least recent are forgotten

    store: Literal["sqlite", "memory", "cosmos"] = "sqlite"
    sqlite_path: Path = Path("./data/coach.db")
    usage_retention_days: int = Field(365, ge=1)

    cosmos_endpoint: str = ""
    cosmos_key: SecretStr = SecretStr("")
    cosmos_database: str = "adoption-coach"
    cosmos_container_prefix: str = ""
    cosmos_create_containers: bool = True
    cosmos_verify_tls: bool = True
    # Time one store operation may take in all, retries and their waits included.
    cosmos_retry_seconds: float = Field(5.0, gt=0)
    cosmos_attempt_timeout_seconds: float = Field(3.0, gt=0)  # one request
    cosmos_report_timeout_seconds: float = Field(30.0, gt=0)  # one report query, all pages
    cosmos_endpoint_discovery: bool = False  # true for multi-region accounts

    # Trainer campaigns (jobs/campaign_sender.py).
    teams_tenant_rate: float = Field(50.0, gt=0, le=50.0)  # requests/s per tenant (Teams: 50)
    campaign_resend_unknown: bool = True  # resend once what may not have arrived (timeout, 502/504)
    teams_send_timeout_seconds: float = Field(15.0, gt=0, le=60)  # read timeout of one message
    # A delivery lease (and a tenant's sending lease): how long a crashed sender's work waits
    # before another instance resumes it. At least twice campaign_lease_margin.
    campaign_lease_seconds: float = Field(60.0, gt=0)
    # Dashboard tab SSO: where the Entra v2 signing keys of the tenant come from; empty =
    # https://login.microsoftonline.com/<tenant id>/v2.0/.well-known/openid-configuration
    entra_openid_metadata: str = ""

    # Roles: Entra object ids (comma separated).
    admin_ids: IdList = Field(default_factory=list)
    digest_schedule: str = "MON 08:00"  # the weekly admin digest: weekday and local time
    digest_tz: str = "UTC"  # IANA zone of DIGEST_SCHEDULE, e.g. Europe/Stockholm
    trainer_ids: IdList = Field(default_factory=list)

    # Teams app package.
    bot_name: str = "Adoption Coach"
    app_id: str = ""  # Teams app id (a GUID); defaults to client_id
    public_host: str = ""  # domain the bot is served on, for the manifest's validDomains
    # Where clients reach this service (https in production), for the card images it serves at
    # /static/images/. Unset: http://HOST:PORT, which only a local client (the playground) reaches.
    public_base_url: str = ""
    app_version: str = "1.0.0"

    # Observability. With a connection string, traces, metrics and logs go to Azure Monitor.
    applicationinsights_connection_string: SecretStr = SecretStr("")
    log_format: Literal["text", "json"] = "text"
    # Microsoft Graph, app-only (directory sync, usage import, app installs). Empty tenant,
    # client id or secret: the bot's own. No secret at all: a managed identity
    # (GRAPH_CLIENT_ID then names a user-assigned one).
    graph_tenant_id: str = ""
    graph_client_id: str = ""
    graph_client_secret: SecretStr = SecretStr("")
    graph_authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_ca_file: Path | None = None  # a CA bundle to trust (TLS-inspecting proxy, tests)
    teams_catalog_app_id: str = ""  # the app's id in the org catalog, for `coach install`
    # An organisation's own expectation thresholds (YAML like content/expectations.yaml).
    org_expectations: Path | None = None

    # Organisation profile (YAML; example content/org-profile.example.yaml): fills the training
    # content's {org.NAME} placeholders and hides what doesn't apply. Unset: generic wording.
    org_profile: Path | None = None

    @field_validator("org_profile", "org_expectations", "graph_ca_file", mode="before")
    @classmethod
    def _optional_path(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openid_metadata", "token_issuers", "token_allowed_callers", "admin_ids", "trainer_ids",
                     mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split(value)

    @field_validator("cosmos_key")
    @classmethod
    def _account_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value()
        if key:
            try:
                base64.b64decode(key, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("COSMOS_KEY is not a Cosmos DB account key (base64 text)") from None
        return value

    @field_validator("graph_base_url", "graph_authority_host")
    @classmethod
    def _graph_url(cls, value: str) -> str:
        url = urlsplit(value.strip())
        if url.scheme == "http" and url.hostname and is_loopback(url.hostname):
            return value.strip().rstrip("/")
        if url.scheme != "https" or not url.hostname:
            raise ValueError("an https:// address (http only on a loopback host)")
        return value.strip().rstrip("/")

    @property
    def graph_tenant(self) -> str:
        return self.graph_tenant_id or self.tenant_id

    @property
    def graph_client(self) -> str:
        return self.graph_client_id or self.client_id

    @property
    def graph_secret(self) -> str:
        """The Graph app's secret; the bot's own only when Graph uses the bot's client id."""
        if self.graph_client_secret.get_secret_value():
            return self.graph_client_secret.get_secret_value()
        return "" if self.graph_client_id else self.client_secret.get_secret_value()

    @property
    def graph_configured(self) -> bool:
        """Enough to ask Graph: a tenant and either a client secret or a managed identity
        (an identity needs no id when system-assigned, so the tenant alone decides)."""
        return bool(self.graph_tenant)

    @property
    def graph_jobs_enabled(self) -> bool:
        """The daily Graph jobs run only where Graph was set up on purpose (a GRAPH_* identity
        setting), not merely because the bot has a tenant: without the permissions granted
        they would fail every day."""
        return bool(self.graph_tenant_id or self.graph_client_id
                    or self.graph_client_secret.get_secret_value())
    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return value
        url = urlsplit(value)
        if not url.hostname or not (url.scheme == "https" or (
                url.scheme == "http" and is_loopback(url.hostname))):
            raise ValueError("PUBLIC_BASE_URL must be an https:// address (http only on a loopback host)")
        return value

    @property
    def image_base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"

    @property
    def entra_metadata_url(self) -> str:
        return self.entra_openid_metadata or (
            f"https://login.microsoftonline.com/{self.tenant_id}/v2.0/.well-known/openid-configuration")

    @property
    def campaign_lease_margin(self) -> float:
        """No campaign message starts later than this before its lease ends: more than one
        request can take (connect + read timeouts, bot/teams_messenger.py) plus writing it."""
        return lease_margin(self.teams_send_timeout_seconds)

    @field_validator("campaign_lease_seconds")
    @classmethod
    def _lease_outlives_sends(cls, value: float, info) -> float:  # type: ignore[no-untyped-def]
        timeout = info.data.get("teams_send_timeout_seconds", 15.0)
        margin = lease_margin(timeout)
        if value < 2 * margin:
            raise ValueError(f"CAMPAIGN_LEASE_SECONDS must be at least {2 * margin:g} with "
                             f"TEAMS_SEND_TIMEOUT_SECONDS={timeout:g} (twice the longest send)")
        return value

    @property
    def auth_enabled(self) -> bool:
        return bool(self.client_id) and not self.anonymous

    def anonymous_problem(self) -> str | None:
        """Why anonymous mode may not start with these settings, or None."""
        if not self.anonymous:
            return None
        if self.client_id:
            return "anonymous mode cannot be combined with a client id"
        if not is_loopback(self.host):
            return f"anonymous mode only listens on a loopback address, not {self.host}"
        return None

    def safe_summary(self) -> dict[str, object]:
        """What may be logged: no secrets."""
        return {
            "store": self.store,
            "host": self.host,
            "port": self.port,
            "auth": "anonymous (local only)" if self.anonymous else ("on" if self.client_id else "off"),
            "client_id": self.client_id or "-",
            "sqlite_path": str(self.sqlite_path) if self.store == "sqlite" else "-",
            "cosmos_endpoint": self.cosmos_endpoint or "-",
            "graph": (f"{self.graph_base_url} as {self.graph_client or 'managed identity'} "
                      f"({'secret' if self.graph_secret else 'managed identity'})"
                      if self.graph_configured else "-"),
        }


def lease_margin(send_timeout: float) -> float:
    """The longest one campaign message can take (bot/teams_messenger.py: connect at most
    5 s, twice with the token, then the read timeout) plus writing its outcome."""
    return 2 * min(5.0, send_timeout) + send_timeout + 2.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
