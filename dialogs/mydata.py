"""A worker's own data: show what is stored, and delete it after a confirmation.

`in_place`: the answer replaces the card whose button asked for it (typed commands get a new
card)."""

from __future__ import annotations

from cards.mydata import MyData, confirm_delete_card, deleted_card, my_data_card, my_events_card

from .turn import Turn


async def show_my_data(turn: Turn, *, in_place: bool = False) -> None:
    store, worker_id = turn.store, turn.worker.id
    data = MyData(
        worker=await store.workers.get_worker(worker_id) or turn.worker,
        progress=await store.progress.list_progress(worker_id),
        attempts=await store.attempts.list_attempts(worker_id),
        feedback=await store.feedback.list_feedback(worker_id),
        events=await store.events.list_worker_events(worker_id),
        replies={t.feedback_id: t.reply for t in await store.triage.list_for_worker(worker_id)
                 if t.reply},
        directory=(await store.directory.get_users([worker_id])).get(worker_id),
        usage_figures=await store.usage.holds_worker(worker_id),
        campaign_messages=await store.campaigns.holds_worker(worker_id))
    _show(turn, my_data_card(turn.texts, {m.id: m for m in turn.modules()}, data), in_place)


async def show_my_events(turn: Turn, page: int) -> None:
    """The full usage history, a page per card (the first replaces the "my data" card)."""
    events = await turn.store.events.list_worker_events(turn.worker.id)
    card = my_events_card(turn.texts, {m.id: m for m in turn.modules()}, events, page)
    if page == 0:
        turn.replace(card)
    else:
        turn.send(card)


async def delete_my_data(turn: Turn, confirmed: bool, *, in_place: bool = False) -> None:
    if not confirmed:
        _show(turn, confirm_delete_card(turn.texts), in_place)
        return
    await turn.store.privacy.delete_worker_data(turn.worker.id)
    _show(turn, deleted_card(turn.texts), in_place)


def _show(turn: Turn, card: dict, in_place: bool) -> None:
    if in_place:
        turn.replace(card)
    else:
        turn.send(card)
