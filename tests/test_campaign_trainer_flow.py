"""The trainer's campaigns in the 1:1 chat, through the Router on a real store: who gets the
trainer cards (trainers and admins, re-checked on every click), the form, its preview, one
campaign per Confirm however often it is clicked, progress updated in place, results."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from campaign_chat import ADMIN, TRAINER, deliver, roles_router, sending_campaign
from card_reading import action, cards, has_action, inputs, question_cards, texts_of
from cards.campaign import invite_body
from chat import START, Chat, right_choice, ui, wrong_choice
from dialogs.router import Router
from domain.audience import Audience, AudienceKind
from domain.campaigns import Campaign, CampaignState, DeliveryState, QuizSpec
from domain.roles import RoleRule
from test_card_contract import filled

TRAINER_ACTIONS = [{"verb": "campaigns.list"}, {"verb": "campaign.new"},
                   {"verb": "campaign.progress", "campaign": "camp-1"},
                   {"verb": "campaign.results", "campaign": "camp-1"}]


def chat_of(store, router: Router, worker_id: str, language: str | None = None) -> Chat:
    chat = Chat(store, router, worker_id, language=language)
    chat.worker = chat.worker.model_copy(update={"time_zone": "Europe/Stockholm"})
    return chat


async def open_form(chat: Chat) -> dict:
    listed = cards(await chat.say("campaigns"))[0]
    return cards(await chat.click(action(listed, "campaign.new")))[0]


async def preview(chat: Chat, **typed: str) -> tuple[dict, dict]:
    """The form filled as proposed plus `typed`; returns (the form, the card it answered)."""
    form = await open_form(chat)
    turn = await chat.click(action(form, "campaign.preview"), **{**filled(form), **typed})
    return form, (turn.replacement if turn.replacement is not None else cards(turn)[0])


async def test_workers_get_the_normal_answer_and_never_a_trainer_card(store, catalog) -> None:
    router = roles_router(catalog)
    await sending_campaign(store, catalog)
    worker = chat_of(store, router, "worker-1")
    typed = await worker.say("campaigns")
    nonsense = await worker.say("qwx zzv")
    assert [texts_of(c) for c in cards(typed)] == [
        texts_of(c).replace("qwx zzv", "campaigns") for c in cards(nonsense)]
    for data in TRAINER_ACTIONS + [{"verb": "campaign.confirm", "module": "mfa-sign-in",
                                    "n": "x1"}]:
        turn = await worker.click(data)
        assert texts_of(cards(turn)[0]) == ui("stale.card")
        assert not any(has_action(c, "campaign.new") or has_action(c, "campaign.progress")
                       for c in cards(turn))
    assert [c.id for c in await store.campaigns.list_campaigns("")] == ["camp-1"]


async def test_a_role_is_checked_on_every_click(store, catalog) -> None:
    await sending_campaign(store, catalog)
    trainer = chat_of(store, roles_router(catalog), TRAINER)
    progress = cards(await trainer.click(TRAINER_ACTIONS[2]))[0]
    assert has_action(progress, "campaign.progress")
    trainer.router = Router(catalog, roles=RoleRule())  # TRAINER_IDS no longer lists them
    turn = await trainer.click(action(progress, "campaign.progress"))
    assert turn.replacement is None and texts_of(cards(turn)[0]) == ui("stale.card")


async def test_a_trainer_sees_their_own_campaigns_and_an_admin_all(store, catalog) -> None:
    router = roles_router(catalog, trainers=(TRAINER, "trainer-2"))
    await sending_campaign(store, catalog, "camp-1", created_by=TRAINER)
    await sending_campaign(store, catalog, "camp-2", created_by="trainer-2")
    other = chat_of(store, router, "trainer-2")
    admin = chat_of(store, router, ADMIN)

    assert "camp-1" not in str(cards(await other.say("campaigns"))[0])
    assert texts_of(cards(await other.click(TRAINER_ACTIONS[2]))[0]) == ui("stale.card")
    listed = cards(await admin.say("campaigns"))[0]
    assert '"camp-1"' in str(listed).replace("'", '"') and '"camp-2"' in str(listed).replace("'", '"')
    assert has_action(cards(await admin.click(TRAINER_ACTIONS[3]))[0], "campaign.progress")


async def test_the_list_shows_each_campaigns_progress(store, catalog) -> None:
    router = roles_router(catalog)
    campaign = await sending_campaign(store, catalog, questions=1)
    for worker_id in ("w1", "w2"):
        await deliver(chat_of(store, router, worker_id), campaign)
    await store.campaigns.add_deliveries([
        (await store.campaigns.worker_deliveries("camp-1", "w1"))[0].model_copy(
            update={"worker_id": "w3", "state": DeliveryState.FAILED, "reason": "blocked"})])
    listed = cards(await chat_of(store, router, TRAINER).say("campaigns"))[0]
    assert ui("campaign.list.progress", recipients=3, sent=2, failed=1, unknown=0,
              answered=0) in texts_of(listed)


async def test_the_preview_shows_exactly_the_workers_card_and_confirm_schedules_it(store, catalog) -> None:
    trainer = chat_of(store, roles_router(catalog), TRAINER)
    intro = "Before **Friday**, [please](https://x.example)"
    _, shown = await preview(trainer, intro=intro, questions="4", remind_max="2", name="")
    module = catalog.modules("en")[0]
    [worker_view] = [n for n in shown["body"] if n.get("type") == "Container"]
    assert worker_view["items"][:2] == invite_body(trainer.turn().texts, _campaign(intro),
                                                   module.title, 4)
    assert r"Before \*\*Friday\*\*, \[please\]\(https://x.example\)" in texts_of(shown)

    turn = await trainer.click(action(shown, "campaign.confirm"))
    [campaign] = await store.campaigns.list_campaigns("")
    assert campaign.state is CampaignState.SCHEDULED and campaign.created_by == TRAINER
    assert (campaign.intro, campaign.quiz.question_count, campaign.reminders.max_count,
            campaign.reminders.after_days) == (intro, 4, 2, 3)
    assert campaign.title == f"{module.title} · {trainer.clock.date().isoformat()}"
    assert campaign.ends_at.date() == (trainer.clock + timedelta(days=14)).date()
    assert has_action(turn.replacement, "campaign.progress")  # the preview became its progress
    assert turn.replies == [ui("campaign.confirmed", name=campaign.title)]


def _campaign(intro: str) -> Campaign:
    return Campaign(id="x", tenant_id="", title="t", intro=intro, quiz=QuizSpec(module_id="m"),
                    audience=Audience(kind=AudienceKind.ALL), ends_at=START + timedelta(days=1),
                    created_at=START)


async def test_confirm_twice_or_at_once_makes_one_campaign(store, catalog) -> None:
    trainer = chat_of(store, roles_router(catalog), TRAINER)
    _, shown = await preview(trainer)
    confirm = action(shown, "campaign.confirm")
    await trainer.click(confirm)
    await trainer.click(confirm)  # a double-click, or Teams redelivering the click
    both = [trainer.click_turn(confirm) for _ in range(2)]
    await asyncio.gather(*(trainer.router.on_action(turn, data) for turn, data in both))
    [campaign] = await store.campaigns.list_campaigns("")
    assert campaign.state is CampaignState.SCHEDULED and campaign.version == 1

    _, second = await preview(trainer)  # a new preview is a new campaign
    await trainer.click(action(second, "campaign.confirm"))
    assert len(await store.campaigns.list_campaigns("")) == 2


async def test_bad_input_comes_back_on_the_form_as_typed(store, catalog) -> None:
    trainer = chat_of(store, roles_router(catalog), TRAINER)
    module = catalog.modules("en")[0]
    intro = "Keep this text"
    _, refused = await preview(trainer, questions="0", zone="Mars/Olympus", schedule="at",
                               date="2020-01-01", time="09:00", intro=intro, remind_max="x")
    shown = texts_of(refused)
    for expected in (ui("campaign.form.problem.questions", max=len(module.quiz.questions)),
                     ui("campaign.form.problem.zone", zone="Mars/Olympus"),
                     ui("campaign.form.problem.past"),
                     ui("campaign.form.problem.remind_max", max=10)):
        assert expected in shown
    fields = inputs(refused)
    assert (fields["intro"]["value"], fields["questions"]["value"], fields["zone"]["value"],
            fields["schedule"]["value"], fields["date"]["value"]) == (
                intro, "0", "Mars/Olympus", "at", "2020-01-01")
    assert await store.campaigns.list_campaigns("") == []


async def test_a_schedule_in_a_zone_and_an_end_before_the_start(store, catalog) -> None:
    trainer = chat_of(store, roles_router(catalog), TRAINER)
    _, refused = await preview(trainer, schedule="at", date="2026-11-20", time="09:00",
                               zone="Europe/Amsterdam", ends="2026-11-19")
    assert ui("campaign.form.problem.ends_early") in texts_of(refused)
    _, shown = await preview(trainer, schedule="at", date="2026-11-20", time="09:00",
                             zone="Europe/Amsterdam", ends="2026-11-27")
    assert ui("campaign.schedule.at_facts", date="2026-11-20", time="09:00",
              zone="Europe/Amsterdam") in texts_of(shown)
    await trainer.click(action(shown, "campaign.confirm"))
    [campaign] = await store.campaigns.list_campaigns("")
    assert campaign.starts_at.isoformat() == "2026-11-20T08:00:00+00:00"


async def test_edit_brings_the_form_back_with_the_previewed_values(store, catalog) -> None:
    trainer = chat_of(store, roles_router(catalog), TRAINER)
    _, shown = await preview(trainer, intro="Hello team", questions="2")
    form = cards(await trainer.click(action(shown, "campaign.edit")))[0]
    assert (inputs(form)["intro"]["value"], inputs(form)["questions"]["value"]) == ("Hello team", "2")


async def test_progress_refreshes_in_place_and_results_add_up(store, catalog) -> None:
    router = roles_router(catalog)
    campaign = await sending_campaign(store, catalog, questions=2)
    module = catalog.module("en", campaign.quiz.module_id)
    trainer = chat_of(store, router, TRAINER)
    progress = cards(await trainer.click(TRAINER_ACTIONS[2]))[0]
    assert ui("campaign.progress.recipients") in texts_of(progress)

    for worker_id, right in (("w1", True), ("w2", False), ("w3", None)):
        worker = chat_of(store, router, worker_id)
        card = await deliver(worker, campaign)
        if right is None:
            continue
        question = question_cards(await worker.click(action(card, "campaign.start")))[0]
        while question is not None:
            data = action(question, "quiz.answer")
            choose = right_choice if right else wrong_choice
            following = question_cards(await worker.click(data, choice=choose(module, data["question"])))
            question = following[0] if following else None

    turn = await trainer.click(action(progress, "campaign.progress"))
    assert turn.replies == [] and turn.replacement is not None  # updated in place
    facts = {f["title"]: f["value"] for f in turn.replacement["body"][1]["facts"]}
    assert (facts[ui("campaign.progress.recipients")], facts[ui("campaign.progress.sent")],
            facts[ui("campaign.progress.answered")]) == ("3", "3", "2")

    results = cards(await trainer.click(action(turn.replacement, "campaign.results")))[0]
    facts = {f["title"]: f["value"] for f in results["body"][1]["facts"]}
    assert facts == {ui("campaign.results.reach"): ui("campaign.results.of", part="3", whole="3"),
                     ui("campaign.results.response_rate"): "66.7%",
                     ui("campaign.results.pass_rate"): "50%",
                     ui("campaign.results.average"): "50%"}
    missed = [module.question(q).text for q in (await store.attempts.list_attempts("w2"))[0].question_ids]
    assert all(ui("campaign.results.missed_line", question=q, count="1") in texts_of(results)
               for q in missed)


async def test_the_trainer_surface_speaks_swedish(store, catalog) -> None:
    trainer = chat_of(store, roles_router(catalog), TRAINER, language="sv")
    listed = cards(await trainer.say("kampanjer"))[0]
    assert ui("campaign.list.title", "sv") in texts_of(listed)
    form = cards(await trainer.click(action(listed, "campaign.new")))[0]
    assert ui("campaign.form.title", "sv") in texts_of(form)


async def test_help_tells_trainers_about_campaigns_and_workers_nothing_new(store, catalog) -> None:
    router = roles_router(catalog)
    trainer_help = (await chat_of(store, router, TRAINER).say("help")).replies
    worker_help = (await chat_of(store, router, "worker-1").say("help")).replies
    assert trainer_help[-1] == ui("campaign.help")
    assert len(trainer_help) == len(worker_help) + 1
    assert ui("campaign.help") not in str(worker_help)
