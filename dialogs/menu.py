"""Welcome on install, the main menu, help and the language choice."""

from __future__ import annotations

from bot.content import Module
from domain.models import EventKind, ProgressStatus
from domain.progress import next_module
from domain.quiz import best_results
from bot.i18n import Texts, language_for
from cards.general import help_card, language_card
from cards.training import ModuleState, menu_card, welcome_card

from .refresher import refreshers
from .turn import Turn


async def welcome(turn: Turn) -> None:
    """Greet once per installation, however many install events Teams sends."""
    generation = turn.worker.uninstalled_at.isoformat() if turn.worker.uninstalled_at else "first"
    if await turn.record(EventKind.INSTALLED, event_id=turn.stable_id(EventKind.INSTALLED, "welcome", generation)):
        personal_name = turn.worker.name.split()[0] if turn.personal and turn.worker.name.strip() else None
        turn.send(welcome_card(turn.texts, personal_name, turn.chat_url))


async def show_menu(turn: Turn) -> None:
    progress = {p.module_id: p for p in await turn.store.progress.list_progress(turn.worker.id)}
    best = best_results(await turn.store.attempts.list_attempts(turn.worker.id))
    refresh = set(await refreshers(turn, list(progress.values())))
    states = []
    for module in turn.modules():
        record = progress.get(module.id)
        states.append(ModuleState(
            module,
            record.status if record else ProgressStatus.NOT_STARTED,
            record.step_index if record else 0,
            best.get(module.id),
            refresher=module.id in refresh,
        ))
    turn.send(menu_card(turn.texts, states))


async def module_after(turn: Turn, module_id: str) -> Module | None:
    """The module to offer as "Next" once `module_id` is done or its quiz passed."""
    done = {p.module_id for p in await turn.store.progress.list_progress(turn.worker.id)
            if p.status == ProgressStatus.DONE}
    following = next_module([m.id for m in turn.modules()], module_id, done)
    return turn.module(following) if following else None


async def show_help(turn: Turn) -> None:
    turn.send(help_card(turn.texts, turn.chat_url))


async def choose_language(turn: Turn) -> None:
    turn.send(language_card(turn.texts, turn.language))


async def set_language(turn: Turn, choice: str) -> None:
    chosen = None if choice == "auto" else choice
    await turn.store.workers.set_language(turn.worker.id, chosen)
    turn.worker.language = chosen
    turn.texts = Texts(turn.catalog, language_for(turn.worker.teams_locale, chosen), turn.worker.teams_locale)
    turn.replace(language_card(turn.texts, turn.language, changed=True))
    await show_menu(turn)
