"""Azure Cosmos DB (NoSQL API) adapter of the storage port, on the async azure-cosmos client.

Three containers (design, RU costs and limits: bot/store/README.md):
- `workers`, partition key /workerId: a worker's record, progress, quiz attempts and own
  feedback, each under an id computed from its key, so a turn is point reads and writes;
- `events`, partition key /id: usage events, expired by the container's default TTL;
- `stats`, partition key /pk: the report counters, one partition per module and report;
- `campaigns`, partition key /campaignId: a campaign and its deliveries (the send queue).
- `jobs`, partition key /id: background job leases and each job's latest run.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import AzureError
from azure.cosmos import PartitionKey
from azure.cosmos._retry_options import RetryOptions
from azure.cosmos.aio import CosmosClient, DatabaseProxy
from azure.cosmos.documents import ConnectionPolicy
from azure.cosmos.exceptions import CosmosHttpResponseError

from bot.store.cosmos_attempts import CosmosAttemptStore
from bot.store.cosmos_campaigns import CosmosCampaignStore
from bot.store.cosmos_dashboard import CosmosDashboardFacts
from bot.store.cosmos_calls import Calls, HealthLog, RetryPolicy
from bot.store.cosmos_container import Docs
from bot.store.cosmos_counters import CounterWriter
from bot.store.cosmos_events import CosmosEventStore
from bot.store.cosmos_jobs import CosmosJobRunStore, CosmosLeaseStore
from bot.store.cosmos_rebuild import CounterRebuild
from bot.store.adoption_facts import ComposedAdoptionFacts
from bot.store.cosmos_usage import CosmosDirectoryStore, CosmosUsageStore
from bot.store.cosmos_reports import CosmosReportFacts
from bot.store.cosmos_triage import CosmosTriageStore
from bot.store.cosmos_workers import CosmosFeedbackStore, CosmosProgressStore, CosmosWorkerStore
from bot.store.erasure import RegistryPrivacyStore
from domain.report_rules import Reports
from bot.store.port import Health, StoreUnavailable

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

DAY = 86_400


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    partition_key: str
    indexed: tuple[str, ...]  # only these paths are indexed: cheaper writes
    default_ttl: int | None = None

    def indexing_policy(self) -> dict[str, Any]:
        return {"indexingMode": "consistent", "automatic": True,
                "includedPaths": [{"path": f"{p}/?"} for p in self.indexed],
                "excludedPaths": [{"path": "/*"}]}


def container_specs(prefix: str, retention_days: int) -> dict[str, ContainerSpec]:
    return {
        "workers": ContainerSpec(f"{prefix}workers", "/workerId",
                                 ("/type", "/created_at", "/module_id", "/locale",
                                  # campaign audiences and results (cosmos_campaigns.py)
                                  "/workerId", "/tenant_id", "/upn", "/status", "/passed",
                                  "/campaign_id",
                                  # the feedback inbox (cosmos_triage.py)
                                  "/category", "/rating")),
        "events": ContainerSpec(f"{prefix}events", "/id", ("/at", "/worker_id", "/kind"),
                                default_ttl=retention_days * DAY),
        # -1: TTL on, but only documents that carry their own `ttl` (the stuck counters) expire.
        "stats": ContainerSpec(f"{prefix}stats", "/pk",
                               ("/kind", "/day", "/locale", "/days/[]/d", "/days/[]/l"),
                               default_ttl=-1),
        "campaigns": ContainerSpec(f"{prefix}campaigns", "/campaignId",
                                   ("/type", "/state", "/due_at", "/lease_until", "/tenant_id",
                                    "/worker_id", "/round")),
        # Job leases and latest runs: a few tiny documents, point reads and patches.
        "jobs": ContainerSpec(f"{prefix}jobs", "/id", ("/type",)),
        # Directory users and the sync checkpoint; usage rows per report day (cosmos_usage.py).
        "directory": ContainerSpec(f"{prefix}directory", "/id", ("/type",)),
        "usage": ContainerSpec(f"{prefix}usage", "/pk", ("/kind", "/upn")),
    }


@dataclass(frozen=True)
class CosmosConfig:
    endpoint: str
    key: str = ""  # empty: Microsoft Entra ID through DefaultAzureCredential
    database: str = "adoption-coach"
    container_prefix: str = ""
    create_containers: bool = True
    verify_tls: bool = True
    retention_days: int = 365
    # Multi-region accounts: let the SDK follow regions. It then also retries 503s and
    # timeouts in another region itself (500 ms apart), inside each of our attempts.
    endpoint_discovery: bool = False
    retry: RetryPolicy = RetryPolicy()

    def __repr__(self) -> str:  # never the key
        return (f"CosmosConfig(endpoint={self.endpoint!r}, database={self.database!r}, "
                f"prefix={self.container_prefix!r}, key={'set' if self.key else 'none'})")


class CosmosStore:
    """The whole port on one Cosmos DB database. `open()` before use, `close()` after."""

    def __init__(self, config: CosmosConfig):
        self.config = config
        self.specs = container_specs(config.container_prefix, config.retention_days)
        self.health_log = HealthLog()
        self.calls = Calls(config.retry, self.health_log)
        self._client: CosmosClient | None = None
        self._credential: Any = None
        self._probe: Docs | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> CosmosStore:
        return cls(CosmosConfig(
            endpoint=settings.cosmos_endpoint,
            key=settings.cosmos_key.get_secret_value(),
            database=settings.cosmos_database,
            container_prefix=settings.cosmos_container_prefix,
            create_containers=settings.cosmos_create_containers,
            verify_tls=settings.cosmos_verify_tls,
            retention_days=settings.usage_retention_days,
            endpoint_discovery=settings.cosmos_endpoint_discovery,
            retry=RetryPolicy(budget=settings.cosmos_retry_seconds,
                              attempt_timeout=settings.cosmos_attempt_timeout_seconds,
                              long_budget=settings.cosmos_report_timeout_seconds)))

    def _make_client(self) -> CosmosClient:
        policy = ConnectionPolicy()
        # Retries are Calls.run's job alone, so their total time stays bounded.
        policy.RetryOptions = RetryOptions(max_retry_attempt_count=0, max_wait_time_in_seconds=0)
        options: dict[str, Any] = {
            "connection_policy": policy, "retry_total": 0, "retry_connect": 0,
            "retry_read": 0, "retry_status": 0,
            "enable_endpoint_discovery": self.config.endpoint_discovery,
            "connection_timeout": self.config.retry.attempt_timeout,
            "read_timeout": self.config.retry.attempt_timeout,
        }
        if not self.config.verify_tls:
            options["connection_verify"] = False
        if self.config.key:
            return CosmosClient(self.config.endpoint, self.config.key, **options)
        from azure.identity.aio import DefaultAzureCredential

        self._credential = DefaultAzureCredential()
        return CosmosClient(self.config.endpoint, self._credential, **options)

    async def open(self) -> None:
        if self._client is not None:
            return
        if not self.config.endpoint:
            raise StoreUnavailable("Cosmos DB store unavailable: no endpoint is configured "
                                   "(COSMOS_ENDPOINT)")
        client = self._make_client()
        try:
            await self.calls.run("connect", client.__aenter__)
            database = await self._database(client)
            containers = {role: await self._container(database, spec)
                          for role, spec in self.specs.items()}
        except BaseException:
            await self._close_client(client)
            raise
        self._client = client
        self._wire(containers)

    def _wire(self, containers: dict[str, Any]) -> None:
        workers = Docs(containers["workers"], self.calls)
        events = Docs(containers["events"], self.calls)
        stats = Docs(containers["stats"], self.calls)
        counters = CounterWriter(stats, stuck_ttl_seconds=self.config.retention_days * DAY)
        self._probe = stats
        self.workers = CosmosWorkerStore(workers)
        self.progress = CosmosProgressStore(workers, counters)
        self.events = CosmosEventStore(events, counters)
        self.attempts = CosmosAttemptStore(workers, counters)
        self.feedback = CosmosFeedbackStore(workers)
        self.triage = CosmosTriageStore(workers)
        self.reports = Reports(CosmosReportFacts(stats, workers))
        self.dashboard = CosmosDashboardFacts(workers, events)
        self.privacy = RegistryPrivacyStore(self)
        jobs = Docs(containers["jobs"], self.calls)
        self.leases = CosmosLeaseStore(jobs)
        self.job_runs = CosmosJobRunStore(jobs)
        self.maintenance = CounterRebuild(workers, events, counters)
        self.campaigns = CosmosCampaignStore(Docs(containers["campaigns"], self.calls), workers)
        self.directory = CosmosDirectoryStore(Docs(containers["directory"], self.calls))
        self.usage = CosmosUsageStore(Docs(containers["usage"], self.calls), self.directory)
        self.adoption = ComposedAdoptionFacts(self.directory, self.progress, self.usage)

    async def _database(self, client: CosmosClient) -> DatabaseProxy:
        name = self.config.database
        if self.config.create_containers:
            return await self.calls.run(f"create the database {name}",
                                        lambda: client.create_database_if_not_exists(name))
        database = client.get_database_client(name)
        if not await self._exists(database.read, f"read the database {name}"):
            raise StoreUnavailable(
                f"Cosmos DB store unavailable: database '{name}' does not exist at "
                f"{self.config.endpoint} (create it, or set COSMOS_CREATE_CONTAINERS=true)")
        return database

    async def _container(self, database: DatabaseProxy, spec: ContainerSpec) -> Any:
        name = f"{self.config.database}/{spec.name}"
        if self.config.create_containers:
            return await self.calls.run(
                f"create the container {name}",
                lambda: database.create_container_if_not_exists(
                    spec.name, PartitionKey(spec.partition_key),
                    indexing_policy=spec.indexing_policy(), default_ttl=spec.default_ttl))
        container = database.get_container_client(spec.name)
        if not await self._exists(container.read, f"read the container {name}"):
            raise StoreUnavailable(
                f"Cosmos DB store unavailable: container '{spec.name}' is missing in database "
                f"'{self.config.database}' (create it with partition key {spec.partition_key}, "
                f"or set COSMOS_CREATE_CONTAINERS=true)")
        return container

    async def _exists(self, read: Any, action: str) -> bool:
        async def call() -> bool:
            try:
                await read()
                return True
            except CosmosHttpResponseError as exc:
                if exc.status_code == 404:
                    return False
                raise
        return await self.calls.run(action, call)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await self._close_client(client)

    async def _close_client(self, client: CosmosClient) -> None:
        try:
            await client.close()
        except (AzureError, OSError) as exc:
            log.debug("closing the Cosmos DB client: %s", type(exc).__name__)
        if self._credential is not None:
            await self._credential.close()
            self._credential = None

    async def health(self) -> Health:
        if self._client is None or self._probe is None:
            return Health("cosmos", "down", "not open")
        probe = self._probe.container
        try:
            await asyncio.wait_for(probe.read_item("health-probe", partition_key="health"),
                                   timeout=self.config.retry.attempt_timeout)
        except CosmosHttpResponseError as exc:
            if exc.status_code != 404:
                return Health("cosmos", "down", f"HTTP {exc.status_code}")
        except (TimeoutError, AzureError, OSError) as exc:
            return Health("cosmos", "down", f"unreachable ({type(exc).__name__})")
        recent = self.health_log.recent()
        lost = self.health_log.counter_failures
        if recent or lost:
            parts = []
            if recent:
                parts.append(f"{len(recent)} failed or retried requests in the last minute")
            if lost:
                parts.append(f"{lost} report counter updates lost: run `coach store rebuild-counters`")
            return Health("cosmos", "degraded", "; ".join(parts + recent[-1:]))
        return Health("cosmos", "ok")
