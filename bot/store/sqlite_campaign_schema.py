"""The SQLite tables of trainer campaigns (migration 5 in sqlite_migrations.py)."""

from __future__ import annotations

CAMPAIGN_TABLES: tuple[str, ...] = (
    "ALTER TABLE workers ADD COLUMN upn TEXT",
    "ALTER TABLE workers ADD COLUMN time_zone TEXT",
    "CREATE INDEX idx_workers_tenant ON workers(tenant_id, id)",
    "CREATE INDEX idx_workers_upn ON workers(tenant_id, lower(upn)) WHERE upn IS NOT NULL",
    """CREATE INDEX idx_attempts_campaign ON attempts(campaign_id, worker_id)
        WHERE campaign_id IS NOT NULL""",
    # The campaign as JSON (the domain model), with the columns the lists filter on.
    """CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL)""",
    "CREATE INDEX idx_campaigns_tenant ON campaigns(tenant_id, state, created_at)",
    # The send queue: one row per (campaign, worker, round).
    """CREATE TABLE campaign_deliveries (
        campaign_id TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        round INTEGER NOT NULL,
        tenant_id TEXT NOT NULL,
        state TEXT NOT NULL,
        due_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        attempts INTEGER NOT NULL,
        statuses TEXT NOT NULL,
        reason TEXT,
        uncertain INTEGER NOT NULL,
        resent INTEGER NOT NULL,
        sent_at TEXT,
        activity_id TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (campaign_id, worker_id, round)) WITHOUT ROWID""",
    # The two ways a delivery becomes takeable: pending and due, or a lease that expired.
    """CREATE INDEX idx_deliveries_due ON campaign_deliveries(campaign_id, due_at)
        WHERE state = 'pending'""",
    """CREATE INDEX idx_deliveries_leased ON campaign_deliveries(campaign_id, lease_until)
        WHERE state = 'leased'""",
    "CREATE INDEX idx_deliveries_worker ON campaign_deliveries(worker_id)",
    """CREATE TABLE campaign_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        until TEXT NOT NULL)""",
    """CREATE TABLE campaign_blocks (
        worker_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        at TEXT NOT NULL)""",
)
