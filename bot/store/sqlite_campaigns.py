"""Campaigns on SQLite: the campaigns, the delivery queue and the leases in the store's own
file (tables: sqlite_campaign_schema.py). Leasing is one IMMEDIATE transaction, so two
processes on one file never take the same delivery."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from domain.audience import Audience, AudienceKind
from domain.campaigns import Campaign, Delivery, DeliveryState
from domain.models import QuizAttempt
from bot.store.campaign_port import AudiencePage, DeliveryCounts, DeliveryKey, Leased
from bot.store.port import ConcurrencyConflict
from bot.store.sqlite import worker_from_row
from bot.store.sqlite_attempts import answer_from_row, attempt_from_row
from bot.store.sqlite_connection import SqliteConnection, guard
from bot.store.sqlite_migrations import decode_time, encode_time

_TAKEABLE = """campaign_id = ? AND ((state = 'pending' AND due_at <= ?)
                                    OR (state = 'leased' AND lease_until <= ?))"""
_DELIVERY_COLUMNS = ("campaign_id, worker_id, round, tenant_id, state, due_at, lease_owner, "
                     "lease_until, attempts, statuses, reason, uncertain, resent, sent_at, "
                     "activity_id, updated_at")
# The effective language: the chosen one, else the Teams locale's language part.
_LANGUAGE = "lower(coalesce(language, substr(teams_locale, 1, instr(teams_locale || '-', '-') - 1)))"
_BATCH = 500  # host parameters per IN (...) list


class SqliteCampaignStore:
    def __init__(self, db: SqliteConnection):
        self._db = db

    @guard("create a campaign")
    async def create_campaign(self, campaign: Campaign) -> Campaign:
        self._db.conn.execute(
            """INSERT INTO campaigns (id, tenant_id, state, created_at, version, body)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            (campaign.id, campaign.tenant_id, campaign.state.value,
             encode_time(campaign.created_at), campaign.version, campaign.model_dump_json()))
        stored = self._campaign(campaign.id)
        assert stored is not None
        return stored

    @guard("delete a worker's campaign deliveries")
    async def delete_for_worker(self, worker_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM campaign_deliveries WHERE worker_id = ?", (worker_id,))
            conn.execute("DELETE FROM campaign_blocks WHERE worker_id = ?", (worker_id,))

    @guard("look for a worker's campaign deliveries")
    async def holds_worker(self, worker_id: str) -> bool:
        row = self._db.conn.execute(
            """SELECT EXISTS (SELECT 1 FROM campaign_deliveries WHERE worker_id = ?)
                   OR EXISTS (SELECT 1 FROM campaign_blocks WHERE worker_id = ?)""",
            (worker_id, worker_id)).fetchone()
        return bool(row[0])

    @guard("read a campaign")
    async def get_campaign(self, campaign_id: str) -> Campaign | None:
        return self._campaign(campaign_id)

    @guard("save a campaign")
    async def save_campaign(self, campaign: Campaign, expected_version: int) -> Campaign:
        saved = campaign.model_copy(update={"version": expected_version + 1})
        rows = self._db.conn.execute(
            """UPDATE campaigns SET state = ?, version = ?, body = ?
               WHERE id = ? AND version = ? RETURNING body""",
            (saved.state.value, saved.version, saved.model_dump_json(), saved.id,
             expected_version)).fetchall()
        if len(rows) != 1:
            raise ConcurrencyConflict(f"campaign {campaign.id} changed since it was read")
        return Campaign.model_validate_json(rows[0]["body"])

    @guard("list campaigns")
    async def list_campaigns(self, tenant_id: str | None = None,
                             states: set | None = None) -> list[Campaign]:
        sql, params = "SELECT body FROM campaigns WHERE 1 = 1", []
        if tenant_id is not None:
            sql, params = sql + " AND tenant_id = ?", [tenant_id]
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params += [s.value for s in states]
        rows = self._db.conn.execute(sql + " ORDER BY created_at DESC, id DESC", params)
        return [Campaign.model_validate_json(r["body"]) for r in rows]

    @guard("add campaign deliveries")
    async def add_deliveries(self, deliveries: list[Delivery]) -> int:
        with self._db.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                f"INSERT INTO campaign_deliveries ({_DELIVERY_COLUMNS}) VALUES "
                f"({','.join('?' * 16)}) ON CONFLICT DO NOTHING",
                [_delivery_row(d) for d in deliveries])
            return conn.total_changes - before

    @guard("lease campaign deliveries")
    async def lease_due(self, campaign_id: str, owner: str, now: datetime, until: datetime,
                        limit: int) -> list[Leased]:
        at = encode_time(now)
        with self._db.transaction() as conn:
            rows = conn.execute(
                f"""SELECT * FROM campaign_deliveries WHERE {_TAKEABLE}
                    ORDER BY due_at, worker_id, round LIMIT ?""", (campaign_id, at, at, limit)).fetchall()
            conn.executemany(
                """UPDATE campaign_deliveries SET state = 'leased', lease_owner = ?,
                       lease_until = ? WHERE campaign_id = ? AND worker_id = ? AND round = ?""",
                [(owner, encode_time(until), campaign_id, r["worker_id"], r["round"])
                 for r in rows])
        lease = {"state": DeliveryState.LEASED, "lease_owner": owner,
                 "lease_until": decode_time(encode_time(until))}
        return [Leased(_delivery(r).model_copy(update=lease), r["state"] == "leased")
                for r in rows]

    @guard("record campaign deliveries")
    async def record_outcomes(self, deliveries: list[Delivery], owner: str) -> set[DeliveryKey]:
        written: set[DeliveryKey] = set()
        with self._db.transaction() as conn:
            for d in deliveries:
                row = _delivery_row(d if d.state is DeliveryState.LEASED
                                    else d.model_copy(update={"lease_owner": None,
                                                              "lease_until": None}))
                cursor = conn.execute(
                    """UPDATE campaign_deliveries SET state = ?, due_at = ?, lease_owner = ?,
                           lease_until = ?, attempts = ?, statuses = ?, reason = ?,
                           uncertain = ?, resent = ?, sent_at = ?, activity_id = ?,
                           updated_at = ?
                       WHERE campaign_id = ? AND worker_id = ? AND round = ?
                         AND state = 'leased' AND lease_owner = ?
                         AND (? IS NULL OR lease_until = ?)""",
                    (*row[4:], *row[:3], owner, *[encode_time(d.lease_until)] * 2))
                if cursor.rowcount == 1:
                    written.add(d.key)
        return written

    @guard("release campaign deliveries")
    async def release(self, deliveries: list[Delivery], owner: str) -> int:
        with self._db.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                """UPDATE campaign_deliveries SET state = 'pending', lease_owner = NULL,
                       lease_until = NULL
                   WHERE campaign_id = ? AND worker_id = ? AND round = ?
                     AND state = 'leased' AND lease_owner = ?
                     AND (? IS NULL OR lease_until = ?)""",
                [(*d.key, owner, *[encode_time(d.lease_until)] * 2) for d in deliveries])
            return conn.total_changes - before

    @guard("skip campaign deliveries")
    async def skip_open(self, campaign_id: str, reason: str, at: datetime) -> int:
        when = encode_time(at)
        return self._db.conn.execute(
            """UPDATE campaign_deliveries SET state = 'skipped', reason = ?, lease_owner = NULL,
                   lease_until = NULL, updated_at = ?
               WHERE campaign_id = ? AND (state = 'pending'
                                          OR (state = 'leased' AND lease_until <= ?))""",
            (reason, when, campaign_id, when)).rowcount

    @guard("list campaign deliveries")
    async def list_deliveries(self, campaign_id: str, *, round_: int | None = None,
                              after: str | None = None, limit: int = 1000) -> list[Delivery]:
        sql, params = "SELECT * FROM campaign_deliveries WHERE campaign_id = ?", [campaign_id]
        if round_ is not None:
            sql, params = sql + " AND round = ?", [*params, round_]
        if after is not None:
            sql, params = sql + " AND worker_id > ?", [*params, after]
        rows = self._db.conn.execute(sql + " ORDER BY worker_id, round LIMIT ?", [*params, limit])
        return [_delivery(r) for r in rows]

    @guard("read a worker's campaign deliveries")
    async def worker_deliveries(self, campaign_id: str, worker_id: str) -> list[Delivery]:
        rows = self._db.conn.execute(
            """SELECT * FROM campaign_deliveries WHERE campaign_id = ? AND worker_id = ?
               ORDER BY round""", (campaign_id, worker_id))
        return [_delivery(r) for r in rows]

    @guard("move a campaign delivery")
    async def move_pending(self, campaign_id: str, worker_id: str, round_: int,
                           due_at: datetime, at: datetime) -> bool:
        return self._db.conn.execute(
            """UPDATE campaign_deliveries SET due_at = ?, updated_at = ?
               WHERE campaign_id = ? AND worker_id = ? AND round = ? AND state = 'pending'""",
            (encode_time(due_at), encode_time(at), campaign_id, worker_id, round_)).rowcount == 1

    @guard("count campaign deliveries")
    async def count_deliveries(self, campaign_id: str) -> DeliveryCounts:
        rows = self._db.conn.execute(
            """SELECT round, state, count(*) AS n FROM campaign_deliveries
               WHERE campaign_id = ? GROUP BY round, state""", (campaign_id,))
        return DeliveryCounts({(r["round"], DeliveryState(r["state"])): r["n"] for r in rows})

    @guard("find the next due delivery")
    async def next_due(self, campaign_id: str) -> datetime | None:
        row = self._db.conn.execute(
            """SELECT min(t) AS t FROM (
                   SELECT min(due_at) AS t FROM campaign_deliveries
                   WHERE campaign_id = ? AND state = 'pending'
                   UNION ALL
                   SELECT min(lease_until) FROM campaign_deliveries
                   WHERE campaign_id = ? AND state = 'leased')""",
            (campaign_id, campaign_id)).fetchone()
        return decode_time(row["t"])

    @guard("resolve a campaign audience")
    async def audience_page(self, tenant_id: str, audience: Audience, after: str | None,
                            limit: int) -> AudiencePage:
        with self._db.transaction("DEFERRED") as conn:
            ids = [r["id"] for r in conn.execute(
                "SELECT id FROM workers WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                (tenant_id, after or "", limit + 1))]
            page = ids[:limit]
            if not page:
                return AudiencePage([], set(), None)
            rule, params = _rule(audience)
            rows = conn.execute(
                f"""SELECT * FROM workers WHERE tenant_id = ? AND id >= ? AND id <= ?
                    AND {rule} ORDER BY id""", (tenant_id, page[0], page[-1], *params))
            workers = [worker_from_row(r) for r in rows]
            return AudiencePage(workers, self._blocked(conn, [w.id for w in workers]),
                                page[-1] if len(ids) > limit else None)

    @guard("find campaign recipients")
    async def find_workers(self, tenant_id: str, keys: list[str]) -> AudiencePage:
        found = {}
        with self._db.transaction("DEFERRED") as conn:
            for start in range(0, len(keys), _BATCH):
                chunk = [k.lower() for k in keys[start:start + _BATCH]]
                marks = ",".join("?" * len(chunk))
                for r in conn.execute(
                        f"""SELECT * FROM workers WHERE tenant_id = ?
                            AND (lower(id) IN ({marks}) OR lower(upn) IN ({marks}))""",
                        (tenant_id, *chunk, *chunk)):
                    found[r["id"]] = worker_from_row(r)
            workers = [found[i] for i in sorted(found)]
            return AudiencePage(workers, self._blocked(conn, list(found)), None)

    @guard("mark a worker blocked")
    async def set_blocked(self, tenant_id: str, worker_id: str, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute("""INSERT INTO campaign_blocks (worker_id, tenant_id, at) VALUES (?, ?, ?)
                            ON CONFLICT DO NOTHING""", (worker_id, tenant_id, encode_time(at)))
            conn.execute("UPDATE workers SET blocked_at = ? WHERE id = ? AND blocked_at IS NULL",
                         (encode_time(at), worker_id))

    @guard("clear a worker's block")
    async def clear_blocked(self, tenant_id: str, worker_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM campaign_blocks WHERE worker_id = ?", (worker_id,))
            conn.execute("UPDATE workers SET blocked_at = NULL WHERE id = ?", (worker_id,))

    @guard("store a conversation reference")
    async def update_conversation(self, worker_id: str, conversation: dict) -> None:
        self._db.conn.execute("UPDATE workers SET conversation = ? WHERE id = ?",
                              (json.dumps(conversation), worker_id))

    @guard("read campaign attempts")
    async def campaign_attempts(self, campaign_id: str,
                                worker_ids: list[str] | None = None) -> list[QuizAttempt]:
        conn = self._db.conn
        sql = "SELECT * FROM attempts WHERE campaign_id = ? AND status = 'submitted'"
        chunks = ([None] if worker_ids is None else
                  [worker_ids[i:i + _BATCH] for i in range(0, len(worker_ids), _BATCH)])
        found = []
        for chunk in chunks:
            where, params = (sql, [campaign_id]) if chunk is None else (
                sql + f" AND worker_id IN ({','.join('?' * len(chunk))})", [campaign_id, *chunk])
            rows = conn.execute(where, params).fetchall()
            answers: dict[str, dict] = {}
            ids = [r["id"] for r in rows]
            for start in range(0, len(ids), _BATCH):
                part = ids[start:start + _BATCH]
                for a in conn.execute(
                        f"SELECT * FROM answers WHERE attempt_id IN ({','.join('?' * len(part))})",
                        part):
                    answers.setdefault(a["attempt_id"], {})[a["question_id"]] = answer_from_row(a)
            found += [attempt_from_row(r, answers.get(r["id"], {})) for r in rows]
        return found

    def _campaign(self, campaign_id: str) -> Campaign | None:
        row = self._db.conn.execute("SELECT body FROM campaigns WHERE id = ?",
                                    (campaign_id,)).fetchone()
        return Campaign.model_validate_json(row["body"]) if row else None

    @staticmethod
    def _blocked(conn: sqlite3.Connection, worker_ids: list[str]) -> set[str]:
        blocked: set[str] = set()
        for start in range(0, len(worker_ids), _BATCH):
            chunk = worker_ids[start:start + _BATCH]
            blocked |= {r["worker_id"] for r in conn.execute(
                f"SELECT worker_id FROM campaign_blocks WHERE worker_id IN "
                f"({','.join('?' * len(chunk))})", chunk)}
        return blocked


def _rule(audience: Audience) -> tuple[str, tuple]:
    if audience.kind is AudienceKind.LOCALE:
        value = audience.value.lower()
        if "-" in value:
            return "lower(teams_locale) = ?", (value,)
        return f"{_LANGUAGE} = ?", (value,)
    if audience.kind is AudienceKind.NOT_COMPLETED:
        return ("""NOT EXISTS (SELECT 1 FROM progress p WHERE p.worker_id = workers.id
                   AND p.module_id = ? AND p.status = 'done')""", (audience.value,))
    if audience.kind is AudienceKind.NOT_PASSED:
        return ("""NOT EXISTS (SELECT 1 FROM attempts a WHERE a.worker_id = workers.id
                   AND a.module_id = ? AND a.status = 'submitted' AND a.passed = 1)""",
                (audience.value,))
    return "1 = 1", ()


def _delivery_row(d: Delivery) -> tuple:
    return (d.campaign_id, d.worker_id, d.round, d.tenant_id, d.state.value,
            encode_time(d.due_at), d.lease_owner, encode_time(d.lease_until), d.attempts,
            json.dumps(d.statuses), d.reason, int(d.uncertain), int(d.resent),
            encode_time(d.sent_at), d.activity_id, encode_time(d.updated_at))


def _delivery(r: sqlite3.Row) -> Delivery:
    return Delivery(
        campaign_id=r["campaign_id"], worker_id=r["worker_id"], round=r["round"],
        tenant_id=r["tenant_id"], state=r["state"], due_at=decode_time(r["due_at"]),
        lease_owner=r["lease_owner"], lease_until=decode_time(r["lease_until"]),
        attempts=r["attempts"], statuses=json.loads(r["statuses"]), reason=r["reason"],
        uncertain=bool(r["uncertain"]), resent=bool(r["resent"]),
        sent_at=decode_time(r["sent_at"]), activity_id=r["activity_id"],
        updated_at=decode_time(r["updated_at"]))
