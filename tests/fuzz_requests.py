"""Hypothesis strategies for requests to POST /api/messages, cheap to draw (a few choices per
request, so thousands run in seconds): a well-formed base activity (every activity type, every
card action verb, as an invoke and as an Action.Submit) with good values, then up to three
mutations (a field set to a hostile value, or removed), and now and then a body that is not an
activity at all."""

from __future__ import annotations

import copy
import json
import typing
from typing import Any

from hypothesis import strategies as st
from microsoft_agents.activity import ActivityTypes

from conftest import activity
from cards.actions import CardAction

ACTION_CLASSES = typing.get_args(typing.get_args(CardAction)[0])
VERBS = sorted(typing.get_args(cls.model_fields["verb"].annotation)[0] for cls in ACTION_CLASSES)
FIELDS_OF_VERB = {typing.get_args(cls.model_fields["verb"].annotation)[0]: sorted(set(cls.model_fields) - {"verb"})
                  for cls in ACTION_CLASSES}
ACTIVITY_TYPES = sorted(t.value for t in ActivityTypes)

HOSTILE: list[Any] = [
    None, True, False, 0, -1, 2**63, -2**64, 1e308, -0.0, 3.5, "", " ", "null", "0", "true", "-", "💥" * 40,
    "a" * 5000, "\x00", "\x1b]8;;https://evil.example/\x1b\\x\x1b]8;;\x1b\\", "\r\n", "<at>Bot</at>", "{{text}}",
    "%s%n", "../../etc/passwd", "javascript:alert(1)", "=SUM(A1)", "\u202eevil", "ǅ" * 10, "msteams:sub",
    "2026-13-45T99:99:99Z", "https://127.0.0.1:1/", "http://bots.example/", "/relative", "a" * 64,
    [], [None], [{}], ["a", 1], {}, {"id": None}, {"id": ""}, {"id": 5}, {"type": "message"},
    {"action": {}}, {"action": {"verb": None, "data": []}}, {"verb": "menu", "n": "x" * 40},
    [[[[[[[[[[[]]]]]]]]]]], {"a": {"b": {"c": {"d": {"e": {}}}}}}, ["💥"] * 50, list(range(200)),
    {"tenant": {"id": None}}, [{"type": "ProductInfo", "id": "other"}], [{"type": "clientInfo", "locale": 5}],
]
TOP_FIELDS = ["type", "id", "channelId", "serviceUrl", "from", "recipient", "conversation", "locale", "text",
              "value", "name", "action", "replyToId", "membersAdded", "membersRemoved", "timestamp",
              "channelData", "entities", "attachments", "deliveryMode", "textFormat", "localTimestamp",
              "relatesTo", "callerId", "valueType"]
NESTED_FIELDS = ["from.id", "from.aadObjectId", "from.name", "recipient.id", "conversation.id",
                 "conversation.conversationType", "conversation.tenantId", "value.verb", "value.n",
                 "value.module", "value.step", "value.text", "value.action", "value.action.verb",
                 "value.action.data", "value.action.data.verb", "value.action.data.module",
                 "value.action.data.step", "value.action.data.attempt", "value.action.data.question",
                 "value.action.data.choice", "value.action.data.n"]
TEXTS = ["menu", "help", "meny", "hjälp", "quiz", "my data", "delete my data", "language", "feedback",
         "password", "teams", "outlook", "<at>Adoption Coach</at> menu", "", "   "]


def good_values(module_ids: list[str], question_ids: list[str]) -> dict[str, list[Any]]:
    return {
        "module": module_ids, "step": [0, 1, 2, 3, 7, 99], "language": ["en", "sv", "nl", "auto"],
        "attempt": ["attempt-1", "a2"], "question": question_ids, "choice": ["a", "b", "a,c", ""],
        "rating": ["1", "3", "5", ""], "category": ["app", "content", "policy", "device", "other", ""],
        "text": ["Outlook asks me to sign in every hour.", "", "x" * 2500], "anonymous": ["true", "false"],
        "confirmed": [True, False], "n": ["n1", "n2", "-"], "page": [0, 1, 5, 9999],
        "campaign": ["camp-1", "c2"], "delivery": ["camp-1:w1:0", "c2:w:1"], "refresh": [True, False],
        "audience": ["all", "locale:sv", "not-passed:outlook", "bogus"], "questions": ["", "3", "0", 4],
        "schedule": ["now", "at", "worker_local", "later"], "date": ["2026-12-01", "", "2026-13-45"],
        "time": ["09:00", "", "25:99"], "zone": ["Europe/Stockholm", "Mars/Olympus", ""],
        "quiet": ["true", "false"], "remind_after": ["3", "", "-1"], "remind_max": ["0", "2", "99"],
        "ends": ["2026-12-31", "", "2020-01-01"], "name": ["", "Security week"],
        "intro": ["Please take this [now](https://evil.example)", "x" * 2500],
    }


