"""Where a turn goes: install, typed text or a card action. One table per kind of input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from bot.content import Catalog
from domain.digest import DigestPeriod
from domain.matching import Match, Matcher, best_of_languages
from cards import actions as a
from cards.general import notice_card, personal_only_card

from .askit import ask_it
from .digest import show_report
from .commands import PERSONAL_ONLY, Command, CommandParser, answer_free_text, clean_text, find_module, record_command
from .feedback import open_feedback, submit_feedback
from .menu import choose_language, set_language, show_help, show_menu, welcome
from .mydata import delete_my_data, show_my_data, show_my_events
from .quiz import answer_question, continue_quiz, quiz_command, restart_quiz, start_quiz
from .smalltalk import SmallTalk, answer_small_talk
from .training import exercise_done, exercise_stuck, finish_module, show_step, start_module
from .turn import Turn

@dataclass(frozen=True)
class AdminReport:
    """Who gets the digest card for `report` (everyone else gets the normal reply), and the
    Teams app id its dashboard button opens."""

    admin_ids: frozenset[str] = frozenset()
    app_id: str = ""


ActionHandler = Callable[[Turn, a.Action], Awaitable[None]]
CommandHandler = Callable[[Turn, Command], Awaitable[None]]


class Router:
    def __init__(self, catalog: Catalog, admin_report: AdminReport = AdminReport()):
        self.catalog = catalog
        self.admin_report = admin_report
        self.parser = CommandParser(catalog)
        self.small_talk = SmallTalk(catalog)
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
            a.ContinueQuiz: lambda turn, act: continue_quiz(turn, act.attempt),
            a.RestartQuiz: lambda turn, act: restart_quiz(turn, act.module, act.attempt),
            a.AnswerQuestion: lambda turn, act: answer_question(turn, act),
            a.OpenFeedback: lambda turn, act: open_feedback(turn, act.module),
            a.SubmitFeedback: lambda turn, act: submit_feedback(turn, act),
            a.ShowMyData: lambda turn, act: show_my_data(turn, in_place=True),
            a.ShowMyEvents: lambda turn, act: show_my_events(turn, act.page),
            a.DeleteMyData: lambda turn, act: delete_my_data(turn, act.confirmed, in_place=True),
            a.AskIt: lambda turn, act: ask_it(turn, act),
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
            "report": self._report,
        }
        # Actions that work outside the 1:1 chat; everything else is personal.
        self.group_actions: set[type[a.Action]] = {a.ShowHelp}

    def match(self, turn: Turn, text: str) -> Match | None:
        """What the text is about, understood in any language (a Swede may ask in English)."""
        found = best_of_languages({lang: m.best(text) for lang, m in self.matchers.items()}, turn.language)
        return found[1] if found else None

    async def on_install(self, turn: Turn) -> None:
        await welcome(turn)

    async def on_text(self, turn: Turn, raw_text: str) -> None:
        text = clean_text(raw_text)
        command = self.parser.parse(text)
        small_talk = self.small_talk.kind(text) if command is None else None
        if small_talk is not None:
            await answer_small_talk(turn, small_talk)
            return
        if command is None:
            await answer_free_text(turn, self.match(turn, text), text)
            return
        if not turn.personal and command.name in PERSONAL_ONLY:
            self._personal_only(turn)
            return
        handler = self.commands.get(command.name)
        if command.argument and find_module(turn, command.argument) is None:
            handler = None  # "test my camera" is a question, not the quiz command
        if handler is None:
            await answer_free_text(turn, self.match(turn, text), text)
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
            turn.send(notice_card(turn.t("stale.card"), turn.texts, turn.chat_url))
            if turn.personal:
                await show_menu(turn)
            return
        if not turn.personal and type(action) not in self.group_actions:
            self._personal_only(turn)
            return
        await handler(turn, action)

    async def _report(self, turn: Turn, command: Command) -> None:
        if turn.worker.id not in self.admin_report.admin_ids:
            await answer_free_text(turn, self.match(turn, command.name), command.name)
            return
        await show_report(turn, DigestPeriod.ending(turn.now), self.admin_report.app_id)

    @staticmethod
    def _personal_only(turn: Turn) -> None:
        turn.send(personal_only_card(turn.texts, turn.chat_url) if turn.chat_url else turn.t("group.personal_only"))

    async def _restart(self, turn: Turn, command: Command) -> None:
        module_id = find_module(turn, command.argument)
        if module_id is None:  # no argument: arguments that name no module never get here
            turn.send(turn.t("restart.which"))
            await show_menu(turn)
            return
        module = turn.module(module_id)
        turn.send(turn.t("restart.done", module=module.title if module else module_id))
        await start_module(turn, module_id, from_beginning=True)
