"""The weekly admin digest: due at DIGEST_SCHEDULE in DIGEST_TZ, one card per installed admin
per week across two job runners on one SQLite file and a restart; figures and escaping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial

import pytest

from bot.i18n import Texts
from bot.store.sqlite import SqliteStore
from card_reading import card_texts
from cards.digest import digest_card
from dialogs.digest import collect, send_digests
from domain.digest import DigestSchedule
from domain.models import Feedback, FeedbackCategory, ModuleProgress, ProgressStatus, Worker
from jobs.digest import DigestJob
from jobs.runner import JobRunner
from job_support import FixedClock

UTC = timezone.utc
# Monday 2026-11-30 08:00 in Stockholm is 07:00 UTC.
MONDAY_8_STOCKHOLM = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def test_the_schedule_is_local_time():
    schedule = DigestSchedule.parse("MON 08:00", "Europe/Stockholm")
    assert schedule.latest(MONDAY_8_STOCKHOLM).end == MONDAY_8_STOCKHOLM
    before = schedule.latest(MONDAY_8_STOCKHOLM - timedelta(seconds=1))
    assert (before.end, before.start) == (MONDAY_8_STOCKHOLM - timedelta(days=7),
                                          MONDAY_8_STOCKHOLM - timedelta(days=14))
    assert schedule.latest(MONDAY_8_STOCKHOLM + timedelta(days=3)).key == "2026-W49"


@pytest.mark.parametrize("schedule,tz", [("MONDAY", "UTC"), ("XYZ 08:00", "UTC"),
                                         ("MON 25:00", "UTC"), ("MON 08:00", "Mars/Base")])
def test_bad_schedules_are_refused_with_a_message(schedule, tz):
    with pytest.raises(ValueError, match="DIGEST"):
        DigestSchedule.parse(schedule, tz)


async def seed(store) -> None:
    for worker_id, locale in (("admin-1", "en-US"), ("admin-2", "nl-NL"), ("worker-1", "sv-SE")):
        await store.workers.register_worker(Worker(id=worker_id, name=worker_id,
                                                   teams_locale=locale,
                                                   conversation={"conversation": {"id": "c"}}))
    week = MONDAY_8_STOCKHOLM - timedelta(days=3)
    for n, (rating, text) in enumerate([(5, "Great"), (1, "[click](https://evil.example)"),
                                        (4, "Fine"), (2, "Meh")]):
        await store.feedback.add_feedback(Feedback(
            id=f"f{n}", worker_id="worker-1", rating=rating, category=FeedbackCategory.APP,
            text=text, created_at=week + timedelta(minutes=n)))
    await store.feedback.add_feedback(Feedback(
        id="old", worker_id="worker-1", rating=1, category=FeedbackCategory.APP,
        created_at=MONDAY_8_STOCKHOLM - timedelta(days=9)))
    for module, done in (("outlook", week), ("teams", week), ("onedrive", week - timedelta(days=7))):
        await store.progress.save_progress(ModuleProgress(
            worker_id="worker-1", module_id=module, status=ProgressStatus.DONE,
            started_at=done - timedelta(hours=1), completed_at=done, minutes_to_complete=60), None)


async def test_one_card_per_admin_per_week_across_two_instances_and_a_restart(tmp_path, catalog):
    path = tmp_path / "coach.db"
    first, second = SqliteStore(path), SqliteStore(path)
    await first.open()
    await second.open()
    await seed(first)
    sent: list[tuple[str, dict]] = []

    async def send(worker, card):
        sent.append((worker.id, card))

    schedule = DigestSchedule.parse("MON 08:00", "Europe/Stockholm")
    clock = FixedClock(MONDAY_8_STOCKHOLM - timedelta(minutes=1))

    def runner(store, owner):
        deliver = partial(send_digests, store, catalog, send, ["admin-1", "admin-2", "absent"])
        job = DigestJob(schedule, lambda period, who, now: deliver(period, "app-guid", who, now))
        return JobRunner(store, [job], owner=owner, clock=clock)

    a, b = runner(first, "instance-a"), runner(second, "instance-b")
    await a.tick()
    await b.tick()
    week48 = sorted(who for who, _ in sent)  # the week before (first run ever) went out
    assert week48 == ["admin-1", "admin-2"]
    sent.clear()

    clock.advance(timedelta(minutes=1))  # Monday 08:00 Stockholm
    for _ in range(3):
        await a.tick()
        await b.tick()
        clock.advance(timedelta(minutes=16))
    await second.close()
    restarted = SqliteStore(path)
    await restarted.open()
    await runner(restarted, "instance-c").tick()

    assert sorted(who for who, _ in sent) == ["admin-1", "admin-2"]  # worker-1 is no admin
    texts = card_texts(dict(sent)["admin-1"])
    assert "Adoption Coach: week 2026-W49" in texts
    assert "New feedback this week: 4" in texts
    assert texts[2:5] == [r"An app · 1/5: \[click\]\(https://evil.example\)", "An app · 2/5: Meh",
                          "An app · 4/5: Fine"]
    assert "Modules completed: 2 this week, 1 the week before" in texts
    nl = card_texts(dict(sent)["admin-2"])
    assert "Nieuwe feedback deze week: 4" in nl
    [button] = dict(sent)["admin-1"]["actions"]
    assert button["url"] == "https://teams.microsoft.com/l/entity/app-guid/dashboard"
    await first.close()
    await restarted.close()


async def test_a_failed_delivery_is_tried_again(tmp_path, catalog):
    store = SqliteStore(tmp_path / "coach.db")
    await store.open()
    await seed(store)
    attempts: list[str] = []

    async def flaky(worker, card):
        attempts.append(worker.id)
        if len(attempts) == 1:
            raise RuntimeError("channel said 502")

    period = DigestSchedule.parse("MON 08:00", "Europe/Stockholm").latest(MONDAY_8_STOCKHOLM)
    first = await send_digests(store, catalog, flaky, ["admin-1"], period, "", "o", MONDAY_8_STOCKHOLM)
    again = await send_digests(store, catalog, flaky, ["admin-1"], period, "", "o", MONDAY_8_STOCKHOLM)
    third = await send_digests(store, catalog, flaky, ["admin-1"], period, "", "o", MONDAY_8_STOCKHOLM)
    assert (first, again, third) == ("digest 2026-W49: 0 sent, 0 skipped, 1 failed",
                                     "digest 2026-W49: 1 sent, 0 skipped, 0 failed",
                                     "digest 2026-W49: 0 sent, 1 skipped, 0 failed")
    await store.close()


async def test_no_quizzes_and_no_feedback_say_so(catalog):
    from bot.store.memory import MemoryStore

    store = MemoryStore()
    period = DigestSchedule.parse("MON 08:00", "UTC").latest(MONDAY_8_STOCKHOLM)
    texts = card_texts(digest_card(Texts(catalog, "sv"), await collect(store, period), ""))
    assert "Ingen ny feedback den här veckan." in texts
    assert "Inga quiz lämnades in den här veckan." in texts


async def test_campaigns_finished_this_week_with_their_response_rate(tmp_path, catalog):
    from campaign_seed import seed_campaigns
    from domain.campaigns import CampaignState
    from store_contract.campaign_data import campaign
    from store_contract.dataset import nov

    store = SqliteStore(tmp_path / "coach.db")
    await store.open()
    await seed_campaigns(store)  # c-sent: sent on Nov 3, reached 2, answered 1
    sent = await store.campaigns.get_campaign("c-sent")
    await store.campaigns.save_campaign(sent.model_copy(update={"sent_at": nov(25)}), sent.version)
    for campaign_id, title, fields in (
            ("c-closed", "Closed *early*", dict(state=CampaignState.CLOSED, finished_at=nov(26))),
            ("c-last-week", "Last week", dict(state=CampaignState.SENT, sent_at=nov(20))),
            ("c-cancelled", "Cancelled", dict(state=CampaignState.CANCELLED, finished_at=nov(26)))):
        await store.campaigns.create_campaign(campaign(campaign_id, title=title, **fields))
    period = DigestSchedule.parse("MON 08:00", "Europe/Stockholm").latest(MONDAY_8_STOCKHOLM)
    summary = await collect(store, period)
    assert [(c.title, c.reached, c.answered, c.response_rate) for c in summary.campaigns_finished] == [
        ("MFA <b>check</b> [now](https://evil.example)", 2, 1, 0.5), ("Closed *early*", 0, 0, 0.0)]
    en = card_texts(digest_card(Texts(catalog, "en"), summary, ""))
    assert "Campaigns finished this week: 2" in en
    assert r"MFA \<b\>check\</b\> \[now\]\(https://evil.example\): 50% answered (1 of 2 reached)" in en
    assert r"Closed \*early\*: 0% answered (0 of 0 reached)" in en
    sv = card_texts(digest_card(Texts(catalog, "sv"), summary, ""))
    assert any(line.endswith(": 50\xa0% svarade (1 av 2 som nåddes)") for line in sv), sv
    nl = card_texts(digest_card(Texts(catalog, "nl"), summary, ""))
    assert "Campagnes afgerond deze week: 2" in nl
    await store.close()


async def test_no_campaign_finished_says_so(catalog):
    from bot.store.memory import MemoryStore

    period = DigestSchedule.parse("MON 08:00", "UTC").latest(MONDAY_8_STOCKHOLM)
    texts = card_texts(digest_card(Texts(catalog, "nl"), await collect(MemoryStore(), period), ""))
    assert "Deze week is er geen campagne afgerond." in texts
