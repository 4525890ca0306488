"""Exercise state (issue 13, item 4): Done is acknowledged and shown as ✓ when going back,
moving past an exercise skips it, the completion card counts both, and so does the usage
report."""

from __future__ import annotations

from bot.content import Catalog, Module
from domain.models import ExerciseMark
from domain.reports import ReportFilter
from card_reading import action, cards, has_action, texts_of
from chat import Chat, ui


def exercise_module(catalog: Catalog) -> tuple[Module, list[int]]:
    """A module with at least two exercises, and their step indexes."""
    for module in catalog.modules("en"):
        steps = [i for i, step in enumerate(module.steps) if step.exercise]
        if len(steps) >= 2:
            return module, steps
    raise AssertionError("no module with two exercises")


async def test_done_is_acknowledged_and_going_back_shows_the_tick(chat: Chat, catalog: Catalog) -> None:
    module, steps = exercise_module(catalog)
    card = cards(await chat.click({"verb": "module.step", "module": module.id, "step": steps[0], "n": "a"}))[0]

    turn = await chat.click(action(card, "exercise.done"))

    assert turn.replies[0] == ui("step.exercise_ack")
    back = cards(await chat.click({"verb": "module.step", "module": module.id, "step": steps[0], "n": "b"}))[0]
    assert ui("step.exercise_done") in texts_of(back)
    assert not has_action(back, "exercise.done") and not has_action(back, "exercise.stuck")
    other = cards(await chat.click({"verb": "module.step", "module": module.id, "step": steps[1], "n": "c"}))[0]
    assert has_action(other, "exercise.done") and ui("step.exercise_done") not in texts_of(other)


async def test_the_completion_card_and_the_report_count_done_and_skipped(chat: Chat, catalog: Catalog) -> None:
    module, steps = exercise_module(catalog)
    await chat.click({"verb": "module.start", "module": module.id, "n": "s"})
    done_card = cards(await chat.click({"verb": "module.step", "module": module.id, "step": steps[0], "n": "d"}))[0]
    await chat.click(action(done_card, "exercise.done"))
    skip_from = cards(await chat.click({"verb": "module.step", "module": module.id, "step": steps[1], "n": "e"}))[0]
    stuck = cards(await chat.click(action(skip_from, "exercise.stuck")))[0]
    await chat.click(action(stuck, "module.step" if steps[1] + 1 < len(module.steps) else "module.finish"))

    [completion] = cards(await chat.click({"verb": "module.finish", "module": module.id, "n": "f"}))

    total = len(steps)
    assert ui("complete.exercises", done=1, skipped=total - 1, total=total) in texts_of(completion)
    progress = await chat.store.progress.get_progress(chat.worker.id, module.id)
    assert progress.exercises == {steps[0]: ExerciseMark.DONE,
                                  **{i: ExerciseMark.SKIPPED for i in steps[1:]}}
    [usage] = (await chat.store.reports.usage_report(ReportFilter())).modules
    assert (usage.exercises_done, usage.exercises_skipped) == (1, total - 1)

    # Back to a skipped exercise, done after all: it counts as done from then on.
    again = cards(await chat.click({"verb": "module.step", "module": module.id, "step": steps[1], "n": "g"}))[0]
    await chat.click(action(again, "exercise.done"))
    [usage] = (await chat.store.reports.usage_report(ReportFilter())).modules
    assert (usage.exercises_done, usage.exercises_skipped) == (2, total - 2)
