"""A campaign's results from store facts: who got it, who answered, how they scored.

The campaign result of a worker is their first submitted attempt that carries the campaign's
id and was submitted within the campaign window (started_at .. ends_at)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel

from domain.campaigns import Campaign, Delivery, DeliveryState
from domain.models import QuizAttempt
from domain.reports import ratio

MOST_MISSED = 5


class WorkerResult(BaseModel):
    worker_id: str
    name: str
    state: DeliveryState  # of the campaign message (round 0)
    reminders_sent: int = 0
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    score: float | None = None
    passed: bool | None = None


class MissedQuestion(BaseModel):
    question_id: str
    missed: int


class CampaignResults(BaseModel):
    campaign_id: str
    audience: int  # deliveries of round 0
    reached: int  # of them sent (or sent-uncertain)
    unreachable: int  # counted at resolution, never sent
    answered: int
    passed: int
    response_rate: float  # answered / reached (0 when nobody was reached)
    pass_rate: float  # passed / answered
    average_score: float | None
    most_missed: list[MissedQuestion]
    workers: list[WorkerResult]


def first_campaign_attempts(campaign: Campaign,
                            attempts: list[QuizAttempt]) -> dict[str, QuizAttempt]:
    """worker id -> their first submitted attempt within the campaign window."""
    start = campaign.started_at or campaign.created_at
    first: dict[str, QuizAttempt] = {}
    for attempt in attempts:
        at = attempt.submitted_at
        if (attempt.campaign_id != campaign.id or at is None
                or not start <= at <= campaign.ends_at):
            continue
        known = first.get(attempt.worker_id)
        if known is None or (at, attempt.id) < (known.submitted_at, known.id):
            first[attempt.worker_id] = attempt
    return first


def campaign_results(campaign: Campaign, deliveries: list[Delivery], names: dict[str, str],
                     attempts: list[QuizAttempt]) -> CampaignResults:
    firsts = {d.worker_id: d for d in deliveries if d.round == 0}
    reminders = Counter(d.worker_id for d in deliveries
                        if d.round > 0 and d.state is DeliveryState.SENT)
    results = first_campaign_attempts(campaign, attempts)
    workers = []
    for worker_id, delivery in sorted(firsts.items(), key=lambda kv: names.get(kv[0], kv[0])):
        attempt = results.get(worker_id)
        workers.append(WorkerResult(
            worker_id=worker_id, name=names.get(worker_id, ""), state=delivery.state,
            reminders_sent=reminders[worker_id], sent_at=delivery.sent_at,
            answered_at=attempt.submitted_at if attempt else None,
            score=attempt.score if attempt else None,
            passed=attempt.passed if attempt else None))
    answered = [w for w in workers if w.answered_at is not None]
    reached = sum(1 for d in firsts.values() if d.state in (DeliveryState.SENT,
                                                            DeliveryState.UNKNOWN))
    scores = [w.score for w in answered if w.score is not None]
    missed = Counter(q for worker_id in firsts if (a := results.get(worker_id))
                     for q, answer in a.answers.items() if not answer.correct)
    return CampaignResults(
        campaign_id=campaign.id, audience=len(firsts), reached=reached,
        unreachable=sum(len(keys) for keys in campaign.unreachable.values()),
        answered=len(answered), passed=sum(1 for w in answered if w.passed),
        response_rate=ratio(len(answered), reached),
        pass_rate=ratio(sum(1 for w in answered if w.passed), len(answered)),
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
        most_missed=[MissedQuestion(question_id=q, missed=n)
                     for q, n in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))
                     [:MOST_MISSED]],
        workers=workers)
