"""Records the bot keeps. Plain pydantic models: no SDK, no storage details."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .feedback import MAX_RATING, MAX_TEXT, MIN_RATING, FeedbackCategory  # also imported from here



def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Worker(Record):
    """A person who installed the bot or wrote to it."""

    id: str  # Entra object id when Teams sends one, else the channel user id
    tenant_id: str = ""
    name: str = ""
    teams_locale: str = "en-US"
    language: str | None = None  # chosen with `language`; None = follow Teams
    conversation: dict[str, Any] = Field(default_factory=dict)  # reference for proactive messages
    installed: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    uninstalled_at: datetime | None = None  # the last uninstall; kept after a re-install
    upn: str | None = None  # user principal name, for campaign audiences given as UPNs
    time_zone: str | None = None  # IANA zone (Teams clientInfo), for local-time schedules
    # Since when Teams refuses the bot's messages (403 MessageWritesBlocked); cleared when
    # the worker writes to the bot again. Campaigns leave blocked workers out.
    blocked_at: datetime | None = None


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ExerciseMark(StrEnum):
    DONE = "done"  # "Done" or "It works now"
    SKIPPED = "skipped"  # moved past it (Next, Skip, Finish) without marking it done


class ModuleProgress(Record):
    worker_id: str
    module_id: str
    status: ProgressStatus = ProgressStatus.IN_PROGRESS
    step_index: int = 0  # the step the worker is on (resume point)
    locale: str = "en"
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    minutes_to_complete: int | None = None  # whole minutes, set once at first completion
    exercises: dict[int, ExerciseMark] = Field(default_factory=dict)  # by step index
    version: int = 0  # optimistic concurrency: bumped by every write


class EventKind(StrEnum):
    INSTALLED = "installed"
    MODULE_STARTED = "module_started"
    STEP_VIEWED = "step_viewed"
    EXERCISE_DONE = "exercise_done"
    EXERCISE_STUCK = "exercise_stuck"
    MODULE_COMPLETED = "module_completed"
    COMMAND_USED = "command_used"
    QUIZ_STARTED = "quiz_started"
    QUIZ_SUBMITTED = "quiz_submitted"
    FEEDBACK_GIVEN = "feedback_given"


class UsageEvent(Record):
    id: str  # idempotency key: the same id is stored once
    kind: EventKind
    worker_id: str | None = None  # None for anonymous feedback
    module_id: str | None = None
    step_index: int | None = None
    locale: str = "en"
    at: datetime = Field(default_factory=utcnow)
    detail: str | None = None  # e.g. the command name


class QuizAnswer(Record):
    question_id: str
    chosen: list[str]  # option ids
    correct: bool
    answered_at: datetime = Field(default_factory=utcnow)


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ABANDONED = "abandoned"  # the worker started the quiz over: no result, counts nowhere


class QuizAttempt(Record):
    id: str
    worker_id: str
    module_id: str
    locale: str
    seed: int
    question_ids: list[str]  # in the order shown to the worker
    answers: dict[str, QuizAnswer] = Field(default_factory=dict)
    status: AttemptStatus = AttemptStatus.IN_PROGRESS
    score: float | None = None  # 0..100, set at submission
    passed: bool | None = None
    started_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    campaign_id: str | None = None
    version: int = 0


class FeedbackStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    DONE = "done"


class Feedback(Record):
    id: str  # idempotency key (from the card that carried it)
    worker_id: str | None  # None when sent anonymously: stored nowhere then
    module_id: str | None = None
    rating: int | None = Field(default=None, ge=MIN_RATING, le=MAX_RATING)  # None: a question
    category: FeedbackCategory
    text: str = Field(default="", max_length=MAX_TEXT)
    locale: str = "en"
    status: FeedbackStatus = FeedbackStatus.NEW
    created_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _rated_unless_a_question(self) -> Feedback:
        if self.rating is None and self.category is not FeedbackCategory.QUESTION:
            raise ValueError("feedback other than a question needs a rating")
        return self
