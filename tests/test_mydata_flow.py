"""My data: the worker sees what is stored, deletes it after confirming, reports forget them."""

from __future__ import annotations

from bot.content import Catalog, Module
from domain.models import ProgressStatus
from domain.reports import ReportFilter
from bot.store.port import Store
from dialogs.router import Router
from card_reading import action, assert_theme_aware, cards, has_action, question_cards, texts_of
from chat import ui, Chat, quiz_module, right_choice


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
    assert "{{DATE(" in shown  # dates formatted by the Teams client in the reader's locale
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
