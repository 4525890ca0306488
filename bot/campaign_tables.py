"""Campaigns as report tables (bot/report_tables.py prints them as a terminal table, CSV or
JSON): the list, one campaign's status, and its results. Names from Teams and titles from
trainers lose their control characters (no terminal escapes reach a screen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.report_tables import Table, Titles
from domain.campaign_results import CampaignResults
from domain.campaigns import Campaign, DeliveryState
from domain.text import strip_controls
from bot.store.campaign_port import DeliveryCounts

STATUS_COUNTS = ("recipients", "pending", "sent", "failed", "unknown", "skipped", "unreachable",
                 "answered", "reminders_sent")


@dataclass(frozen=True)
class StatusFacts:
    campaign: Campaign
    counts: DeliveryCounts
    answered: int

    def numbers(self) -> dict[str, int]:
        """The campaign message (round 0) per state; reminders apart."""
        c = self.counts
        return {
            "recipients": c.total(0),
            "pending": c.of(DeliveryState.PENDING, 0) + c.of(DeliveryState.LEASED, 0),
            "sent": c.of(DeliveryState.SENT, 0), "failed": c.of(DeliveryState.FAILED, 0),
            "unknown": c.of(DeliveryState.UNKNOWN, 0), "skipped": c.of(DeliveryState.SKIPPED, 0),
            "unreachable": sum(len(keys) for keys in self.campaign.unreachable.values()),
            "answered": self.answered,
            "reminders_sent": c.of(DeliveryState.SENT) - c.of(DeliveryState.SENT, 0),
        }

    def as_json(self) -> dict[str, Any]:
        return {**describe(self.campaign), **self.numbers(),
                "unreachable_by_reason": {reason: len(keys) for reason, keys
                                          in sorted(self.campaign.unreachable.items())}}


def describe(c: Campaign) -> dict[str, Any]:
    return {"id": c.id, "title": strip_controls(c.title), "state": c.state.value, "module_id": c.quiz.module_id,
            "audience": c.audience.label(), "starts_at": c.starts_at, "ends_at": c.ends_at,
            "created_at": c.created_at}


def list_table(campaigns: list[Campaign]) -> Table:
    return Table("campaigns", "Campaigns, newest first",
                 ["id", "title", "state", "module_id", "audience", "starts_at", "ends_at", "created_at"],
                 [describe(c) for c in campaigns])


def status_tables(facts: StatusFacts) -> list[Table]:
    return [Table("status", "Campaign messages", list(STATUS_COUNTS), [facts.numbers()])]


def status_heading(c: Campaign) -> str:
    starts = f"{c.starts_at:%Y-%m-%d %H:%M} UTC" if c.starts_at else "not scheduled"
    return (f"Campaign {c.id} · {strip_controls(c.title)} · {c.state.value} · module {c.quiz.module_id} · "
            f"audience {c.audience.label()} · starts {starts} · ends {c.ends_at:%Y-%m-%d %H:%M} UTC")


def results_tables(results: CampaignResults, campaign: Campaign, titles: Titles) -> list[Table]:
    totals = {"audience": results.audience, "reached": results.reached,
              "unreachable": results.unreachable, "answered": results.answered,
              "response_rate": results.response_rate, "passed": results.passed,
              "pass_rate": results.pass_rate, "average_score": results.average_score}
    workers = [{"name": strip_controls(w.name), "worker_id": w.worker_id, "state": w.state.value, "sent_at": w.sent_at,
                "answered_at": w.answered_at, "score": w.score, "passed": w.passed,
                "reminders_sent": w.reminders_sent} for w in results.workers]
    module = campaign.quiz.module_id
    missed = [{"rank": rank, "question_id": q.question_id, "question": titles.question(module, q.question_id),
               "misses": q.missed} for rank, q in enumerate(results.most_missed, start=1)]
    unreachable = [{"reason": reason, "key": key}
                   for reason, keys in sorted(campaign.unreachable.items()) for key in keys]
    return [
        Table("totals", "Totals", list(totals), [totals]),
        Table("workers", "Per worker", ["name", "worker_id", "state", "sent_at", "answered_at", "score",
                                        "passed", "reminders_sent"], workers,
              screen_columns=["name", "state", "sent_at", "answered_at", "score", "passed"],
              empty="nobody yet (the audience is resolved when sending starts)."),
        Table("most_missed", "Most missed questions", ["rank", "question_id", "question", "misses"], missed,
              empty="no answers yet."),
        Table("unreachable", "Not reachable (never sent)", ["reason", "key"], unreachable, empty="none."),
    ]
