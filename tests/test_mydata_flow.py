"""My data: the worker sees what is stored, deletes it after confirming, reports forget them."""

from __future__ import annotations

from datetime import date

from bot.content import Catalog, Module
from domain.models import ProgressStatus
from domain.reports import ReportFilter
from bot.store.port import Store
from dialogs.inbox import reply_to_worker
from dialogs.router import Router
from domain.triage import InboxFilter
from domain.usage_records import DirectoryEntry, UsageRecord
from card_reading import action, assert_theme_aware, cards, has_action, question_cards, texts_of
from cards.mydata import EVENTS_PER_PAGE
from bot.formats import Formats
from chat import ui, Chat, quiz_module, right_choice, stored_events


async def take_quiz(chat: Chat, module: Module) -> None:
    [card] = question_cards(await chat.say(f"quiz {module.id}"))
    while True:
        data = action(card, "quiz.answer")
        following = cards(await chat.click(data, choice=right_choice(module, data["question"])))
        if not any(has_action(c, "quiz.answer") for c in following):
            return
        card = following[0]


async def give_feedback(chat: Chat, text: str, *, anonymous: bool, module_id: str | None = None) -> None:
    [form] = cards(await chat.click({"verb": "feedback.open", "n": f"f{len(text)}{anonymous}",
                                     **({"module": module_id} if module_id else {})}))
    await chat.click(action(form, "feedback.submit"), rating="5", category="content", text=text,
                     anonymous="true" if anonymous else "false")


async def lived_in(chat: Chat, module: Module) -> None:
    await chat.click({"verb": "module.start", "module": module.id, "n": "s1"})
    await chat.click({"verb": "module.finish", "module": module.id, "n": "s2"})
    await take_quiz(chat, module)
    await give_feedback(chat, "Named: the labels step was clear.", anonymous=False, module_id=module.id)
    await give_feedback(chat, "Anonymous: my manager blocks USB.", anonymous=True)