def card_data(verb: str, good: dict[str, list[Any]]) -> st.SearchStrategy:
    return st.fixed_dictionaries({"verb": st.just(verb), **{f: st.sampled_from(good[f]) for f in FIELDS_OF_VERB[verb]}})


def base_activities(connector_url: str, good: dict[str, list[Any]]) -> st.SearchStrategy:
    invokes = [card_data(v, good).map(lambda d: {"type": "invoke", "name": "adaptiveCard/action",
                                                 "value": {"action": {"type": "Action.Execute", "verb": d["verb"],
                                                                      "data": d}}}) for v in VERBS]
    submits = [card_data(v, good).map(lambda d: {"type": "message", "value": d}) for v in VERBS]
    others = [
        st.sampled_from(TEXTS).map(lambda t: {"type": "message", "text": t}),
        st.sampled_from(["add", "remove"]).map(lambda a: {"type": "installationUpdate", "action": a}),
        st.just({"type": "conversationUpdate", "membersAdded": [{"id": "user-id-0"}, {"id": "bot-id"}]}),
        st.just({"type": "conversationUpdate", "membersRemoved": [{"id": "bot-id"}]}),
        st.sampled_from(["task/fetch", "signin/verifyState", "composeExtension/query"]).map(
            lambda n: {"type": "invoke", "name": n, "value": {}}),
        st.sampled_from(ACTIVITY_TYPES).map(lambda t: {"type": t}),
    ]
    conversation = st.sampled_from(["personal", "groupChat", "channel"]).map(
        lambda kind: {"id": f"conv-{kind}", "conversationType": kind, "tenantId": "tenant-1"})
    locale = st.sampled_from(["en-US", "sv-SE", "nl-NL", "nl-BE", "de-DE"])
    worker = st.sampled_from(["user-id-0", "user-id-1", "user-id-2"])
    return st.builds(
        lambda body, kind, lang, who, n: activity(connector_url, conversation=kind, locale=lang, id=f"fuzz-{n}",
                                                  **{"from": {"id": who, "aadObjectId": f"aad-{who}"}}, **body),
        st.one_of(*invokes, *submits, *others), conversation, locale, worker, st.integers(0, 10**6))


def _mutate(body: dict, path: str, value: Any, remove: bool) -> dict:
    *parents, leaf = path.split(".")
    node = body
    for key in parents:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if remove:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return body


def requests(connector_url: str, module_ids: list[str], question_ids: list[str]) -> st.SearchStrategy[bytes]:
    good = good_values(module_ids, question_ids)
    mutation = st.tuples(st.sampled_from(TOP_FIELDS + NESTED_FIELDS), st.sampled_from(HOSTILE), st.booleans())

    def apply(body: dict, mutations: list[tuple[str, Any, bool]]) -> bytes:
        body = copy.deepcopy(body)  # strategies hand out shared objects: never change them
        for path, value, remove in mutations:
            body = _mutate(body, path, copy.deepcopy(value), remove)
        return json.dumps(body).encode()

    activities = st.builds(apply, base_activities(connector_url, good), st.lists(mutation, max_size=3))
    raw = st.sampled_from([b"", b"[" * 5000, b'{"type":', b"\xff\xfe\x00", b"[]", b"null", b"1e999",
                           b'{"type": "message", "conversation": {"id": "c"}, "a": ' + b"[" * 70 + b"]" * 70 + b"}"])
    return st.one_of(*([activities] * 19), raw)
