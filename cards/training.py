"""Cards of the training flow: welcome, menu, module steps, stuck help, completion."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Module
from domain.models import ProgressStatus, QuizAttempt
from domain.progress import minutes_left
from bot.i18n import Texts

from .actions import (
    ChooseLanguage, ExerciseDone, ExerciseStuck, FinishModule, OpenFeedback, ShowHelp, ShowMenu,
    ShowStep, StartModule, StartQuiz,
)
from .common import (
    action_set, bare_urls, card, column, columns, container, heading, image, links_markdown, nonce,
    open_url, paragraphs, progress_bar, short_url, submit, text,
)

MAX_EXERCISE_LINKS = 2


@dataclass(frozen=True)
class ModuleState:
    module: Module
    status: ProgressStatus
    step_index: int = 0
    best_quiz: QuizAttempt | None = None  # the best submitted attempt (domain.quiz.best_results)
    refresher: bool = False  # done, but their Microsoft 365 use doesn't meet its expectation yet

    @property
    def minutes_left(self) -> int:
        return minutes_left(self.module.minutes, len(self.module.steps), self.status, self.step_index)


def _details_line(t: Texts, state: ModuleState) -> str:
    """Time left while in progress, and the best quiz result: "" when neither applies."""
    parts = []
    if state.status == ProgressStatus.IN_PROGRESS:
        parts.append(t("menu.minutes_left", minutes=t.minutes(state.minutes_left)))
    if state.best_quiz is not None:
        parts.append(t("menu.quiz_passed" if state.best_quiz.passed else "menu.quiz_failed",
                       score=t.percent(state.best_quiz.score or 0)))
    return " · ".join(parts)


def _nav(t: Texts, n: str, *, feedback_module: str | None = None, menu: bool = True) -> list[dict]:
    actions = []
    if menu:
        actions.append(submit(t("common.menu"), ShowMenu(n=n)))
    actions.append(submit(t("common.feedback"), OpenFeedback(module=feedback_module, n=n)))
    return actions


def welcome_card(t: Texts, first_name: str | None, chat_url: str | None = None) -> dict:
    """`chat_url`: in a group chat, the main button opens the 1:1 chat (the training's home)."""
    n = nonce()
    start = (open_url(t("group.open_chat"), chat_url) if chat_url
             else submit(t("welcome.start"), ShowMenu(n=n), style="positive"))
    return card(
        [
            heading(t("welcome.title", name=first_name) if first_name else t("welcome.title_no_name")),
            text(t("welcome.intro")),
            text(t("welcome.topics")),
            text(t("welcome.privacy"), subtle=True, size="Small"),
        ],
        [
            start,
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
    return t("menu.status.not_started", minutes=t.minutes(state.module.minutes))


def _button_label(t: Texts, state: ModuleState) -> str:
    if state.refresher:
        return t("menu.refresh")
    return {
        ProgressStatus.NOT_STARTED: t("menu.start"),
        ProgressStatus.IN_PROGRESS: t("menu.continue"),
        ProgressStatus.DONE: t("menu.review"),
    }[state.status]


def menu_card(t: Texts, states: list[ModuleState]) -> dict:
    n = nonce()
    done = sum(1 for s in states if s.status == ProgressStatus.DONE)
    rows = []
    # One primary action: the module in progress, else the first refresher suggested.
    main = next((s.module.id for s in states if s.status == ProgressStatus.IN_PROGRESS),
                next((s.module.id for s in states if s.refresher), None))
    for state in states:
        module_id = state.module.id
        buttons = [
            submit(_button_label(t, state), StartModule(module=module_id, n=n),
                   style="positive" if module_id == main else None),
            submit(t("menu.quiz"), StartQuiz(module=module_id, n=n)),
        ]
        details = _details_line(t, state)
        rows.append(columns(
            column([
                text(f"**{state.module.title}**"),
                text(_status_line(t, state), subtle=True, spacing="None"),
                *([text(details, subtle=True, spacing="None", size="Small")] if details else []),
                *([text(t("menu.refresher"), spacing="None", size="Small")] if state.refresher else []),
            ]),
            column([action_set(buttons)], width="auto"),
            separator=True, spacing="Medium",
        ))
    left = sum(state.minutes_left for state in states)
    return card(
        [heading(t("menu.title")), text(t("menu.intro")),
         progress_bar(done, len(states), t("menu.summary", done=done, total=len(states))),
         text(t("menu.time_left", minutes=t.minutes(left)) if left else t("menu.all_done"),
              subtle=True, spacing="None"), *rows],
        [submit(t("common.feedback"), OpenFeedback(n=n)),
         submit(t("common.language"), ChooseLanguage(n=n)),
         submit(t("common.help"), ShowHelp(n=n))],
    )


def _exercise(t: Texts, module: Module, index: int, done: bool, n: str) -> dict:
    """The step's exercise, with an Open button per link in it: Done / I'm stuck, or ✓ once done."""
    task = module.steps[index].exercise.task
    links = [open_url(t("step.open", site=short_url(url)), url)
             for url in bare_urls(task)[:MAX_EXERCISE_LINKS]]
    buttons = links if done else [
        *links,
        submit(t("step.done"), ExerciseDone(module=module.id, step=index, n=n), style="positive"),
        submit(t("step.stuck"), ExerciseStuck(module=module.id, step=index, n=n))]
    items = [text(f"**{t('step.exercise')}**"), *paragraphs(task)]
    if done:
        items.append(text(t("step.exercise_done"), weight="Bolder"))
    if buttons:
        items.append(action_set(buttons))
    return container(items, style="emphasis", spacing="Medium")


def step_card(t: Texts, module: Module, index: int, image_base: str = "", *,
              exercise_done: bool = False) -> dict:
    """`image_base`: where clients reach the bot's own images (content/images/)."""
    n = nonce()
    step = module.steps[index]
    total = len(module.steps)
    body = [
        text(t("step.position", module=module.title, step=index + 1, total=total), subtle=True),
        progress_bar(index + 1, total, ""),
        heading(step.title),
        *paragraphs(step.text),
    ]
    if step.image:
        body.append(image(step.image.address(image_base), step.image.alt))
    if step.links:
        body.append(text(f"**{t('step.links')}**\n\n"
                         + links_markdown([(link.title, link.url) for link in step.links])))
    if step.exercise:
        body.append(_exercise(t, module, index, exercise_done, n))
    actions = []
    if index > 0:
        actions.append(submit(t("common.back"), ShowStep(module=module.id, step=index - 1, n=n)))
    onward = None if step.exercise and not exercise_done else "positive"  # else Done is the main one
    if index + 1 < total:
        actions.append(submit(t("common.next"), ShowStep(module=module.id, step=index + 1, n=n),
                              style=onward))
    else:
        actions.append(submit(t("common.finish"), FinishModule(module=module.id, n=n), style=onward))
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


def next_module_button(t: Texts, following: Module, n: str) -> dict:
    """"Next: <module>", the main action of a card that closes a module."""
    return submit(t("complete.next", module=following.title), StartModule(module=following.id, n=n),
                  style="positive")


def completion_card(t: Texts, module: Module, following: Module | None = None,
                    exercises: tuple[int, int] = (0, 0)) -> dict:
    """`following`: the module to suggest next (None when all others are done); `exercises`:
    how many of the module's exercises were (done, skipped)."""
    n = nonce()
    total = sum(1 for step in module.steps if step.exercise)
    summary = ([text(t("complete.exercises", done=exercises[0], skipped=exercises[1], total=total))]
               if total else [])
    quiz = submit(t("complete.quiz"), StartQuiz(module=module.id, n=n),
                  style=None if following else "positive")
    return card(
        [heading(t("complete.title", module=module.title)), *summary, text(t("complete.body"))],
        [*([next_module_button(t, following, n)] if following else []), quiz,
         *_nav(t, n, feedback_module=module.id)],
    )
