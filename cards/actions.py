"""Every action a card can carry, one typed model per verb: the cards build their buttons'
data from these models, the edge parses what comes back into them, and the redelivery /
double-click key comes from them. Anything else is an old or foreign card.

A new verb is one class here (listed in `ACTIONS`) and one handler in dialogs/router.py."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from domain.feedback import MAX_SUBMITTED_TEXT

ModuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Nonce = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Step = Annotated[int, Field(ge=0, le=99)]


class Action(BaseModel):
    # Teams adds its own keys to submitted data (e.g. msteams); inputs arrive beside ours.
    model_config = ConfigDict(extra="ignore", frozen=True)
    inputs: ClassVar[frozenset[str]] = frozenset()  # fields the card's inputs fill, not the button
    n: Nonce | None = None  # the card's nonce: a double-click on one card repeats it
    verb: str  # each model below fixes it to its own literal

    _button_fields: ClassVar[tuple[str, ...]] = ()  # every field but the inputs, in order

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._button_fields = tuple(name for name in cls.model_fields if name not in cls.inputs)

    def data(self) -> dict[str, Any]:
        """What the button carries (the card's inputs are added by the client)."""
        values = self.__dict__
        return {key: values[key] for key in self._button_fields if values[key] is not None}

    def dedupe_key(self) -> str | None:
        """Same for a redelivery or a double-click of this button; None without a card nonce
        (nothing then tells a repeat from a new click)."""
        if self.n is None:
            return None
        values = self.__dict__
        return "card:" + "|".join("" if values[key] is None else str(values[key])
                                  for key in self._button_fields)


class ShowMenu(Action):
    verb: Literal["menu"] = "menu"


class ShowHelp(Action):
    verb: Literal["help"] = "help"


class _OfModule(Action):
    module: ModuleId


class _AtStep(_OfModule):
    step: Step


class StartModule(_OfModule):
    verb: Literal["module.start"] = "module.start"


class ShowStep(_AtStep):
    verb: Literal["module.step"] = "module.step"


class ExerciseDone(_AtStep):
    verb: Literal["exercise.done"] = "exercise.done"


class ExerciseStuck(_AtStep):
    verb: Literal["exercise.stuck"] = "exercise.stuck"


class FinishModule(_OfModule):
    verb: Literal["module.finish"] = "module.finish"


class ChooseLanguage(Action):
    verb: Literal["language.choose"] = "language.choose"


class SetLanguage(Action):
    verb: Literal["language.set"] = "language.set"
    language: Literal["en", "sv", "nl", "auto"]


class StartQuiz(_OfModule):
    verb: Literal["quiz.start"] = "quiz.start"


class AnswerQuestion(Action):
    inputs: ClassVar[frozenset[str]] = frozenset({"choice"})
    verb: Literal["quiz.answer"] = "quiz.answer"
    attempt: Nonce
    question: ModuleId
    # Filled by the card's Input.ChoiceSet (id "choice"): "a" or "a,c" for multiple choice.
    # Room for 4 option ids of the content schema's 48 characters, comma separated.
    choice: str = Field("", max_length=200)


class OpenFeedback(Action):
    verb: Literal["feedback.open"] = "feedback.open"
    module: ModuleId | None = None


class SubmitFeedback(Action):
    inputs: ClassVar[frozenset[str]] = frozenset({"rating", "category", "text", "anonymous"})
    verb: Literal["feedback.submit"] = "feedback.submit"
    module: ModuleId | None = None
    # Inputs of the feedback card; the dialog checks them (domain/feedback.py) and answers a
    # refused form with the form as typed.
    rating: str = Field("", max_length=8)
    category: str = Field("", max_length=32)
    text: str = Field("", max_length=MAX_SUBMITTED_TEXT)
    anonymous: str = Field("false", max_length=8)


class ShowMyData(Action):
    verb: Literal["mydata.show"] = "mydata.show"


class DeleteMyData(Action):
    verb: Literal["mydata.delete"] = "mydata.delete"
    confirmed: bool = False


ACTIONS: tuple[type[Action], ...] = (
    ShowMenu, ShowHelp, StartModule, ShowStep, ExerciseDone, ExerciseStuck, FinishModule,
    ChooseLanguage, SetLanguage, StartQuiz, AnswerQuestion, OpenFeedback, SubmitFeedback,
    ShowMyData, DeleteMyData,
)
CardAction = Annotated[Union[ACTIONS], Field(discriminator="verb")]
_parser: TypeAdapter[CardAction] = TypeAdapter(CardAction)


def parse_action(data: Any) -> Action | None:
    """The action a card sent, or None when it is not one of ours (or is malformed)."""
    if not isinstance(data, dict):
        return None
    try:
        return _parser.validate_python(data)
    except ValidationError:
        return None
