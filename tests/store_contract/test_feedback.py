from __future__ import annotations

from domain.models import FeedbackCategory
from domain.reports import ReportFilter
from bot.store.port import Store

from .dataset import feedback, nov


async def test_feedback_is_stored_once(store: Store) -> None:
    item = feedback("f1", "w1", "outlook", 4, FeedbackCategory.CONTENT, "en", nov(9), text="Nice")

    assert await store.feedback.add_feedback(item) is True
    assert await store.feedback.add_feedback(item.model_copy(update={"text": "Changed"})) is False

    assert await store.feedback.list_feedback("w1") == [item]
    assert len((await store.reports.feedback_report(ReportFilter())).items) == 1


async def test_list_is_the_workers_own_newest_first(store: Store) -> None:
    older = feedback("f1", "w1", None, 3, FeedbackCategory.APP, "en", nov(9))
    newer = feedback("f2", "w1", "teams", 5, FeedbackCategory.DEVICE, "sv", nov(10))
    other = feedback("f3", "w2", None, 1, FeedbackCategory.OTHER, "en", nov(11))
    for item in (older, other, newer):
        await store.feedback.add_feedback(item)

    assert await store.feedback.list_feedback("w1") == [newer, older]
    assert await store.feedback.list_feedback("w3") == []


async def test_anonymous_feedback_is_listed_for_nobody_but_reported(store: Store) -> None:
    anonymous = feedback("f1", None, "teams", 2, FeedbackCategory.POLICY, "en", nov(9), text="Hm")

    assert await store.feedback.add_feedback(anonymous) is True
    assert await store.feedback.add_feedback(anonymous) is False

    assert await store.feedback.list_feedback("") == []
    assert await store.feedback.list_feedback("None") == []
    report = await store.reports.feedback_report(ReportFilter())
    assert [(i.id, i.anonymous, i.text) for i in report.items] == [("f1", True, "Hm")]
