"""The worker's menu suggests a refresher, gently, for a module they completed whose
expectation their Microsoft 365 use doesn't meet: one primary action, in every language."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from card_reading import action_data, assert_theme_aware, card_texts, primary_actions
from chat import Chat, real_catalog, ui
from domain.models import ModuleProgress, ProgressStatus
from domain.usage_records import DirectoryEntry, UsageImport, UsageRecord

DAY = date(2026, 11, 14)
UPN = "alex@contoso.example"
LONG_AGO = datetime(2026, 10, 1, tzinfo=timezone.utc)


async def given(chat: Chat, *, teams_metrics: dict[str, int], concealed: bool = False) -> None:
    store = chat.store
    await store.directory.save_users([DirectoryEntry(chat.worker.id, UPN, "Alex Wilber", "Sales")])
    await store.progress.save_progress(ModuleProgress(
        worker_id=chat.worker.id, module_id="teams", status=ProgressStatus.DONE,
        started_at=LONG_AGO, updated_at=LONG_AGO, completed_at=LONG_AGO), None)
    await store.usage.save_rows([UsageRecord(DAY, "teams", UPN, DAY if teams_metrics else None, 30, teams_metrics)])
    await store.usage.record_import(UsageImport(DAY, "teams", 30, 1, concealed, LONG_AGO))


def teams_row(menu: dict, language: str = "en") -> list[str]:
    """The Teams module's title and the lines under it."""
    texts = card_texts(menu)
    start = texts.index(f"**{real_catalog().module(language, 'teams').title}**")
    return texts[start:start + 4]


@pytest.mark.parametrize("language", ["en", "sv", "nl"])
async def test_a_silent_teams_user_gets_a_refresher_with_the_one_primary_action(chat: Chat, language: str) -> None:
    chat.language = language
    await given(chat, teams_metrics={})
    menu = (await chat.say("menu")).replies[0]
    assert ui("menu.refresher", language) in teams_row(menu, language)
    assert_theme_aware(menu)
    [primary] = primary_actions(menu)
    assert primary["title"] == ui("menu.refresh", language)
    assert primary["data"]["module"] == "teams"
    started = await chat.click(action_data(menu, ui("menu.refresh", language)))
    first_step = chat.router.catalog.module(language, "teams").steps[0].title
    assert first_step in card_texts(started.replies[-1])


async def test_no_refresher_once_their_use_meets_the_expectation(chat: Chat) -> None:
    await given(chat, teams_metrics={"meetings": 2})
    menu = (await chat.say("menu")).replies[0]
    assert ui("menu.refresher") not in card_texts(menu)
    assert ui("menu.refresh") not in [a["title"] for a in primary_actions(menu)]


async def test_no_refresher_when_names_are_concealed(chat: Chat) -> None:
    await given(chat, teams_metrics={}, concealed=True)
    assert ui("menu.refresher") not in card_texts((await chat.say("menu")).replies[0])


async def test_a_module_in_progress_stays_the_primary_action(chat: Chat) -> None:
    await given(chat, teams_metrics={})
    await chat.click({"verb": "module.start", "module": "outlook", "n": "x"})
    menu = (await chat.say("menu")).replies[0]
    assert ui("menu.refresher") in card_texts(menu)
    [primary] = primary_actions(menu)
    assert (primary["title"], primary["data"]["module"]) == (ui("menu.continue"), "outlook")
