"""Where a turn goes: install, typed text or a card action. One table per kind of input."""

from __future__ import annotations

from typing import Awaitable, Callable

from bot.content import Catalog
from domain.matching import Matcher
from cards import actions as a
from cards.general import notice_card

from .commands import PERSONAL_ONLY, Command, CommandParser, answer_free_text, clean_text, find_module, record_command
from .feedback import open_feedback, submit_feedback
from .menu import choose_language, set_language, show_help, show_menu, welcome
from .mydata import delete_my_data, show_my_data
from .quiz import answer_question, quiz_command, start_quiz
from .training import exercise_done, exercise_stuck, finish_module, show_step, start_module
from .turn import Turn

ActionHandler = Callable[[Turn, a.Action], Awaitable[None]]
CommandHandler = Callable[[Turn, Command], Awaitable[None]]


class Router:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.parser = CommandParser(catalog)
        self.matchers = {lang: Matcher(catalog.modules(lang)) for lang in catalog.locales}
        self.actions: dict[type[a.Action], ActionHandler] = {
            a.ShowMenu: lambda turn, act: show_menu(turn),
            a.ShowHelp: lambda turn, act: show_help(turn),
            a.StartModule: lambda turn, act: start_module(turn, act.module),
            a.ShowStep: lambda turn, act: show_step(turn, act.module, act.step),
            a.ExerciseDone: lambda turn, act: exercise_done(turn, act.module, act.step),
            a.ExerciseStuck: lambda turn, act: exercise_stuck(turn, act.module, act.step),
            a.FinishModule: lambda turn, act: finish_module(turn, act.module),
            a.ChooseLanguage: lambda turn, act: choose_language(turn),
            a.SetLanguage: lambda turn, act: set_language(turn, act.language),
            a.StartQuiz: lambda turn, act: start_quiz(turn, act.module),
            a.AnswerQuestion: lambda turn, act: answer_question(turn, act),
            a.OpenFeedback: lambda turn, act: open_feedback(turn, act.module),
            a.SubmitFeedback: lambda turn, act: submit_feedback(turn, act),
            a.ShowMyData: lambda turn, act: show_my_data(turn, in_place=True),
            a.DeleteMyData: lambda turn, act: delete_my_data(turn, act.confirmed, in_place=True),
        }
        self.commands: dict[str, CommandHandler] = {
            "menu": lambda turn, cmd: show_menu(turn),
            "help": lambda turn, cmd: show_help(turn),
            "language": lambda turn, cmd: choose_language(turn),
            "restart": self._restart,
            "quiz": lambda turn, cmd: quiz_command(turn, cmd.argument),
            "feedback": lambda turn, cmd: open_feedback(turn),
            "my_data": lambda turn, cmd: show_my_data(turn),
            "delete_my_data": lambda turn, cmd: delete_my_data(turn, confirmed=False),
        }
        # Actions that work outside the 1:1 chat; everything else is personal.
        self.group_actions: set[type[a.Action]] = {a.ShowHelp}

    def matcher(self, turn: Turn) -> Matcher:
        return self.matchers.get(turn.language) or next(iter(self.matchers.values()))

    async def on_install(self, turn: Turn) -> None:
        await welcome(turn)

    async def on_text(self, turn: Turn, raw_text: str) -> None:
        text = clean_text(raw_text)
        command = self.parser.parse(text)
        if command is None:
            await answer_free_text(turn, self.matcher(turn), text)
            return
        if not turn.personal and command.name in PERSONAL_ONLY:
            turn.send(turn.t("group.personal_only"))
            return
        handler = self.commands.get(command.name)
        if command.argument and find_module(turn, command.argument) is None:
            handler = None  # "test my camera" is a question, not the quiz command
        if handler is None:
            await answer_free_text(turn, self.matcher(turn), text)
            return
        await record_command(turn, command)
        await handler(turn, command)

    async def on_action(self, turn: Turn, data: object) -> None:
        """`data`: what the card's button carried, with the card's inputs."""
        action = a.parse_action(data)
        if action is not None:  # a repeat of this click is recognised by the card's own key
            turn.dedupe_key = action.dedupe_key() or turn.dedupe_key
        handler = self.actions.get(type(action)) if action else None
        if action is None or handler is None:
            turn.send(notice_card(turn.t("stale.card"), turn.texts))
            if turn.personal:
                await show_menu(turn)
            return
        if not turn.personal and type(action) not in self.group_actions:
            turn.send(turn.t("group.personal_only"))
            return
        await handler(turn, action)

    async def _restart(self, turn: Turn, command: Command) -> None:
        module_id = find_module(turn, command.argument)
        if module_id is None:  # no argument: arguments that name no module never get here
            turn.send(turn.t("restart.which"))
            await show_menu(turn)
            return
        module = turn.module(module_id)
        turn.send(turn.t("restart.done", module=module.title if module else module_id))
        await start_module(turn, module_id, from_beginning=True)
