"""Feedback rules: what a worker may send and why a form is refused. The card, the action
model and the dialog all read these limits from here."""

from __future__ import annotations

from enum import StrEnum

MIN_RATING = 1
MAX_RATING = 5
RATINGS = tuple(str(value) for value in range(MIN_RATING, MAX_RATING + 1))
MAX_TEXT = 2000  # characters the worker may type
# What a card payload may carry at all: longer text is refused as not ours; up to this, the
# worker is told what is over MAX_TEXT and gets the form back as typed.
MAX_SUBMITTED_TEXT = 50 * MAX_TEXT


class FeedbackCategory(StrEnum):
    CONTENT = "content"
    POLICY = "policy"
    DEVICE = "device"
    APP = "app"
    OTHER = "other"


class FeedbackProblem(StrEnum):
    MISSING_RATING = "missing_rating"
    MISSING_CATEGORY = "missing_category"
    TOO_LONG = "too_long"


def feedback_problems(rating: str, category: str, text: str) -> list[FeedbackProblem]:
    """Why a form (raw card values) cannot be stored; empty when it can."""
    problems = []
    if rating not in RATINGS:
        problems.append(FeedbackProblem.MISSING_RATING)
    if category not in set(FeedbackCategory):
        problems.append(FeedbackProblem.MISSING_CATEGORY)
    if len(text) > MAX_TEXT:
        problems.append(FeedbackProblem.TOO_LONG)
    return problems
