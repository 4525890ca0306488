"""Numbers, percentages, dates and minutes in the worker's locale (Babel), on the cards."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.content import Catalog
from bot.formats import Formats
from bot.i18n import Texts
from card_reading import action, cards, texts_of
from cards.digest import digest_card
from cards.mydata import EVENTS_PER_PAGE, MyData, my_data_card, my_events_card
from cards.quiz import result_card
from chat import Chat, quiz_module
from dialogs.router import Router
from domain.digest import DigestPeriod, DigestSummary
from domain.models import EventKind, QuizAttempt, UsageEvent, Worker
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



def counted_events(count: int) -> list[UsageEvent]:
    start = datetime(2026, 11, 2, tzinfo=timezone.utc)
    return [UsageEvent(id=f"e{i}", kind=EventKind.STEP_VIEWED, worker_id="w", at=start)
            for i in range(count)]


@pytest.mark.parametrize(("language", "thousands"), [
    ("en", "1,234"), ("sv", f"1{NBSP}234"), ("nl", "1.234")])
def test_counts_of_my_data_in_the_locale(catalog: Catalog, language: str, thousands: str) -> None:
    t = Texts(catalog, language)
    events = counted_events(1234)
    data = MyData(worker=Worker(id="w"), progress=[], attempts=[], feedback=[], events=events)

    shown = texts_of(my_data_card(t, {}, data))
    last_page = texts_of(my_events_card(t, {}, events, (1234 - 1) // EVENTS_PER_PAGE))

    assert t("mydata.usage.summary", count=thousands, date=t.date(events[0].at)) in shown
    first = t.number(1234 - 1234 % EVENTS_PER_PAGE + 1)
    assert t("mydata.export.title", first=first, last=thousands, count=thousands) in last_page
    assert "1234" not in shown + last_page


@pytest.mark.parametrize(("language", "limit", "typed"), [
    ("en", "2,000", "2,001"), ("sv", f"2{NBSP}000", f"2{NBSP}001"), ("nl", "2.000", "2.001")])
async def test_the_feedback_limit_in_the_locale(store, catalog: Catalog, language: str, limit: str,
                                                typed: str) -> None:
    chat = Chat(store, Router(catalog), language=language)
    form = cards(await chat.say(catalog.ui(language)["command.feedback"].split("|")[0]))[0]
    assert limit in texts_of(form)

    refused = await chat.click(action(form, "feedback.submit"), rating="4", category="device", text="x" * 2001)

    assert Texts(catalog, language)("feedback.too_long", length=typed, max=limit) in texts_of(
        refused.replacement)


@pytest.mark.parametrize(("language", "thousands"), [("en", "1,234"), ("sv", f"1{NBSP}234"), ("nl", "1.234")])
def test_digest_counts_in_the_locale(catalog: Catalog, language: str, thousands: str) -> None:
    t = Texts(catalog, language)
    period = DigestPeriod.ending(datetime(2026, 11, 30, 8, tzinfo=timezone.utc))
    summary = DigestSummary(period=period, new_feedback=1234, top_items=[], completions=1234,
                            completions_before=1000, pass_rate=0.5, pass_rate_before=0.45)

    shown = texts_of(digest_card(t, summary, "app"))

    assert t("digest.feedback_new", count=thousands) in shown
    assert t("digest.completions", this_week=thousands, last_week=t.number(1000)) in shown
