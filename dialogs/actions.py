"""The payloads our cards carry back, validated. Anything else is an old or foreign card."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

ModuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Nonce = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Step = Annotated[int, Field(ge=0, le=99)]


class Action(BaseModel):
    # Teams adds its own keys to submitted data (e.g. msteams); inputs arrive beside ours.
    model_config = ConfigDict(extra="ignore", frozen=True)
    n: Nonce = "-"  # the card's nonce: a double-click on one card repeats it


class ShowMenu(Action):
    verb: Literal["menu"]


class ShowHelp(Action):
    verb: Literal["help"]


class StartModule(Action):
    verb: Literal["module.start"]
    module: ModuleId


class ShowStep(Action):
    verb: Literal["module.step"]
    module: ModuleId
    step: Step


class ExerciseDone(Action):
    verb: Literal["exercise.done"]
    module: ModuleId
    step: Step


class ExerciseStuck(Action):
    verb: Literal["exercise.stuck"]
    module: ModuleId
    step: Step


class FinishModule(Action):
    verb: Literal["module.finish"]
    module: ModuleId


class ChooseLanguage(Action):
    verb: Literal["language.choose"]


class SetLanguage(Action):
    verb: Literal["language.set"]
    language: Literal["en", "sv", "nl", "auto"]


class StartQuiz(Action):
    verb: Literal["quiz.start"]
    module: ModuleId


class AnswerQuestion(Action):
    verb: Literal["quiz.answer"]
    attempt: Nonce
    question: ModuleId
    # Filled by the card's Input.ChoiceSet (id "choice"): "a" or "a,c" for multiple choice.
    # Room for 4 option ids of the content schema's 48 characters, comma separated.
    choice: str = Field("", max_length=200)


class OpenFeedback(Action):
    verb: Literal["feedback.open"]
    module: ModuleId | None = None


class SubmitFeedback(Action):
    verb: Literal["feedback.submit"]
    module: ModuleId | None = None
    # Inputs of the feedback card; validated by the feedback dialog for a friendly message.
    rating: str = Field("", max_length=8)
    category: str = Field("", max_length=32)
    text: str = Field("", max_length=100_000)  # the dialog enforces the 2,000 the card states
    anonymous: str = Field("false", max_length=8)


class ShowMyData(Action):
    verb: Literal["mydata.show"]


class DeleteMyData(Action):
    verb: Literal["mydata.delete"]
    confirmed: bool = False


CardAction = Annotated[
    Union[
        ShowMenu, ShowHelp, StartModule, ShowStep, ExerciseDone, ExerciseStuck, FinishModule,
        ChooseLanguage, SetLanguage, StartQuiz, AnswerQuestion, OpenFeedback, SubmitFeedback,
        ShowMyData, DeleteMyData,
    ],
    Field(discriminator="verb"),
]
_parser: TypeAdapter[CardAction] = TypeAdapter(CardAction)


def parse_action(data: Any) -> Action | None:
    """The action a card sent, or None when it is not one of ours (or is malformed)."""
    if not isinstance(data, dict):
        return None
    try:
        return _parser.validate_python(data)
    except ValidationError:
        return None
