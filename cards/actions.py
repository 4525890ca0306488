"""Every action a card can carry, one typed model per verb: the cards build their buttons'
data from these models, the edge parses what comes back into them, and the redelivery /
double-click key comes from them. Anything else is an old or foreign card.

A new verb is one class here (listed in `ACTIONS`) and one handler in dialogs/router.py."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, field_validator,
)

from domain.feedback import MAX_SUBMITTED_TEXT, MAX_TEXT

ModuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
Nonce = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Step = Annotated[int, Field(ge=0, le=99)]
CampaignId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
DeliveryRef = Annotated[str, StringConstraints(min_length=1, max_length=300)]


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


class ContinueQuiz(Action):
    verb: Literal["quiz.continue"] = "quiz.continue"
    attempt: Nonce


class RestartQuiz(_OfModule):
    """Start the module's quiz over: abandons `attempt`, the one in progress."""

    verb: Literal["quiz.restart"] = "quiz.restart"
    attempt: Nonce
    campaign: CampaignId | None = None  # the new attempt answers this campaign


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


class ShowMyEvents(Action):
    """One page of the worker's full usage history (the export of "my data")."""

    verb: Literal["mydata.events"] = "mydata.events"
    page: int = Field(0, ge=0, le=9999)


class DeleteMyData(Action):
    verb: Literal["mydata.delete"] = "mydata.delete"
    confirmed: bool = False


class AskIt(Action):
    """"Ask IT" on the "I didn't understand" card: the worker's question travels in the
    button's data, so a double-click or a redelivery carries the same key."""

    verb: Literal["askit"] = "askit"
    question: str = Field(min_length=1, max_length=MAX_TEXT)


class _OfCampaign(Action):
    campaign: CampaignId


class StartCampaignQuiz(_OfCampaign):
    """Start on a worker's campaign card: the module's quiz, answering the campaign."""

    verb: Literal["campaign.start"] = "campaign.start"
    module: ModuleId
    delivery: DeliveryRef | None = None  # campaign:worker:round (the simulator counts by it)


class RemindTomorrow(_OfCampaign):
    verb: Literal["campaign.remind"] = "campaign.remind"
    delivery: DeliveryRef | None = None


class ListCampaigns(Action):
    verb: Literal["campaigns.list"] = "campaigns.list"


class NewCampaign(Action):
    verb: Literal["campaign.new"] = "campaign.new"


class _CampaignForm(Action):
    """The new-campaign form's fields, as typed (domain/campaign_form.py reads them). Room
    beyond what the form allows, so too long an input is a message on the form, not a stale
    card."""

    module: str = Field("", max_length=100)
    audience: str = Field("", max_length=200)
    questions: str = Field("", max_length=20)
    schedule: str = Field("now", max_length=20)
    date: str = Field("", max_length=20)
    time: str = Field("", max_length=20)
    zone: str = Field("", max_length=100)
    quiet: str = Field("false", max_length=8)
    remind_after: str = Field("", max_length=20)
    remind_max: str = Field("", max_length=20)
    ends: str = Field("", max_length=20)
    name: str = Field("", max_length=400)
    intro: str = Field("", max_length=4000)

    @field_validator("questions", "remind_after", "remind_max", mode="before")
    @classmethod
    def _as_typed(cls, value: Any) -> Any:
        """A client may submit an Input.Number as a JSON number: it is read as typed."""
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


FORM_FIELDS = tuple(name for name in _CampaignForm.model_fields if name not in Action.model_fields)


class PreviewCampaign(_CampaignForm):
    inputs: ClassVar[frozenset[str]] = frozenset(FORM_FIELDS)
    verb: Literal["campaign.preview"] = "campaign.preview"


class EditCampaign(_CampaignForm):
    """Back from the preview to the form, as filled in (the values travel in the button)."""

    verb: Literal["campaign.edit"] = "campaign.edit"


class ConfirmCampaign(_CampaignForm):
    """Create and schedule the previewed campaign. Its id comes from this button's key, so a
    double-click or a redelivery confirms the same campaign once."""

    verb: Literal["campaign.confirm"] = "campaign.confirm"


class CampaignProgress(_OfCampaign):
    verb: Literal["campaign.progress"] = "campaign.progress"
    refresh: bool = False  # from the progress card: update it in place


class CampaignResults(_OfCampaign):
    verb: Literal["campaign.results"] = "campaign.results"


CAMPAIGN_ACTIONS: tuple[type[Action], ...] = (
    StartCampaignQuiz, RemindTomorrow, ListCampaigns, NewCampaign, PreviewCampaign, EditCampaign,
    ConfirmCampaign, CampaignProgress, CampaignResults,
)
TRAINER_ACTIONS: frozenset[type[Action]] = frozenset(CAMPAIGN_ACTIONS) - {StartCampaignQuiz,
                                                                        RemindTomorrow}
ACTIONS: tuple[type[Action], ...] = (
    ShowMenu, ShowHelp, StartModule, ShowStep, ExerciseDone, ExerciseStuck, FinishModule,
    ChooseLanguage, SetLanguage, StartQuiz, ContinueQuiz, RestartQuiz, AnswerQuestion, OpenFeedback, SubmitFeedback,
    ShowMyData, ShowMyEvents, DeleteMyData, AskIt, *CAMPAIGN_ACTIONS,
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
