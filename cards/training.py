"""Cards of the training flow: welcome, menu, module steps, stuck help, completion."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Module
from domain.models import ProgressStatus
from bot.i18n import Texts

from .actions import (
    ChooseLanguage, ExerciseDone, ExerciseStuck, FinishModule, OpenFeedback, ShowHelp, ShowMenu,
    ShowStep, StartModule, StartQuiz,
)
from .common import (
    action_set, card, column, columns, container, heading, image, links_markdown, nonce,
    progress_bar, submit, text,
)


@dataclass(frozen=True)
class ModuleState:
    module: Module
    status: ProgressStatus
    step_index: int = 0


def _nav(t: Texts, n: str, *, feedback_module: str | None = None, menu: bool = True) -> list[dict]:
    actions = []
    if menu:
        actions.append(submit(t("common.menu"), ShowMenu(n=n)))
    actions.append(submit(t("common.feedback"), OpenFeedback(module=feedback_module, n=n)))
    return actions


def welcome_card(t: Texts, first_name: str | None) -> dict:
    n = nonce()
    return card(
        [
            heading(t("welcome.title", name=first_name) if first_name else t("welcome.title_no_name")),
            text(t("welcome.intro")),
            text(t("welcome.topics")),
            text(t("welcome.privacy"), subtle=True, size="Small"),
        ],
        [
            submit(t("welcome.start"), ShowMenu(n=n), style="positive"),
            submit(t("common.language"), ChooseLanguage(n=n)),
            submit(t("common.help"), ShowHelp(n=n)),
        ],
    )


def _status_line(t: Texts, state: ModuleState) -> str:
    total = len(state.module.steps)
    if state.status == ProgressStatus.DONE:
        return t("menu.status.done")
    if state.status == ProgressStatus.IN_PROGRESS:
        return t("menu.status.in_progress", step=state.step_index + 1, total=total)
    return t("menu.status.not_started", minutes=state.module.minutes)


def _button_label(t: Texts, status: ProgressStatus) -> str:
    return {
        ProgressStatus.NOT_STARTED: t("menu.start"),
        ProgressStatus.IN_PROGRESS: t("menu.continue"),
        ProgressStatus.DONE: t("menu.review"),
    }[status]


def menu_card(t: Texts, states: list[ModuleState]) -> dict:
    n = nonce()
    done = sum(1 for s in states if s.status == ProgressStatus.DONE)
    rows = []
    for state in states:
        module_id = state.module.id
        buttons = [
            submit(_button_label(t, state.status), StartModule(module=module_id, n=n),
                   style="positive" if state.status == ProgressStatus.IN_PROGRESS else None),
            submit(t("menu.quiz"), StartQuiz(module=module_id, n=n)),
        ]
        rows.append(columns(
            column([
                text(f"**{state.module.title}**"),
                text(_status_line(t, state), subtle=True, spacing="None",
                     color="Good" if state.status == ProgressStatus.DONE else None),
            ]),
            column([action_set(buttons)], width="auto"),
            separator=True, spacing="Medium",
        ))
    return card(
        [heading(t("menu.title")), text(t("menu.intro")),
         progress_bar(done, len(states), t("menu.summary", done=done, total=len(states))), *rows],
        [submit(t("common.feedback"), OpenFeedback(n=n)),
         submit(t("common.language"), ChooseLanguage(n=n)),
         submit(t("common.help"), ShowHelp(n=n))],
    )


def step_card(t: Texts, module: Module, index: int) -> dict:
    n = nonce()
    step = module.steps[index]
    total = len(module.steps)
    body = [
        text(t("step.position", module=module.title, step=index + 1, total=total), subtle=True),
        progress_bar(index + 1, total, ""),
        heading(step.title),
        text(step.text),
    ]
    if step.image:
        body.append(image(step.image.url, step.image.alt))
    if step.links:
        body.append(text(f"**{t('step.links')}**\n\n"
                         + links_markdown([(link.title, link.url) for link in step.links])))
    if step.exercise:
        body.append(container(
            [text(f"**{t('step.exercise')}**"), text(step.exercise.task),
             action_set([submit(t("step.done"), ExerciseDone(module=module.id, step=index, n=n),
                                style="positive"),
                         submit(t("step.stuck"), ExerciseStuck(module=module.id, step=index, n=n))])],
            style="emphasis", spacing="Medium",
        ))
    actions = []
    if index > 0:
        actions.append(submit(t("common.back"), ShowStep(module=module.id, step=index - 1, n=n)))
    if index + 1 < total:
        actions.append(submit(t("common.next"), ShowStep(module=module.id, step=index + 1, n=n),
                              style="positive"))
    else:
        actions.append(submit(t("common.finish"), FinishModule(module=module.id, n=n),
                              style="positive"))
    actions.append(submit(t("common.menu"), ShowMenu(n=n)))
    return card(body, actions)


def stuck_card(t: Texts, module: Module, index: int) -> dict:
    n = nonce()
    exercise = module.steps[index].exercise
    assert exercise is not None
    body = [heading(t("stuck.title")), text(exercise.help)]
    if exercise.link:
        body.append(text(links_markdown([(exercise.link.title, exercise.link.url)])))
    body.append(text(t("stuck.contact"), subtle=True))
    following = (
        ShowStep(module=module.id, step=index + 1, n=n)
        if index + 1 < len(module.steps) else FinishModule(module=module.id, n=n)
    )
    return card(body, [
        submit(t("stuck.done_now"), ExerciseDone(module=module.id, step=index, n=n),
               style="positive"),
        submit(t("stuck.skip"), following),
        submit(t("common.feedback"), OpenFeedback(module=module.id, n=n)),
    ])


def completion_card(t: Texts, module: Module) -> dict:
    n = nonce()
    return card(
        [heading(t("complete.title", module=module.title)), text(t("complete.body"))],
        [submit(t("complete.quiz"), StartQuiz(module=module.id, n=n), style="positive"),
         *_nav(t, n, feedback_module=module.id)],
    )
