"""A trainer's quiz campaign end to end through the Microsoft 365 Agents Playground: a worker
chats with the bot; `coach campaign create` (a real subprocess on the bot's SQLite file)
makes a campaign for everyone; the campaign sender posts the card proactively through the
playground's connector; the card arrives in the chat; the worker presses Start and answers
the quiz; `coach campaign status` and `results` then show who answered, with the score.

The sender runs here, in the test process, on the same SQLite file (as `coach jobs` would on
a second machine). Should `coach serve` run it too, the tenant sending lease lets only one of
them send: the test waits for the one card either way."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import aiohttp
import pytest

from bot.store.sqlite import SqliteStore
from bot.teams_messenger import ConnectorMessenger
from domain.campaigns import DeliveryState
from jobs.campaign_sender import CampaignSender, SenderConfig

from .conftest import Content
from .playground import ROOT, PlaygroundClient, PlaygroundStack, bot_environment
from .test_playground_quiz_feedback import (
    LANG, MODULE, WAIT, answer, assert_answered, correct_choice, is_heading, query, wait_for_question,
    worker_id, wrong_choice,
)

pytestmark = pytest.mark.e2e

SEND_ROUNDS = 100  # sender rounds (0.2 s apart at most) before the card must have gone out


def coach(playground: PlaygroundStack, *args: str) -> subprocess.CompletedProcess[str]:
    """`coach ARGS` against the bot's own SQLite file, as a trainer would run it on the server."""
    env = bot_environment({"STORE": "sqlite", "SQLITE_PATH": playground.bot.env["SQLITE_PATH"]})
    return subprocess.run([str(ROOT / ".venv" / "bin" / "coach"), *args], env=env, cwd=playground.bot.cwd,
                          capture_output=True, text=True, timeout=60)


async def send_until_out(database: Path, campaign_id: str) -> list[dict]:
    """Run sender rounds until the campaign's one delivery has an outcome; its deliveries."""
    store = SqliteStore(database)
    await store.open()
    try:
        async with aiohttp.ClientSession() as session:
            sender = CampaignSender(store, ConnectorMessenger(session, timeout_seconds=10),
                                    config=SenderConfig(idle_seconds=0.1))
            for _ in range(SEND_ROUNDS):
                await sender.run_once()
                deliveries = await store.campaigns.list_deliveries(campaign_id)
                if deliveries and all(d.state not in (DeliveryState.PENDING, DeliveryState.LEASED)
                                      for d in deliveries):
                    return [d.model_dump(mode="json") for d in deliveries]
                await asyncio.sleep(0.2)
            raise AssertionError(f"the campaign's delivery never went out: {deliveries}")
    finally:
        await store.close()


def test_a_campaign_card_arrives_in_the_chat_and_its_quiz_shows_in_the_results(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    module = content.module(LANG, MODULE)
    total = len(module["quiz"]["questions"])
    chat.send_text("menu")  # the worker writes to the bot: it stores their conversation
    chat.wait_for(is_heading(content, "menu.title"), WAIT, what="menu card")
    [worker] = query(playground, "SELECT id, tenant_id, name FROM workers")
    assert worker["id"] == worker_id(playground)
    before = len(chat.messages)  # a sender in the bot may post the card as soon as it exists

    created = coach(playground, "campaign", "create", "--tenant", worker["tenant_id"], "--name", "MFA check",
                    "--module", MODULE, "--audience", "all", "--intro", "Take it this week, please.")
    assert created.returncode == 0, created.stderr
    campaign_id = created.stdout.strip()
    assert f"scheduled 'MFA check': module {MODULE}, audience all" in created.stderr

    [delivery] = asyncio.run(send_until_out(Path(playground.bot.env["SQLITE_PATH"]), campaign_id))
    assert (delivery["state"], delivery["statuses"]) == ("sent", [201]), delivery

    card = chat.wait_for(lambda m: m.find_button(verb="campaign.start", campaign=campaign_id) is not None,
                         WAIT, what="campaign card", since=before)
    assert card.kind == "createMessage" and card.conversation_id == chat.messages[before - 1].conversation_id
    assert card.id == delivery["activity_id"]  # the playground's answer names the message it shows
    assert card.shows("Take it this week, please.")

    chat.press(card, verb="campaign.start", campaign=campaign_id)
    first = wait_for_question(chat, content, 1)
    attempt = first.button(verb="quiz.answer")["data"]["attempt"]
    missed = first.button(verb="quiz.answer")["data"]["question"]
    card_now = first
    for number in range(1, total + 1):
        if number > 1:
            card_now = wait_for_question(chat, content, number, attempt)
        question = card_now.button(verb="quiz.answer")["data"]["question"]
        right = question != missed
        choice = correct_choice(content, question) if right else wrong_choice(content, question)
        assert_answered(content, card_now, answer(chat, content, card_now, choice), correct=right)
    chat.wait_for(is_heading(content, "quiz.result.title", module=module["title"]), WAIT, what="quiz result card")
    [stored] = query(playground, "SELECT campaign_id, status, score FROM attempts WHERE id = ?", attempt)
    score = round(100 * (total - 1) / total, 1)
    assert stored == {"campaign_id": campaign_id, "status": "submitted", "score": score}

    status = coach(playground, "campaign", "status", campaign_id, "--format", "json")
    assert status.returncode == 0, status.stderr
    facts = json.loads(status.stdout)
    assert {k: facts[k] for k in ("id", "state", "recipients", "pending", "sent", "failed", "unknown",
                                  "unreachable", "answered")} == {
        "id": campaign_id, "state": "sent", "recipients": 1, "pending": 0, "sent": 1, "failed": 0,
        "unknown": 0, "unreachable": 0, "answered": 1}

    results = coach(playground, "campaign", "results", campaign_id, "--format", "json")
    assert results.returncode == 0, results.stderr
    tables = json.loads(results.stdout)["tables"]
    [row] = tables["workers"]
    assert (row["name"], row["worker_id"], row["state"], row["score"], row["passed"]) == (
        worker["name"], worker["id"], "sent", score, score >= module["quiz"]["pass_mark"])
    assert row["sent_at"] and row["answered_at"] >= row["sent_at"]
    assert tables["totals"] == [{"audience": 1, "reached": 1, "unreachable": 0, "answered": 1,
                                 "response_rate": 1.0, "passed": int(row["passed"]),
                                 "pass_rate": float(row["passed"]), "average_score": score}]
    assert [(q["rank"], q["question_id"], q["misses"]) for q in tables["most_missed"]] == [(1, missed, 1)]

    table = coach(playground, "campaign", "results", campaign_id)
    assert table.returncode == 0 and worker["name"] in table.stdout and "100.0 %" in table.stdout


def test_start_on_a_cancelled_campaign_starts_no_quiz(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    [campaign_id] = [r["id"] for r in query(playground, "SELECT id FROM campaigns")]
    [card] = [m for m in chat.messages if m.find_button(verb="campaign.start", campaign=campaign_id)]
    cancelled = coach(playground, "campaign", "cancel", campaign_id)
    assert cancelled.returncode == 0, cancelled.stderr
    assert coach(playground, "campaign", "cancel", campaign_id).returncode == 2  # once only
    attempts = query(playground, "SELECT id, status FROM attempts ORDER BY id")

    chat.press(card, verb="campaign.start", campaign=campaign_id)
    notice = chat.wait_for(lambda m: True, WAIT, what="the answer to Start")
    assert notice.find_button(verb="quiz.answer") is None, notice  # a notice, not a question
    assert query(playground, "SELECT id, status FROM attempts ORDER BY id") == attempts
