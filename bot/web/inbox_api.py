"""The feedback inbox API, under /api/admin/feedback (admins only):

GET    /api/admin/feedback              ?status=&category=&module=&rating=&language=&since=&until=
                                        &cursor=&limit=  (or &format=csv: every matching item)
GET    /api/admin/feedback/{id}         the item, its notes, reply and audit trail
PATCH  /api/admin/feedback/{id}         {"version": n, "status"?, "assignee"?, "note"?}
POST   /api/admin/feedback/{id}/reply   {"version": n, "text": "..."}

`version` is the one the admin read: a stale one is 409 with the item as it is now, so the
page can show what changed and nothing is overwritten. 422: a change the rules refuse (an
anonymous item cannot be replied to, a status move that is not allowed, an empty note).
Texts are returned as typed: the page must insert them as text, never as HTML.

Who the caller is: the dashboard's sign-in and roles (bot/web/roles.py `allow`): no or bad
token 401, anyone but an admin 403.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Protocol

from aiohttp import web

from bot.web.api import TITLES_KEY
from bot.web.inbox_export import admins, csv_answer, every_item
from bot.web.roles import USER_KEY, WEB_SETTINGS_KEY, Handler, Role, User, allow
from bot.store.port import ConcurrencyConflict, StoreUnavailable
from domain.dashboard import LANGUAGES
from domain.models import FeedbackCategory, FeedbackStatus, utcnow
from domain.triage import (
    MAX_PAGE,
    InboxFilter,
    InboxItem,
    Refusal,
    TriageChange,
    TriageRefused,
)

MAX_ID = 200


class InboxFlows(Protocol):  # dialogs/inbox.py: Inbox
    store: Any

    async def change(self, feedback_id: str, change: TriageChange, expected_version: int,
                     actor: str, now: datetime) -> InboxItem: ...

    async def reply(self, feedback_id: str, text: str, expected_version: int, actor: str,
                    now: datetime) -> Any: ...


INBOX_KEY = web.AppKey("inbox", object)
CLOCK_KEY = web.AppKey("inbox_clock", object)
SIGNED_IN_KEY = web.AppKey("inbox_signed_in", dict)  # admin id -> name, as their tokens said
MAX_SIGNED_IN = 500


def _problem(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


def admins_only(handler: Handler) -> Handler:
    @allow(Role.ADMIN)
    async def checked(request: web.Request) -> web.StreamResponse:
        _remember(request.app[SIGNED_IN_KEY], request[USER_KEY])
        try:
            return await handler(request)
        except StoreUnavailable:
            return _problem(503, "the store is unavailable: try again in a moment")
    return checked


def item_json(item: InboxItem, submitter_name: str | None = None) -> dict[str, Any]:
    f, t = item.feedback, item.triage
    body = {"id": f.id, "created_at": f.created_at.isoformat(), "module_id": f.module_id,
            "category": f.category.value, "rating": f.rating, "text": f.text, "locale": f.locale,
            "anonymous": f.worker_id is None, "submitter": f.worker_id,
            "can_reply": f.worker_id is not None and t.reply is None,
            "status": t.status.value, "assignee": t.assignee, "version": t.version,
            "updated_at": t.updated_at.isoformat() if t.updated_at else None,
            "notes": [n.model_dump(mode="json") for n in t.notes],
            "reply": t.reply.model_dump(mode="json") if t.reply else None,
            "audit": [a.model_dump(mode="json") for a in t.audit]}
    if submitter_name is not None:
        body["submitter_name"] = submitter_name
    return body


def _one(query: Any, name: str) -> str | None:
    value = query.get(name)
    return value if value not in (None, "") else None


def inbox_filter(query: Any) -> InboxFilter:
    """Raises ValueError with a message for the caller."""
    def enum(kind: Any, name: str) -> Any:
        value = _one(query, name)
        try:
            return None if value is None else kind(value)
        except ValueError:
            raise ValueError(f"{name} must be one of {', '.join(k.value for k in kind)}") from None

    def moment(name: str) -> datetime | None:
        value = _one(query, name)
        if value is None:
            return None
        if len(value) == 10:  # a day, as the dashboard's other filters take it (UTC, inclusive)
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{name} must be a date like 2026-11-30 or an ISO 8601 time") from None
            start = datetime.combine(day, time(), timezone.utc)
            return start + timedelta(days=1) if name == "until" else start
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise ValueError(f"{name} needs a time zone (e.g. 2026-11-30T00:00:00Z)")
        return parsed

    rating = _one(query, "rating")
    if rating is not None and rating not in {"1", "2", "3", "4", "5"}:
        raise ValueError("rating must be 1 to 5")
    language = _one(query, "language")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return InboxFilter(status=enum(FeedbackStatus, "status"),
                       category=enum(FeedbackCategory, "category"),
                       module_id=_one(query, "module"), rating=int(rating) if rating else None,
                       locale=language, since=moment("since"), until=moment("until"))


@admins_only
async def list_items(request: web.Request) -> web.Response:
    try:
        flt = inbox_filter(request.query)
        if _one(request.query, "format") not in (None, "json", "csv"):
            raise ValueError("format must be json or csv")
        raw_limit = request.query.get("limit", "50")
        limit = int(raw_limit) if raw_limit.isdigit() else 0
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be 1 to {MAX_PAGE}")
    except ValueError as exc:
        return _problem(400, str(exc))
    store = _flows(request).store
    if _one(request.query, "format") == "csv":
        return csv_answer(await every_item(store, flt), request.app[TITLES_KEY])
    try:
        page = await store.triage.list_inbox(flt, _one(request.query, "cursor"), limit)
    except ValueError:
        return _problem(400, "the cursor is not one this API gave out")
    caller = request[USER_KEY]
    signed_in = {caller.oid: caller.name, **request.app[SIGNED_IN_KEY]}
    return web.json_response({"items": [item_json(i) for i in page.items],
                              "cursor": page.cursor,
                              "admins": await admins(store, _admin_ids(request), signed_in)})


@admins_only
async def get_item(request: web.Request) -> web.Response:
    store = _flows(request).store
    item = await store.triage.get_item(request.match_info["id"])
    if item is None:
        return _problem(404, "no such feedback item")
    name = None
    if item.feedback.worker_id:
        worker = await store.workers.get_worker(item.feedback.worker_id)
        name = worker.name if worker else ""
    return web.json_response(item_json(item, name))


async def _body(request: web.Request, allowed: set[str]) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    unknown = sorted(set(body) - allowed - {"version"})
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(unknown)}")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValueError("version (the item's version as read) must be a whole number")
    for name in allowed:
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise ValueError(f"{name} must be a string")
    return body


def _status(value: str | None) -> FeedbackStatus | None:
    if value is None:
        return None
    if value not in set(FeedbackStatus):
        raise ValueError("status must be new, triaged or done")
    return FeedbackStatus(value)


def _refused(exc: TriageRefused) -> web.Response:
    status = 409 if exc.refusal is Refusal.ALREADY_REPLIED else 422
    return _problem(status, str(exc), reason=exc.refusal.value)


async def _conflict(request: web.Request, feedback_id: str) -> web.Response:
    current = await _flows(request).store.triage.get_item(feedback_id)
    return _problem(409, "someone else changed this item since you opened it; "
                         "nothing was saved: look at the changes and try again",
                    reason="conflict", current=item_json(current) if current else None)


@admins_only
async def patch_item(request: web.Request) -> web.Response:
    feedback_id = request.match_info["id"]
    try:
        body = await _body(request, {"status", "assignee", "note"})
        status = _status(body.get("status"))
        if isinstance(body.get("assignee"), str) and len(body["assignee"]) > MAX_ID:
            raise ValueError("assignee is too long")
    except ValueError as exc:
        return _problem(400, str(exc))
    change = TriageChange(status=status, note=body.get("note"),
                          **({"assignee": body["assignee"] or None} if "assignee" in body else {}))
    async def changed() -> dict[str, Any]:
        return item_json(await _flows(request).change(
            feedback_id, change, body["version"], request[USER_KEY].oid, _now(request)))
    return await _answer(request, feedback_id, changed)


@admins_only
async def reply(request: web.Request) -> web.Response:
    feedback_id = request.match_info["id"]
    try:
        body = await _body(request, {"text"})
    except ValueError as exc:
        return _problem(400, str(exc))
    async def replied() -> dict[str, Any]:
        result = await _flows(request).reply(feedback_id, body.get("text") or "", body["version"],
                                             request[USER_KEY].oid, _now(request))
        return {"item": item_json(result.item), "delivered": result.delivered,
                "problem": result.problem}
    return await _answer(request, feedback_id, replied)


async def _answer(request: web.Request, feedback_id: str,
                  write: Callable[[], Awaitable[dict[str, Any]]]) -> web.Response:
    """Run an admin's write; the flows' refusals become 404, 409 or 422."""
    try:
        return web.json_response(await write())
    except LookupError:
        return _problem(404, "no such feedback item")
    except TriageRefused as exc:
        return _refused(exc)
    except ConcurrencyConflict:
        return await _conflict(request, feedback_id)


def _flows(request: web.Request) -> InboxFlows:
    return request.app[INBOX_KEY]  # type: ignore[return-value]


def _remember(signed_in: dict[str, str], caller: User) -> None:
    """Names for the assignee list and the history (an audit entry holds only the id)."""
    if caller.oid in signed_in or len(signed_in) < MAX_SIGNED_IN:
        signed_in[caller.oid] = caller.name


def _admin_ids(request: web.Request) -> list[str]:
    settings = request.app.get(WEB_SETTINGS_KEY)
    return list(settings.admin_ids) if settings is not None else []


def _now(request: web.Request) -> datetime:
    return request.app[CLOCK_KEY]()  # type: ignore[operator]


def install_inbox_api(app: web.Application, flows: InboxFlows,
                      clock: Callable[[], datetime] = utcnow) -> None:
    """The routes sign in through the dashboard's roles (bot/web/routes.py install_dashboard)."""
    app[INBOX_KEY] = flows
    app[CLOCK_KEY] = clock
    app[SIGNED_IN_KEY] = {}
    app.router.add_get("/api/admin/feedback", list_items)
    app.router.add_get("/api/admin/feedback/{id}", get_item)
    app.router.add_patch("/api/admin/feedback/{id}", patch_item)
    app.router.add_post("/api/admin/feedback/{id}/reply", reply)