async def test_my_data_shows_progress_attempts_and_own_named_feedback(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await lived_in(chat, module)

    card = cards(await chat.say("my data"))[0]

    shown = texts_of(card)
    assert module.title in shown
    assert "100% · passed" in shown
    assert "Named: the labels step was clear." in shown
    assert "Anonymous: my manager blocks USB." not in shown
    assert "Nov 16, 2026" in shown  # the chat's clock, in the en-US format of the worker's Teams
    assert action(card, "mydata.delete")["confirmed"] is False
    assert_theme_aware(card)


async def test_my_data_when_nothing_is_stored(chat: Chat) -> None:
    shown = texts_of(cards(await chat.say("my data"))[0])

    assert ui("mydata.progress.none") in shown and ui("mydata.quizzes.none") in shown


async def test_delete_asks_first_and_cancel_keeps_everything(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await lived_in(chat, module)

    confirm = cards(await chat.say("delete my data"))[0]
    assert "can't be undone" in texts_of(confirm)
    assert action(confirm, "mydata.delete")["confirmed"] is True

    cancelled = await chat.click(action(confirm, "mydata.show"))

    assert "What I store about you" in texts_of(cancelled.replacement)
    assert await chat.store.progress.list_progress(chat.worker.id)


async def test_confirmed_delete_removes_everything_and_reports_forget(chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await lived_in(chat, module)
    other = Chat(chat.store, chat.router, "other-worker")
    await other.click({"verb": "module.start", "module": module.id, "n": "o1"})
    store: Store = chat.store

    my_data = cards(await chat.say("my data"))[0]
    confirm = (await chat.click(action(my_data, "mydata.delete"))).replacement  # in place
    done = await chat.click(action(confirm, "mydata.delete"))

    assert "deleted everything" in texts_of(done.replacement)
    assert await store.progress.list_progress(chat.worker.id) == []
    assert await store.attempts.list_attempts(chat.worker.id) == []
    assert await store.feedback.list_feedback(chat.worker.id) == []
    usage = await store.reports.usage_report(ReportFilter())
    assert [(m.module_id, m.started, m.completed) for m in usage.modules] == [(module.id, 1, 0)]
    assert (await store.reports.quiz_report(ReportFilter())).modules == []
    remaining = (await store.reports.feedback_report(ReportFilter())).items
    assert [i.text for i in remaining] == ["Anonymous: my manager blocks USB."]  # not linked to them
    assert (await store.progress.get_progress("other-worker", module.id)).status == ProgressStatus.IN_PROGRESS


async def test_delete_twice_is_harmless(store: Store, router: Router, catalog: Catalog) -> None:
    chat = Chat(store, router)
    await lived_in(chat, quiz_module(catalog))
    confirm = cards(await chat.say("delete my data"))[0]
    yes = action(confirm, "mydata.delete")

    first, second = await chat.click(yes), await chat.click(yes)

    assert "deleted everything" in texts_of(first.replacement)
    assert "deleted everything" in texts_of(second.replacement)
    assert await store.attempts.list_attempts(chat.worker.id) == []


async def test_my_data_names_every_kind_of_stored_data_and_exports_the_usage_history(
        chat: Chat, catalog: Catalog) -> None:
    module = quiz_module(catalog)
    await lived_in(chat, module)
    exercise = next(i for i, step in enumerate(module.steps) if step.exercise)
    await chat.click({"verb": "exercise.done", "module": module.id, "step": exercise, "n": "x1"})
    await chat.click({"verb": "language.set", "language": "en", "n": "l1"})
    for n in range(EVENTS_PER_PAGE):  # enough history for a second page
        await chat.click({"verb": "module.step", "module": module.id, "step": 0, "n": f"v{n}"})

    card = cards(await chat.say("my data"))[0]

    shown = texts_of(card)
    mine = sorted((e for e in stored_events(chat.store) if e["worker_id"] == chat.worker.id),
                  key=lambda e: (e["at"], e["id"]))
    first = (await chat.store.events.list_worker_events(chat.worker.id))[0]
    assert ui("mydata.usage.summary", count=len(mine), date=Formats("en", "en-US").date(first.at)) in shown
    assert "Alex Wilber" in shown and "en-US" in shown and ui("language.name.en") in shown
    exercises = sum(1 for step in module.steps if step.exercise)  # finished at once: all skipped, then one done
    assert ui("mydata.progress.exercises", done=1, skipped=exercises - 1) in shown
    assert ui("mydata.feedback.status.new") in shown and "100% · passed" in shown

    page = (await chat.click(action(card, "mydata.events"))).replacement
    assert ui("mydata.export.title", first=1, last=EVENTS_PER_PAGE, count=len(mine)) in texts_of(page)
    following = cards(await chat.click(action(page, "mydata.events")))[0]
    assert ui("mydata.export.title", first=EVENTS_PER_PAGE + 1, last=len(mine), count=len(mine)) in texts_of(following)
    assert not any(a["data"].get("verb") == "mydata.events" for a in following["actions"])
    lines = [b["text"] for c in (page, following) for b in c["body"][1:]]
    assert len(lines) == len(mine)
    assert ui("mydata.event.exercise_done") in "\n".join(lines)


async def test_my_data_tells_a_language_choice_from_following_teams(chat: Chat, catalog: Catalog) -> None:
    follows = texts_of(cards(await chat.say("my data"))[0])
    await chat.click({"verb": "language.set", "language": "nl", "n": "l"})
    chosen = texts_of(cards(await chat.say("mijn gegevens"))[0])

    auto_en = catalog.ui("en")["mydata.about.language_auto"].format(language="en-US")
    auto_nl = catalog.ui("nl")["mydata.about.language_auto"].format(language="en-US")
    assert auto_en in follows
    assert ui("language.name.nl", "nl") in chosen and auto_nl not in chosen


async def test_my_data_lists_a_question_to_it_with_its_reply_and_what_came_from_the_organisation(
        store: Store, router: Router, catalog: Catalog) -> None:
    chat = Chat(store, router)
    chat.worker = await store.workers.register_worker(
        chat.worker.model_copy(update={"upn": "alex@contoso.example", "time_zone": "Europe/Stockholm"}))
    before = texts_of(cards(await chat.say("my data"))[0])
    [offer] = cards(await chat.say("why is the *printer* blinking"))
    await chat.click(action(offer, "askit"))
    [item] = (await store.triage.list_inbox(InboxFilter(), None, 10)).items
    sent: list[dict] = []
    await reply_to_worker(store, catalog, lambda worker, card: _keep(sent, card), item.feedback.id,
                          "Restart it: [guide](https://x.example)", 0, "admin@contoso.example", chat.clock)
    await store.directory.save_users([DirectoryEntry(id=chat.worker.id, upn="alex@contoso.example",
                                                     department="Sales <West>", country="SE")])
    await store.usage.save_rows([UsageRecord(report_date=date(2026, 11, 1), workload="teams",
                                             upn="alex@contoso.example", period_days=7)])
    await store.campaigns.set_blocked(chat.worker.tenant_id, chat.worker.id, chat.clock)

    shown = texts_of(cards(await chat.say("my data"))[0])

    assert ui("mydata.elsewhere.none") in before and "alex@contoso.example" in before  # the stored UPN
    assert "Europe/Stockholm" in shown and ui("mydata.about.time_zone") in shown
    assert ui("mydata.feedback.question", date="Nov 16, 2026", status=ui("mydata.feedback.status.new")) in shown
    assert r"why is the \*printer\* blinking" in shown
    assert ui("mydata.feedback.reply", date="Nov 16, 2026", text=r"Restart it: \[guide\]\(https://x.example\)") in shown
    assert ui("mydata.elsewhere.directory", details=r"alex@contoso.example · Sales \<West\> · SE") in shown
    assert ui("mydata.elsewhere.usage") in shown and ui("mydata.elsewhere.campaigns") in shown
    assert ui("mydata.elsewhere.none") not in shown and len(sent) == 1


async def _keep(sent: list[dict], card: dict) -> None:
    sent.append(card)
