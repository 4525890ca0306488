"""Numbers, percentages, dates and minutes in the worker's locale (Babel), on the cards."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.content import Catalog
from bot.formats import Formats
from bot.i18n import Texts
from card_reading import cards, texts_of
from cards.quiz import result_card
from chat import Chat, quiz_module
from dialogs.router import Router
from domain.models import QuizAttempt
from domain.quiz import QuizResult
from test_mydata_flow import take_quiz

NBSP = "\xa0"


@pytest.mark.parametrize(("language", "teams_locale", "percent", "day", "minutes"), [
    ("en", "en-US", "71.4%", "Nov 2, 2026", "10 min"),
    ("en", "en-GB", "71.4%", "2 Nov 2026", "10 mins"),
    ("sv", "sv-SE", f"71,4{NBSP}%", "2 nov. 2026", "10 min"),
    ("nl", "nl-NL", "71,4%", "2 nov 2026", "10 min"),
    ("nl", "en-US", "71,4%", "2 nov 2026", "10 min"),  # Dutch chosen in an English Teams
])
def test_formats_follow_the_locale(language, teams_locale, percent, day, minutes) -> None:
    formats = Formats(language, teams_locale)
    assert formats.percent(71.4286) == percent
    assert formats.date(date(2026, 11, 2)) == day
    assert formats.date(datetime(2026, 11, 2, 23, 30, tzinfo=timezone.utc)) == day
    assert formats.minutes(10) == minutes
    assert Formats("nl").number(1234.5) == "1.234,5" and Formats("en").number(1234.5) == "1,234.5"
    assert formats.date(None) == "-"


def test_a_dutch_quiz_result_shows_a_dutch_percentage(catalog: Catalog) -> None:
    module = quiz_module(catalog)
    attempt = QuizAttempt(id="a1", worker_id="w", module_id=module.id, locale="nl",
                          question_ids=[q.id for q in module.quiz.questions], seed=1,
                          started_at=datetime(2026, 11, 2, tzinfo=timezone.utc))
    result = QuizResult(right=5, total=7, score=71.4, passed=False, missed=[])

    shown = texts_of(result_card(Texts(catalog, "nl"), module, attempt, result))

    assert "(71,4%)" in shown and "71.4" not in shown
    assert f"{module.quiz.pass_mark}%" in shown


async def test_my_data_dates_and_scores_in_swedish(store, catalog: Catalog) -> None:
    chat = Chat(store, Router(catalog), language="sv")
    module = quiz_module(catalog)
    await take_quiz(chat, module)

    shown = texts_of(cards(await chat.say("mina data"))[0])

    assert f"100{NBSP}%" in shown and "16 nov. 2026" in shown  # the chat's clock: 2026-11-16
    assert "{{DATE(" not in shown

