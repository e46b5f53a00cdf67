"""Hostile activities for the endpoint fuzz (tests/e2e/test_fuzz.py and bench/fuzz.py).

A case is a body to POST: a real Teams payload from shared/data/teams-activities (or one built on
their shapes: a search query, a button's data, a 1:1 message), pointed at the fake connector and
our tenant, then mutated: fields of the wrong type or missing, huge and deeply nested values, odd
unicode (lone surrogates, control characters, right-to-left marks), random invoke names and
values, and command words with random arguments; or raw bytes that are barely JSON.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ACTIVITIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "teams-activities"
CAMDEN = "11111111-2222-4333-8444-555555555555"
LIIA = "66666666-7777-4888-9999-000000000000"
STRANGER = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

INVOKE_NAMES = (
    "adaptiveCard/action",
    "composeExtension/query",
    "composeExtension/queryLink",
    "composeExtension/selectItem",
    "composeExtension/submitAction",
    "composeExtension/fetchTask",
    "task/fetch",
    "task/submit",
    "tab/fetch",
    "config/fetch",
    "fileConsent/invoke",
    "signin/verifyState",
    "signin/tokenExchange",
    "actionableMessage/executeAction",
    "healthCheck",
)
COMMANDS = (
    "help",
    "whoami",
    "suppliers",
    "senddata",
    "benchmark",
    "top10",
    "returns",
    "announce",
    "outbox",
)
HOSTILE = (
    "",
    " ",
    "\ud800",
    "\udfff x",
    "a\ud83d",
    "\x00",
    "\u202e\u200f",
    "<at>bot</at>",
    '"}]{',
    "\\",
    "*_[x](y)",
    "𝕏" * 50,
    "x" * 5000,
    "Camden",
    "North Central",
    "SLD",
    "140056",
    "2025-26",
    "notaurl",
    "http://",
    "ftp://x",
    "https://x:99999/",
)
BIG = "__fuzz_big_number__"  # replaced by 4,301 digits once encoded (json.dumps cannot write it)


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ACTIVITIES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def base_activities(service_url: str, tenant: str) -> list[dict[str, Any]]:
    """The real shapes, pointed at the fake connector and our tenant."""
    message = _load("message_channel_mention")
    invoke = _load("invoke_adaptiveCard_action")
    personal = copy.deepcopy(message)
    personal["conversation"] = {"id": "a:fuzz-1to1", "conversationType": "personal"}
    personal["entities"] = []
    personal["text"] = "help"
    search = copy.deepcopy(invoke)
    search["name"] = "composeExtension/query"
    search["value"] = {
        "commandId": "searchSchools",
        "parameters": [{"name": "searchQuery", "value": "oak"}],
        "queryOptions": {"skip": 0, "count": 25},
    }
    execute = copy.deepcopy(invoke)
    execute["value"] = {
        "action": {
            "type": "Action.Execute",
            "verb": "command.run",
            "data": {"command": "help", "args": ""},
        },
        "trigger": "manual",
    }
    submit = _load("message_value_submit")
    submit["value"] = {"verb": "suppliers.more", "query": "oak", "offset": 5}
    shapes = [
        message,
        personal,
        invoke,
        execute,
        search,
        submit,
        _load("conversationUpdate_membersAdded_team"),
    ]
    for shape in shapes:
        shape["serviceUrl"] = service_url
        shape.setdefault("channelData", {})["tenant"] = {"id": tenant}
        shape["from"] = {**shape.get("from", {}), "aadObjectId": CAMDEN}
    return shapes


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found.extend(_paths(item, (*prefix, key)))
    return found


text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn", "So"]), max_size=10),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.just(BIG),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)
    ),
    max_leaves=12,
)


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"items": value}
    return value


values = st.one_of(
    json_values,
    st.builds(_nested, st.integers(1, 400), json_values),
    st.builds(lambda n: "x" * n, st.integers(10_000, 200_000)),
    st.builds(lambda n: list(range(n)), st.integers(100, 5000)),
)
special = {
    ("name",): st.one_of(st.sampled_from(INVOKE_NAMES), text),
    ("type",): st.one_of(
        st.sampled_from(("message", "invoke", "conversationUpdate", "event", "typing")), text
    ),
    ("text",): st.one_of(
        st.builds(lambda word, args: f"{word} {args}", st.sampled_from(COMMANDS), text),
        text,
    ),
    ("from", "aadObjectId"): st.sampled_from((CAMDEN, LIIA, STRANGER, "", "x")),
    ("serviceUrl",): st.sampled_from(("notaurl", "http://", "ftp://x", "https://x:99999/", "")),
    ("value", "action", "verb"): st.one_of(
        st.sampled_from(("command.run", "suppliers.more")), text
    ),
    ("value", "action", "data", "command"): st.one_of(st.sampled_from(COMMANDS), text),
    ("value", "action", "data", "args"): values,
    ("value", "verb"): st.sampled_from(("command.run", "suppliers.more")),
    ("value", "offset"): values,
    ("value", "parameters"): values,
    ("value", "queryOptions"): values,
}
_SERVICE_URL = ("serviceUrl",)


def _edit(base: dict[str, Any]) -> st.SearchStrategy[tuple[str, tuple[str, ...], Any]]:
    paths = sorted(set(_paths(base)) | set(special))
    return st.sampled_from(paths).flatmap(
        lambda path: st.one_of(
            st.tuples(st.just("set"), st.just(path), special.get(path, values)),
            st.tuples(st.just("set"), st.just(path), values)
            if path != _SERVICE_URL
            else st.tuples(st.just("set"), st.just(path), special[path]),
            st.tuples(st.just("delete"), st.just(path), st.none()),
        )
    )


def _apply(base: dict[str, Any], edits: list[tuple[str, tuple[str, ...], Any]]) -> dict[str, Any]:
    activity = copy.deepcopy(base)
    for kind, path, value in edits:
        target: Any = activity
        for part in path[:-1]:
            if not isinstance(target, dict):
                break
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        if not isinstance(target, dict):
            continue
        if kind == "delete":
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return activity


def encode(activity: Any) -> bytes:
    """JSON as a client would write it: lone surrogates as \\uXXXX escapes, BIG as 4,301 digits."""
    return json.dumps(activity).replace(f'"{BIG}"', "9" * 4301).encode()


def mutated(bases: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    return st.sampled_from(bases).flatmap(
        lambda base: st.lists(_edit(base), min_size=1, max_size=4).map(
            lambda edits: encode(_apply(base, edits))
        )
    )


def raw_bodies(bases: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """Bytes that are barely JSON: cut short, spliced with junk, deep, huge numbers."""
    whole = st.sampled_from([encode(b) for b in bases])
    return st.one_of(
        st.binary(max_size=200),
        st.tuples(whole, st.floats(0, 1)).map(lambda t: t[0][: int(len(t[0]) * t[1])]),
        st.tuples(whole, st.integers(0, 2000), st.binary(min_size=1, max_size=20)).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
        ),
        st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(4000, 5000).map(lambda n: b"9" * n),
        st.sampled_from([b"NaN", b"1e999", b'"\\ud800"', b"null", b"{}", b"[]", b'""']),
    )


def cases(bases: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    return st.one_of(mutated(bases), mutated(bases), mutated(bases), raw_bodies(bases))
