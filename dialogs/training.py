"""Walking through a module: start or resume, step by step, exercises, completion."""

from __future__ import annotations

from typing import Callable

from bot.content import Module
from domain.models import EventKind, ModuleProgress
from domain.progress import complete
from bot.store.port import ConcurrencyConflict
from cards.general import notice_card
from cards.training import completion_card, step_card, stuck_card

from .menu import show_menu
from .turn import Turn

WRITE_ATTEMPTS = 3


async def update_progress(
    turn: Turn, module: Module, change: Callable[[ModuleProgress], bool]
) -> tuple[ModuleProgress, bool]:
    """Read, change and write the worker's progress with optimistic concurrency.

    `change` mutates the record and returns whether anything changed. Returns the stored record
    and whether this call created it. A concurrent write (double-click, second instance) is
    re-read and the change re-applied.
    """
    for _ in range(WRITE_ATTEMPTS):
        current = await turn.store.progress.get_progress(turn.worker.id, module.id)
        created = current is None
        record = current.model_copy(deep=True) if current else ModuleProgress(
            worker_id=turn.worker.id, module_id=module.id, locale=turn.language, started_at=turn.now)
        if not change(record) and not created:
            return record, False
        record.updated_at = turn.now
        try:
            stored = await turn.store.progress.save_progress(record, None if created else record.version)
            return stored, created
        except ConcurrencyConflict:
            continue
    raise ConcurrencyConflict("progress kept changing")


async def _record_started(turn: Turn, progress: ModuleProgress) -> None:
    await turn.record(EventKind.MODULE_STARTED, progress.module_id, event_id=turn.stable_id(
        EventKind.MODULE_STARTED, progress.module_id, progress.started_at.isoformat()))


async def _known_module(turn: Turn, module_id: str) -> Module | None:
    module = turn.module(module_id)
    if module is None:
        turn.send(turn.t("unknown_module", name=module_id))
        await show_menu(turn)
    return module


async def start_module(turn: Turn, module_id: str, *, from_beginning: bool = False) -> None:
    module = await _known_module(turn, module_id)
    if module is None:
        return

    def resume(progress: ModuleProgress) -> bool:
        if from_beginning and progress.step_index != 0:
            progress.step_index = 0
            return True
        return False

    progress, created = await update_progress(turn, module, resume)
    if created:
        await _record_started(turn, progress)
    await _show(turn, module, min(progress.step_index, len(module.steps) - 1))


async def show_step(turn: Turn, module_id: str, index: int) -> None:
    module = await _known_module(turn, module_id)
    if module is None:
        return
    if not 0 <= index < len(module.steps):
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        await start_module(turn, module.id)
        return

    def move(progress: ModuleProgress) -> bool:
        changed = progress.step_index != index
        progress.step_index = index
        return changed

    progress, created = await update_progress(turn, module, move)
    if created:
        await _record_started(turn, progress)
    await _show(turn, module, index)


async def _show(turn: Turn, module: Module, index: int) -> None:
    await turn.record(EventKind.STEP_VIEWED, module.id, index)
    turn.send(step_card(turn.texts, module, index))


async def _exercise_module(turn: Turn, module_id: str, index: int) -> Module | None:
    """The module, when its step `index` has an exercise; else answer the stale card."""
    module = await _known_module(turn, module_id)
    if module is None:
        return None
    if module.step(index) is None or module.steps[index].exercise is None:
        turn.send(notice_card(turn.t("stale.card"), turn.texts))
        await start_module(turn, module.id)
        return None
    return module


async def exercise_done(turn: Turn, module_id: str, index: int) -> None:
    module = await _exercise_module(turn, module_id, index)
    if module is None:
        return
    await turn.record(EventKind.EXERCISE_DONE, module.id, index)
    if index + 1 < len(module.steps):
        await show_step(turn, module.id, index + 1)
    else:
        await finish_module(turn, module.id)


async def exercise_stuck(turn: Turn, module_id: str, index: int) -> None:
    module = await _exercise_module(turn, module_id, index)
    if module is None:
        return
    await turn.record(EventKind.EXERCISE_STUCK, module.id, index)
    turn.send(stuck_card(turn.texts, module, index))


async def finish_module(turn: Turn, module_id: str) -> None:
    module = await _known_module(turn, module_id)
    if module is None:
        return
    first_time = False

    def finish(progress: ModuleProgress) -> bool:
        nonlocal first_time
        changed, first_time = complete(progress, turn.now)
        return changed

    progress, _ = await update_progress(turn, module, finish)
    if first_time:
        await turn.record(EventKind.MODULE_COMPLETED, module.id, event_id=turn.stable_id(
            EventKind.MODULE_COMPLETED, module.id, progress.started_at.isoformat()))
    turn.send(completion_card(turn.texts, module))
