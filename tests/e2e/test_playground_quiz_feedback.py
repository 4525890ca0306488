"""Quiz, feedback and "my data" end to end, as a Teams user in the Microsoft 365 Agents Playground.

The tests share one bot + playground (and one SQLite file) and run in file order; each starts
its own quiz or card, so one run alone also passes. Every expected text comes from content/en/.

Action.Execute is an `adaptiveCard/action` invoke: the playground hands the bot's card back as
the invoke response (and swaps it into its copy of the message) without a websocket event, so
an in-place update by Execute is checked on that response. The Action.Submit fallback makes the
bot update the message itself, which arrives as an `updateMessage`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from typing import Any

import pytest

from .conftest import Content
from .playground import BotMessage, PlaygroundClient, PlaygroundStack, card_nodes

pytestmark = pytest.mark.e2e

LANG, MODULE = "en", "mfa-sign-in"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
WAIT = 40.0  # seconds; generous, so a slow machine is not a failure


# --- helpers ------------------------------------------------------------------------------------

def worker_id(playground: PlaygroundStack) -> str:
    return playground.config["currentUser"]["aadObjectId"]


def query(playground: PlaygroundStack, sql: str, *params: Any) -> list[dict]:
    """Rows of the bot's own SQLite file, opened read-only."""
    with closing(sqlite3.connect(f"file:{playground.bot.env['SQLITE_PATH']}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, params)]


def ui(content: Content, key: str, **values: object) -> str:
    return content.ui(LANG, key, **values)


def is_heading(content: Content, key: str, **values: object):
    title = ui(content, key, **values)
    return lambda m: m.heading == title


def open_menu(chat: PlaygroundClient, content: Content) -> BotMessage:
    chat.send_text("menu")
    return chat.wait_for(is_heading(content, "menu.title"), WAIT, what="menu card")


def execute(chat: PlaygroundClient, card: BotMessage, inputs: dict | None = None, **data: Any) -> BotMessage:
    """Click the Action.Execute button of `card` whose data has these items, with the card's
    inputs; returns the card the bot answered the invoke with (it replaces `card` in place)."""
    button = card.button(**data)
    assert button["type"] == "Action.Execute", f"not an Action.Execute: {button}"
    assert button["fallback"] == {**button["fallback"], "type": "Action.Submit", "data": button["data"]}
    response = chat.invoke({**button["data"], **(inputs or {})}, card.id, card.conversation_id)
    assert response["type"] == CARD_TYPE, f"the invoke was not answered with a card: {response}"
    return BotMessage(card.id, card.conversation_id, "invokeResponse", "", [response["value"]])


def submit_fallback(chat: PlaygroundClient, card: BotMessage, inputs: dict, **data: Any) -> BotMessage:
    """The same click by a client without Universal Actions (the Action.Submit fallback);
    returns the update of `card` the bot makes."""
    chat.submit({**card.button(**data)["fallback"]["data"], **inputs}, card.id, card.conversation_id)
    return chat.wait_for(lambda m: m.kind == "updateMessage" and m.id == card.id, WAIT,
                         what=f"update of the card {card.id}")


def inputs_of(card: BotMessage) -> dict[str, dict]:
    return {n["id"]: n for n in card_nodes(card.cards) if str(n.get("type", "")).startswith("Input.")}


def matches(line: str, content: Content, key: str, **values: object) -> bool:
    """`line` is the ui string `key` with these values and any date (client-formatted)."""
    pieces = ui(content, key, date="\0", **values).split("\0")
    return re.fullmatch(".+".join(map(re.escape, pieces)), line) is not None


# --- the quiz ------------------------------------------------------------------------------------

def correct_choice(content: Content, question_id: str) -> str:
    question = next(q for q in content.module(LANG, MODULE)["quiz"]["questions"] if q["id"] == question_id)
    return ",".join(o["id"] for o in question["options"] if o.get("correct"))


def wrong_choice(content: Content, question_id: str) -> str:
    question = next(q for q in content.module(LANG, MODULE)["quiz"]["questions"] if q["id"] == question_id)
    return next(o["id"] for o in question["options"] if not o.get("correct"))


def wait_for_question(chat: PlaygroundClient, content: Content, number: int, attempt: str | None = None) -> BotMessage:
    module = content.module(LANG, MODULE)
    position = ui(content, "quiz.position", module=module["title"], number=number,
                  total=len(module["quiz"]["questions"]))
    card = chat.wait_for(lambda m: position in m.texts and m.find_button(verb="quiz.answer") is not None and (
        attempt is None or m.find_button(verb="quiz.answer", attempt=attempt) is not None),
        WAIT, what=f"question card {position!r}")
    question = next(q for q in module["quiz"]["questions"]
                    if q["id"] == card.button(verb="quiz.answer")["data"]["question"])
    assert card.shows(question["text"])
    choices = inputs_of(card)["choice"]["choices"]
    assert sorted(c["value"] for c in choices) == sorted(o["id"] for o in question["options"])
    return card


def answer(chat: PlaygroundClient, content: Content, card: BotMessage, choice: str) -> BotMessage:
    return execute(chat, card, {"choice": choice}, verb="quiz.answer")


def assert_answered(content: Content, question_card: BotMessage, answered: BotMessage, correct: bool) -> None:
    """The answered card: the same question, the verdict, nothing left to click."""
    verdict = ui(content, "quiz.correct" if correct else "quiz.wrong")
    assert answered.shows(verdict), f"no {verdict!r} in {answered}"
    assert answered.texts[:2] == question_card.texts[:2]  # position and question
    assert answered.buttons == [] and inputs_of(answered) == {}


def answer_all_correctly(chat: PlaygroundClient, content: Content, card: BotMessage,
                         number: int = 1) -> tuple[str, BotMessage]:
    """Answer question `number` (shown by `card`) and every one after it, correctly; returns the
    attempt's id and the result card."""
    module = content.module(LANG, MODULE)
    total = len(module["quiz"]["questions"])
    attempt = card.button(verb="quiz.answer")["data"]["attempt"]
    asked = []
    for current in range(number, total + 1):
        if current > number:
            card = wait_for_question(chat, content, current, attempt)
        question_id = card.button(verb="quiz.answer")["data"]["question"]
        asked.append(question_id)
        answered = answer(chat, content, card, correct_choice(content, question_id))
        assert_answered(content, card, answered, correct=True)
    assert len(set(asked)) == total - number + 1
    result = chat.wait_for(is_heading(content, "quiz.result.title", module=module["title"]), WAIT,
                           what="quiz result card")
    return attempt, result


def assert_passed_with_100(content: Content, result: BotMessage) -> None:
    module = content.module(LANG, MODULE)
    total = len(module["quiz"]["questions"])
    assert result.shows(ui(content, "quiz.result.score", right=total, total=total, score="100%"))
    assert result.shows(ui(content, "quiz.result.passed", pass_mark=f"{module['quiz']['pass_mark']}%"))
    assert result.shows(ui(content, "quiz.result.all_right"))
    assert not result.shows(ui(content, "quiz.result.missed"))
    assert result.button(verb="quiz.start", module=MODULE)["title"] == ui(content, "quiz.retake")
    assert result.button(verb="module.start", module=MODULE)["title"] == ui(content, "quiz.back_to_module")


@pytest.fixture(scope="module", autouse=True)
def installed(chat: PlaygroundClient, content: Content) -> None:
    chat.install()
    chat.wait_for(lambda m: m.shows(ui(content, "welcome.intro")), WAIT, what="welcome card")


def test_quiz_answered_correctly_passes_with_100_and_retake_starts_over(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    module = content.module(LANG, MODULE)
    chat.send_text(f"quiz {module['title']}")
    first = wait_for_question(chat, content, 1)

    attempt, result = answer_all_correctly(chat, content, first)
    assert_passed_with_100(content, result)
    [stored] = query(playground, "SELECT status, score, passed FROM attempts WHERE id = ?", attempt)
    assert stored == {"status": "submitted", "score": 100.0, "passed": 1}

    chat.press(result, verb="quiz.start", module=MODULE)  # Retake
    retake = wait_for_question(chat, content, 1)
    assert retake.button(verb="quiz.answer")["data"]["attempt"] != attempt
    assert [r["status"] for r in query(playground, "SELECT status FROM attempts WHERE id = ?",
                                       retake.button(verb="quiz.answer")["data"]["attempt"])] == ["in_progress"]


def fresh_quiz(chat: PlaygroundClient, content: Content, start: BotMessage) -> BotMessage:
    """Press `start`'s Quiz button; when an earlier test left an attempt open, start over.
    Returns the first question card of the new attempt."""
    chat.press(start, verb="quiz.start", module=MODULE)
    reply = chat.wait_for(lambda m: m.find_button(verb="quiz.answer") is not None
                          or m.find_button(verb="quiz.restart") is not None, WAIT, what="question or offer")
    if reply.find_button(verb="quiz.restart") is not None:
        chat.press(reply, verb="quiz.restart")
    return wait_for_question(chat, content, 1, None if reply.find_button(verb="quiz.restart") else
                             reply.button(verb="quiz.answer")["data"]["attempt"])


def test_a_second_quiz_offers_to_continue_and_start_over_retires_the_old_cards(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    module = content.module(LANG, MODULE)
    first = fresh_quiz(chat, content, open_menu(chat, content))
    old = first.button(verb="quiz.answer")["data"]["attempt"]
    answer(chat, content, first, correct_choice(content, first.button(verb="quiz.answer")["data"]["question"]))
    second = wait_for_question(chat, content, 2, old)

    chat.send_text(f"quiz {module['title']}")
    offer = chat.wait_for(is_heading(content, "quiz.open.title"), WAIT, what="continue or start over")
    assert offer.shows(ui(content, "quiz.open.body", module=module["title"], answered=1,
                          total=len(module["quiz"]["questions"])))
    chat.press(offer, verb="quiz.restart")
    fresh = wait_for_question(chat, content, 1)
    new = fresh.button(verb="quiz.answer")["data"]["attempt"]
    assert new != old

    late = answer(chat, content, second, correct_choice(content, second.button(verb="quiz.answer")["data"]["question"]))
    assert late.shows(ui(content, "quiz.moved_on")) and late.find_button(verb="quiz.answer") is None
    statuses = {r["id"]: r["status"] for r in query(playground, "SELECT id, status FROM attempts WHERE id IN (?, ?)", old, new)}
    assert statuses == {old: "abandoned", new: "in_progress"}
    [answered] = query(playground, "SELECT COUNT(*) AS n FROM answers WHERE attempt_id = ?", old)
    assert answered == {"n": 1}


def test_a_second_answer_is_refused_and_the_first_counts(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    module = content.module(LANG, MODULE)
    first = fresh_quiz(chat, content, open_menu(chat, content))  # the menu's Quiz button
    attempt = first.button(verb="quiz.answer")["data"]["attempt"]
    question_id = first.button(verb="quiz.answer")["data"]["question"]
    already = ui(content, "quiz.already_answered")

    answered = answer(chat, content, first, correct_choice(content, question_id))
    assert_answered(content, first, answered, correct=True)
    second = wait_for_question(chat, content, 2, attempt)

    # The same invoke again (a double-click, a redelivery), then another answer on the same card.
    for choice in (correct_choice(content, question_id), wrong_choice(content, question_id)):
        repeat = answer(chat, content, first, choice)
        assert repeat.shows(already), f"no {already!r} in {repeat}"
        assert_answered(content, first, repeat, correct=True)
    # And by a client that sends the Action.Submit fallback: the bot updates the message itself.
    updated = submit_fallback(chat, first, {"choice": wrong_choice(content, question_id)}, verb="quiz.answer")
    assert updated.shows(already)
    assert_answered(content, first, updated, correct=True)

    # Finish from the card the quiz is at; the repeats asked no question twice.
    _, result = answer_all_correctly(chat, content, second, number=2)
    assert_passed_with_100(content, result)
    position_one = ui(content, "quiz.position", module=module["title"], number=1,
                      total=len(module["quiz"]["questions"]))
    since_first = chat.messages[chat.messages.index(first):]
    assert [m.id for m in since_first if position_one in m.texts and m.kind == "createMessage"
            and m.find_button(verb="quiz.answer", attempt=attempt)] == [first.id]

    # A repeat after the quiz is submitted: the stored result, unchanged.
    late = answer(chat, content, first, wrong_choice(content, question_id))
    assert late.shows(already)
    assert_answered(content, first, late, correct=True)
    finished = chat.wait_for(lambda m: m.shows(ui(content, "quiz.already_submitted", module=module["title"],
                                                  score="100%")), WAIT, what="already-submitted card")
    assert finished.find_button(verb="quiz.start", module=MODULE) is not None

    [stored] = query(playground, "SELECT status, score, passed, question_ids FROM attempts WHERE id = ?", attempt)
    assert (stored["status"], stored["score"], stored["passed"]) == ("submitted", 100.0, 1)
    answers = query(playground, "SELECT question_id, chosen, correct FROM answers WHERE attempt_id = ?", attempt)
    questions = [q["id"] for q in module["quiz"]["questions"]]
    assert sorted(a["question_id"] for a in answers) == sorted(questions)  # exactly one per question
    assert all(a["correct"] == 1 for a in answers)
    first_answer = next(a for a in answers if a["question_id"] == question_id)
    assert ",".join(json.loads(first_answer["chosen"])) == correct_choice(content, question_id)


# --- feedback ------------------------------------------------------------------------------------

def open_feedback(chat: PlaygroundClient, content: Content) -> BotMessage:
    menu = open_menu(chat, content)
    assert menu.button(verb="feedback.open")["title"] == ui(content, "common.feedback")
    chat.press(menu, verb="feedback.open")
    card = chat.wait_for(is_heading(content, "feedback.title"), WAIT, what="feedback card")
    fields = inputs_of(card)
    assert set(fields) == {"rating", "category", "text", "anonymous"}
    assert "4" in [c["value"] for c in fields["rating"]["choices"]]
    assert "device" in [c["value"] for c in fields["category"]["choices"]]
    return card


def test_anonymous_feedback_is_stored_without_the_worker(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    card = open_feedback(chat, content)
    typed = f"Company Portal hangs at 'checking device' (run {card.id})"
    thanks = execute(chat, card, {"rating": "4", "category": "device", "text": typed, "anonymous": "true"},
                     verb="feedback.submit")
    assert thanks.heading == ui(content, "feedback.thanks.title")
    assert thanks.shows(typed)
    assert thanks.shows(ui(content, "feedback.thanks.anonymous"))
    facts = {f["title"]: f["value"] for n in card_nodes(thanks.cards) if n.get("type") == "FactSet"
             for f in n["facts"]}
    assert facts[ui(content, "feedback.fact.rating")] == ui(content, "feedback.rating.4")
    assert facts[ui(content, "feedback.fact.category")] == ui(content, "feedback.category.device")

    rows = query(playground, "SELECT worker_id, rating, category, text FROM feedback WHERE text = ?", typed)
    assert rows == [{"worker_id": None, "rating": 4, "category": "device", "text": typed}]
    given = query(playground, "SELECT worker_id FROM events WHERE kind = 'feedback_given'")
    assert given and all(e["worker_id"] is None for e in given), given  # nor its usage event


def test_too_long_feedback_comes_back_with_the_problem_and_the_text(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    card = open_feedback(chat, content)
    typed = f"Too long ({card.id}) ".ljust(2001, "x")
    entered = {"rating": "4", "category": "device", "text": typed, "anonymous": "true"}
    problem = ui(content, "feedback.too_long", length="2,001", max="2,000")

    again = execute(chat, card, entered, verb="feedback.submit")
    assert again.heading == ui(content, "feedback.title") and again.shows(problem)
    fields = inputs_of(again)
    assert (fields["text"]["value"], fields["rating"]["value"], fields["category"]["value"],
            fields["anonymous"]["value"]) == (typed, "4", "device", "true")

    updated = submit_fallback(chat, card, entered, verb="feedback.submit")  # the Action.Submit client
    assert updated.heading == ui(content, "feedback.title") and updated.shows(problem)
    assert inputs_of(updated)["text"]["value"] == typed
    assert query(playground, "SELECT 1 FROM feedback WHERE length(text) > 2000") == []


# --- my data -------------------------------------------------------------------------------------

def test_my_data_shows_progress_and_quizzes_and_delete_removes_everything(
        playground: PlaygroundStack, chat: PlaygroundClient, content: Content) -> None:
    worker = worker_id(playground)
    outlook = content.module(LANG, "outlook")
    menu = open_menu(chat, content)  # something to show: a module started and a quiz begun
    chat.press(menu, verb="module.start", module="outlook")
    chat.wait_for(lambda m: m.heading == outlook["steps"][0]["title"], WAIT, what="first outlook step")
    chat.send_text("quiz outlook")
    chat.wait_for(lambda m: m.find_button(verb="quiz.answer") is not None, WAIT, what="outlook question")

    chat.send_text("my data")
    mine = chat.wait_for(is_heading(content, "mydata.title"), WAIT, what="my data card")
    lines = mine.texts

    def shown_for(module_id: str) -> list[str]:
        prefix = f"{content.module(LANG, module_id)['title']}: "
        return [line[len(prefix):] for line in lines if line.startswith(prefix)]

    assert any(matches(s, content, "mydata.progress.in_progress", step=1, total=len(outlook["steps"]))
               for s in shown_for("outlook")), str(mine)
    attempts = query(playground, "SELECT module_id, status, score, passed FROM attempts WHERE worker_id = ?", worker)
    assert any(a["module_id"] == "outlook" and a["status"] == "in_progress" for a in attempts)
    for a in attempts:
        shown = shown_for(a["module_id"])
        if a["status"] == "submitted":
            result = ui(content, "mydata.quiz.passed" if a["passed"] else "mydata.quiz.failed")
            assert any(matches(s, content, "mydata.quiz.submitted", score=f"{a['score']:g}%", result=result)
                       for s in shown), f"attempt {a} not in {str(mine)}"
        else:
            key = "mydata.quiz.abandoned" if a["status"] == "abandoned" else "mydata.quiz.in_progress"
            assert any(matches(s, content, key) for s in shown), f"attempt {a} not in {str(mine)}"
    assert mine.shows(ui(content, "mydata.feedback.none"))  # the anonymous feedback is not listed

    attempt_ids = [r["id"] for r in query(playground, "SELECT id FROM attempts WHERE worker_id = ?", worker)]
    anonymous = query(playground, "SELECT id FROM feedback WHERE worker_id IS NULL")
    chat.send_text("delete my data")
    confirm = chat.wait_for(is_heading(content, "mydata.confirm.title"), WAIT, what="delete confirmation card")
    assert confirm.shows(ui(content, "mydata.confirm.body"))
    assert confirm.button(verb="mydata.delete", confirmed=True)["title"] == ui(content, "mydata.confirm.yes")
    done = execute(chat, confirm, verb="mydata.delete", confirmed=True)
    assert done.shows(ui(content, "mydata.deleted"))

    for table, column in (("workers", "id"), ("progress", "worker_id"), ("attempts", "worker_id"),
                          ("feedback", "worker_id"), ("events", "worker_id")):
        assert query(playground, f"SELECT * FROM {table} WHERE {column} = ?", worker) == [], table
    marks = ",".join("?" * len(attempt_ids))
    assert query(playground, f"SELECT * FROM answers WHERE attempt_id IN ({marks})", *attempt_ids) == []
    assert query(playground, "SELECT id FROM feedback WHERE worker_id IS NULL") == anonymous  # not theirs

    menu = open_menu(chat, content)
    modules = content.modules(LANG)
    assert menu.shows(ui(content, "menu.summary", done=0, total=len(modules)))
    texts = menu.texts
    for module in modules:
        assert texts[texts.index(f"**{module['title']}**") + 1] == ui(
            content, "menu.status.not_started", minutes=f"{module['minutes']} min")
    for table in ("progress", "attempts", "feedback"):
        assert query(playground, f"SELECT * FROM {table} WHERE worker_id = ?", worker) == [], table
