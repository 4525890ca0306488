"""Quiz attempts and their answers on SQLite: one open attempt per worker and module, each
answer written once (a retried or double-clicked answer is recognised, not recorded twice)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from domain.models import QuizAnswer, QuizAttempt
from bot.store.port import AttemptWrite, ConcurrencyConflict, WriteOutcome, answer_refusal
from bot.store.sqlite_connection import guard
from bot.store.sqlite_migrations import decode_time, encode_time
from bot.store.sqlite_rows import WorkerRows


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


class SqliteAttemptStore(WorkerRows):
    _table = "attempts"

    @guard("create a quiz attempt")
    async def create_attempt(self, attempt: QuizAttempt) -> QuizAttempt:
        a = attempt
        with self._db.transaction() as conn:
            cursor = conn.execute(
                """INSERT INTO attempts (id, worker_id, module_id, locale, seed, question_ids,
                       status, score, passed, started_at, submitted_at, campaign_id, version)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                (a.id, a.worker_id, a.module_id, a.locale, a.seed, json.dumps(a.question_ids),
                 a.status.value, a.score, _flag(a.passed), encode_time(a.started_at),
                 encode_time(a.submitted_at), a.campaign_id, a.version))
            if cursor.rowcount == 1:
                conn.executemany(
                    """INSERT INTO answers (attempt_id, question_id, chosen, correct, answered_at,
                           module_id, locale, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [(a.id, answer.question_id, json.dumps(answer.chosen), int(answer.correct),
                      encode_time(answer.answered_at), a.module_id, a.locale,
                      encode_time(a.submitted_at)) for answer in a.answers.values()])
            stored = self._read(a.worker_id, a.id)
        if stored is None:
            raise ConcurrencyConflict("that quiz attempt id belongs to another worker")
        return stored

    @guard("read a quiz attempt")
    async def get_attempt(self, worker_id: str, attempt_id: str) -> QuizAttempt | None:
        return self._read(worker_id, attempt_id)

    @guard("record a quiz answer")
    async def record_answer(
        self, worker_id: str, attempt_id: str, answer: QuizAnswer
    ) -> AttemptWrite:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                """INSERT INTO answers (attempt_id, question_id, chosen, correct, answered_at,
                       module_id, locale, submitted_at)
                   SELECT id, ?, ?, ?, ?, module_id, locale, NULL FROM attempts
                   WHERE id = ? AND worker_id = ? AND status = 'in_progress'
                     AND EXISTS (SELECT 1 FROM json_each(attempts.question_ids) WHERE value = ?)
                   ON CONFLICT DO NOTHING""",
                (answer.question_id, json.dumps(answer.chosen), int(answer.correct),
                 encode_time(answer.answered_at), attempt_id, worker_id, answer.question_id))
            written = cursor.rowcount == 1
            if written:
                conn.execute("UPDATE attempts SET version = version + 1 WHERE id = ?",
                             (attempt_id,))
            stored = self._read(worker_id, attempt_id)
        if written:
            return AttemptWrite(WriteOutcome.WRITTEN, stored)
        return AttemptWrite(answer_refusal(stored, answer.question_id) or WriteOutcome.CLOSED,
                            stored)

    @guard("submit a quiz attempt")
    async def submit_attempt(
        self, worker_id: str, attempt_id: str, score: float, passed: bool, at: datetime
    ) -> AttemptWrite:
        submitted_at = encode_time(at)
        with self._db.transaction() as conn:
            cursor = conn.execute(
                """UPDATE attempts SET status = 'submitted', score = ?, passed = ?,
                       submitted_at = ?, version = version + 1
                   WHERE id = ? AND worker_id = ? AND status = 'in_progress'""",
                (score, int(passed), submitted_at, attempt_id, worker_id))
            written = cursor.rowcount == 1
            if written:
                conn.execute("UPDATE answers SET submitted_at = ? WHERE attempt_id = ?",
                             (submitted_at, attempt_id))
            return self._closed(worker_id, attempt_id, written)

    def _closed(self, worker_id: str, attempt_id: str, written: bool) -> AttemptWrite:
        """The outcome of closing an attempt (submit or abandon), with the attempt as stored."""
        stored = self._read(worker_id, attempt_id)
        if stored is None:
            return AttemptWrite(WriteOutcome.MISSING, None)
        return AttemptWrite(WriteOutcome.WRITTEN if written else WriteOutcome.CLOSED, stored)

    @guard("abandon a quiz attempt")
    async def abandon_attempt(self, worker_id: str, attempt_id: str) -> AttemptWrite:
        with self._db.transaction() as conn:
            written = conn.execute(
                """UPDATE attempts SET status = 'abandoned', version = version + 1
                   WHERE id = ? AND worker_id = ? AND status = 'in_progress'""",
                (attempt_id, worker_id)).rowcount == 1
            return self._closed(worker_id, attempt_id, written)

    @guard("find the open quiz attempt")
    async def open_attempt(self, worker_id: str, module_id: str) -> QuizAttempt | None:
        row = self._db.conn.execute(
            """SELECT id FROM attempts INDEXED BY idx_attempts_worker
               WHERE worker_id = ? AND module_id = ? AND status = 'in_progress'
               ORDER BY started_at DESC, id DESC LIMIT 1""", (worker_id, module_id)).fetchone()
        return self._read(worker_id, row["id"]) if row else None

    @guard("list quiz attempts")
    async def list_attempts(self, worker_id: str) -> list[QuizAttempt]:
        conn = self._db.conn
        answers: dict[str, dict[str, QuizAnswer]] = {}
        for row in conn.execute(
                """SELECT * FROM answers WHERE attempt_id IN
                       (SELECT id FROM attempts WHERE worker_id = ?)
                   ORDER BY answered_at, question_id""", (worker_id,)):
            answers.setdefault(row["attempt_id"], {})[row["question_id"]] = answer_from_row(row)
        rows = conn.execute(
            "SELECT * FROM attempts WHERE worker_id = ? ORDER BY started_at, id", (worker_id,))
        return [attempt_from_row(row, answers.get(row["id"], {})) for row in rows]

    def _delete(self, conn: sqlite3.Connection, worker_id: str) -> None:
        conn.execute("DELETE FROM answers WHERE attempt_id IN "
                     "(SELECT id FROM attempts WHERE worker_id = ?)", (worker_id,))
        super()._delete(conn, worker_id)

    def _read(self, worker_id: str, attempt_id: str) -> QuizAttempt | None:
        conn = self._db.conn
        row = conn.execute("SELECT * FROM attempts WHERE id = ? AND worker_id = ?",
                           (attempt_id, worker_id)).fetchone()
        if row is None:
            return None
        answers = conn.execute(
            "SELECT * FROM answers WHERE attempt_id = ? ORDER BY answered_at, question_id",
            (attempt_id,))
        return attempt_from_row(row, {a["question_id"]: answer_from_row(a) for a in answers})


def answer_from_row(row: sqlite3.Row) -> QuizAnswer:
    return QuizAnswer(question_id=row["question_id"], chosen=json.loads(row["chosen"]),
                      correct=bool(row["correct"]), answered_at=decode_time(row["answered_at"]))


def attempt_from_row(row: sqlite3.Row, answers: dict[str, QuizAnswer]) -> QuizAttempt:
    passed = row["passed"]
    return QuizAttempt(
        id=row["id"], worker_id=row["worker_id"], module_id=row["module_id"],
        locale=row["locale"], seed=row["seed"], question_ids=json.loads(row["question_ids"]),
        answers=answers, status=row["status"], score=row["score"],
        passed=None if passed is None else bool(passed),
        started_at=decode_time(row["started_at"]), submitted_at=decode_time(row["submitted_at"]),
        campaign_id=row["campaign_id"], version=row["version"])
