"""The worker's side of a campaign, through the Router on a real store: the card in their
language, Start through the quiz flow with the campaign id on the attempt, the first
submission as the result, and "Remind me tomorrow"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.content import Catalog
from bot.i18n import Texts
from campaign_chat import deliver, roles_router, sending_campaign
from card_reading import action, card_actions, cards, has_action, primary_actions, question_cards, texts_of
from chat import START, Chat, right_choice, ui, wrong_choice
from domain.campaigns import CampaignState, DeliveryState, Reminders
from domain.models import AttemptStatus
from jobs.campaign_service import CampaignService
from jobs.clock import FakeClock


def worker_chat(store, catalog: Catalog, worker_id: str = "worker-1", **fields) -> Chat:
    chat = Chat(store, roles_router(catalog), worker_id)
    chat.worker = chat.worker.model_copy(update=fields)
    return chat


async def registered(store, catalog: Catalog, **fields) -> Chat:
    chat = worker_chat(store, catalog, **fields)
    chat.worker = await store.workers.register_worker(chat.worker)
    return chat


async def answer_all(chat: Chat, first_question: dict, module, *, right: bool = True) -> None:
    card = first_question
    while card is not None:
        data = action(card, "quiz.answer")
        choose = right_choice if right else wrong_choice
        turn = await chat.click(data, choice=choose(module, data["question"]))
        following = question_cards(turn)
        card = following[0] if following else None


async def answered_campaign(chat: Chat, catalog: Catalog, questions: int, *, right: bool):
    """A campaign whose card the chat got and whose quiz it answered; (campaign, card)."""
    campaign = await sending_campaign(chat.store, catalog, questions=questions)
    card = await deliver(chat, campaign)
    module = catalog.module("en", campaign.quiz.module_id)
    await answer_all(chat, question_cards(await chat.click(action(card, "campaign.start")))[0],
                     module, right=right)
    return campaign, card


@pytest.mark.parametrize("locale, language", [("en-US", "en"), ("sv-SE", "sv"), ("nl-NL", "nl")])
async def test_the_card_speaks_the_workers_language(store, catalog: Catalog, locale: str,
                                                    language: str) -> None:
    chat = await registered(store, catalog, teams_locale=locale)
    campaign = await sending_campaign(store, catalog, questions=3)
    card = await deliver(chat, campaign)

    module = catalog.module(language, campaign.quiz.module_id)
    shown = texts_of(card)
    minutes = Texts(catalog, language, locale).minutes(2)  # 3 × 30 s, rounded up
    assert minutes == {"en": "2 min", "sv": "2 min", "nl": "2 min"}[language]
    assert ui("campaign.invite.line_other", language, intro="Please take this by Friday",
              module=module.title, questions="3", minutes=minutes) in shown
    start, remind = card_actions(card)
    assert (start["title"], remind["title"]) == (ui("campaign.invite.start", language),
                                                 ui("campaign.invite.remind", language))
    assert primary_actions(card) == [start]
    assert start["data"]["verb"] == "campaign.start" and start["data"]["campaign"] == "camp-1"
    assert start["data"]["delivery"] == "camp-1:worker-1:0"


async def test_the_trainers_intro_is_shown_as_typed_never_as_markdown(store, catalog) -> None:
    chat = await registered(store, catalog)
    intro = "[Click here](https://evil.example) **now** <at>all</at>\n1. first"
    card = await deliver(chat, await sending_campaign(store, catalog, intro=intro))
    shown = texts_of(card)
    assert r"\[Click here\]\(https://evil.example\) \*\*now\*\* \<at\>all\</at\>" in shown
    assert r"1\. first" in shown and "[Click here](" not in shown


async def test_start_runs_the_quiz_with_the_campaign_id_and_its_question_count(store, catalog) -> None:
    chat = await registered(store, catalog)
    campaign = await sending_campaign(store, catalog, questions=3)
    card = await deliver(chat, campaign)
    module = catalog.module("en", campaign.quiz.module_id)

    turn = await chat.click(action(card, "campaign.start"))
    [first] = question_cards(turn)
    assert ui("quiz.position", module=module.title, number=1, total=3) in texts_of(first)
    [attempt] = await store.attempts.list_attempts("worker-1")
    assert (attempt.campaign_id, len(attempt.question_ids)) == ("camp-1", 3)
    assert set(attempt.question_ids) <= {q.id for q in module.quiz.questions}

    await answer_all(chat, first, module)
    results = await CampaignService(store, FakeClock(chat.clock)).results("camp-1")
    assert (results.answered, results.passed, results.average_score) == (1, 1, 100.0)


async def test_a_double_clicked_start_opens_one_attempt(store, catalog) -> None:
    chat = await registered(store, catalog)
    card = await deliver(chat, await sending_campaign(store, catalog))
    start = action(card, "campaign.start")
    await chat.click(start)
    again = await chat.click(start)
    assert len(await store.attempts.list_attempts("worker-1")) == 1
    assert len(question_cards(again)) == 1  # the same attempt, where it stands


async def test_the_first_submission_is_the_result_and_start_after_it_says_so(store, catalog) -> None:
    chat = await registered(store, catalog)
    campaign, card = await answered_campaign(chat, catalog, 2, right=False)
    module = catalog.module("en", campaign.quiz.module_id)

    again = await chat.click(action(card, "campaign.start"))
    assert question_cards(again) == []
    assert ui("campaign.worker.answered", score="0%") in texts_of(cards(again)[0])
    retake = await chat.click({"verb": "quiz.start", "module": module.id})  # practice
    await answer_all(chat, question_cards(retake)[0], module, right=True)

    results = await CampaignService(store, FakeClock(chat.clock)).results("camp-1")
    assert (results.answered, results.passed, results.average_score) == (1, 0, 0.0)
    practice = [a for a in await store.attempts.list_attempts("worker-1") if a.campaign_id is None]
    assert [a.passed for a in practice] == [True]


async def test_start_over_from_a_practice_attempt_answers_the_campaign(store, catalog) -> None:
    chat = await registered(store, catalog)
    campaign = await sending_campaign(store, catalog, questions=2)
    module_id = campaign.quiz.module_id
    await chat.click({"verb": "quiz.start", "module": module_id})  # practice, left open
    offer = cards(await chat.click(action(await deliver(chat, campaign), "campaign.start")))[0]
    restart = action(offer, "quiz.restart")
    assert restart["campaign"] == "camp-1"

    await chat.click(restart)
    open_attempts = [a for a in await store.attempts.list_attempts("worker-1")
                     if a.status is AttemptStatus.IN_PROGRESS]
    assert [(a.campaign_id, len(a.question_ids)) for a in open_attempts] == [("camp-1", 2)]


@pytest.mark.parametrize("state, key", [(CampaignState.CANCELLED, "campaign.worker.cancelled")])
async def test_a_cancelled_campaign_takes_no_answers(store, catalog, state, key) -> None:
    chat = await registered(store, catalog)
    campaign = await sending_campaign(store, catalog)
    card = await deliver(chat, campaign)
    await store.campaigns.save_campaign(campaign.transition(state, START), campaign.version)
    turn = await chat.click(action(card, "campaign.start"))
    assert texts_of(cards(turn)[0]) == ui(key)
    assert await store.attempts.list_attempts("worker-1") == []


async def test_an_ended_campaign_says_when_it_ended(store, catalog) -> None:
    chat = await registered(store, catalog)
    card = await deliver(chat, await sending_campaign(store, catalog, days=14))
    chat.clock = START + timedelta(days=15)
    turn = await chat.click(action(card, "campaign.start"))
    assert ui("campaign.worker.ended", date="Nov 30, 2026") in texts_of(cards(turn)[0])
    assert await store.attempts.list_attempts("worker-1") == []


async def pending_reminders(store, worker_id: str = "worker-1"):
    return [d for d in await store.campaigns.worker_deliveries("camp-1", worker_id)
            if d.round > 0 and d.state is DeliveryState.PENDING]


async def test_remind_me_tomorrow_moves_the_next_reminder_to_this_time_tomorrow(store, catalog) -> None:
    chat = await registered(store, catalog, time_zone="Europe/Stockholm")
    campaign = await sending_campaign(store, catalog, reminders=Reminders(after_days=3, max_count=2))
    card = await deliver(chat, campaign)
    await store.campaigns.add_deliveries([  # what the sender leaves after the first message
        (await store.campaigns.worker_deliveries("camp-1", "worker-1"))[0].model_copy(update={
            "round": 1, "state": DeliveryState.PENDING, "due_at": START + timedelta(days=3),
            "sent_at": None})])

    turn = await chat.click(action(card, "campaign.remind"))
    [reminder] = await pending_reminders(store)
    assert reminder.round == 1 and reminder.due_at == turn.now + timedelta(days=1)
    assert ui("campaign.worker.reminder_set") in texts_of(turn.replacement)
    assert not has_action(turn.replacement, "campaign.remind")
    assert has_action(turn.replacement, "campaign.start")


async def test_remind_me_tomorrow_keeps_the_local_time_across_a_dst_change(store, catalog) -> None:
    chat = await registered(store, catalog, time_zone="Europe/Amsterdam")
    campaign = await sending_campaign(store, catalog, reminders=Reminders(max_count=0), days=60)
    card = await deliver(chat, campaign)
    chat.clock = datetime(2027, 3, 27, 8, 59, 30, tzinfo=timezone.utc)  # 09:59 CET, Saturday
    await store.campaigns.save_campaign(campaign.model_copy(update={
        "ends_at": datetime(2027, 4, 30, tzinfo=timezone.utc)}), campaign.version)

    await chat.click(action(card, "campaign.remind"))
    [reminder] = await pending_reminders(store)
    # No reminder was planned (max 0): "tomorrow" adds one; 10:00 CEST is 08:00 UTC.
    assert (reminder.round, reminder.due_at) == (1, datetime(2027, 3, 28, 8, 0, tzinfo=timezone.utc))


async def test_no_reminder_tomorrow_when_the_campaign_ends_before(store, catalog) -> None:
    chat = await registered(store, catalog)
    card = await deliver(chat, await sending_campaign(store, catalog, days=1))
    turn = await chat.click(action(card, "campaign.remind"))
    assert await pending_reminders(store) == []
    assert ui("campaign.worker.too_late", date="Nov 17, 2026") in texts_of(turn.replacement)


async def test_after_submitting_there_is_nothing_to_remind(store, catalog) -> None:
    chat = await registered(store, catalog)
    _, card = await answered_campaign(chat, catalog, 1, right=True)
    turn = await chat.click(action(card, "campaign.remind"))
    assert await pending_reminders(store) == []
    assert ui("campaign.worker.answered", score="100%") in texts_of(cards(turn)[0])
