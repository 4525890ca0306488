"""`coach campaign` on the local Cosmos DB API server: the same commands, the same answers as
on SQLite (tests/test_campaign_cli.py has the details)."""

from __future__ import annotations

import asyncio
import json

import pytest

from cosmos_support import local_cosmos_store
from campaign_support import reference
from domain.models import AttemptStatus, QuizAnswer, QuizAttempt, Worker, utcnow
from test_campaign_cli import MODULE, TENANT, AcceptingMessenger, run, send_all_due
from test_cosmos_cli import cosmos_env  # noqa: F401 (the fixture: STORE=cosmos, a fresh database)

pytestmark = pytest.mark.cosmos


def with_store(database: str, work):
    async def run_it():
        store = local_cosmos_store(database=database)
        await store.open()
        try:
            return await work(store)
        finally:
            await store.close()
    return asyncio.run(run_it())


def test_create_send_answer_status_and_results_on_cosmos(cosmos_env, capsys):
    database = cosmos_env
    async def register(store):
        for worker_id in ("w1", "w2"):
            await store.workers.register_worker(Worker(id=worker_id, tenant_id=TENANT, name=f"Name {worker_id}",
                                                       conversation=reference("http://connector.invalid", worker_id)))
    with_store(database, register)
    code, out, err = run(capsys, "create", "--tenant", TENANT, "--name", "MFA check", "--module", MODULE,
                         "--audience", "all")
    assert code == 0, err
    campaign_id = out.strip()

    messenger = AcceptingMessenger()
    with_store(database, lambda store: send_all_due(store, messenger))
    assert sorted(messenger.sent) == ["a:conv-w1", "a:conv-w2"]
    now = utcnow()
    attempt = QuizAttempt(id="a1", worker_id="w2", module_id=MODULE, locale="en", seed=1, question_ids=["q"],
                          status=AttemptStatus.SUBMITTED, score=100.0, passed=True, started_at=now,
                          submitted_at=now, campaign_id=campaign_id,
                          answers={"q": QuizAnswer(question_id="q", chosen=["a"], correct=True, answered_at=now)})
    with_store(database, lambda store: store.attempts.create_attempt(attempt))

    status = json.loads(run(capsys, "status", campaign_id, "--format", "json")[1])
    assert {k: status[k] for k in ("state", "recipients", "pending", "sent", "answered")} == {
        "state": "sent", "recipients": 2, "pending": 0, "sent": 2, "answered": 1}
    tables = json.loads(run(capsys, "results", campaign_id, "--format", "json")[1])["tables"]
    assert [(w["worker_id"], w["score"]) for w in tables["workers"]] == [("w1", None), ("w2", 100.0)]
    assert run(capsys, "cancel", campaign_id)[0] == 0
    assert run(capsys, "status", "nope")[:2] == (2, "")
