"""`POST /api/messages`: check the request, run the turn through CloudAdapter, answer once.

Bad input never reaches the bot and never gets a 500: wrong content type 415, a body over the
limit 413, malformed JSON or an activity missing what every turn needs 400, a bad token 401.
The body is parsed safely: JSON nested deeper than MAX_DEPTH, an integer over Python's digit
limit and non-finite numbers are 400, and lone surrogates (the escape `\\ud800` alone: valid JSON,
not encodable as UTF-8) become U+FFFD here, so no text the bot echoes can break the JSON it sends.
The serviceUrl must be an http(s) URL with a host (https when the bot has an app id). An activity
id (and replyToId) longer than any Teams id is 400 before anything is stored: the bot puts the id
in its reply's URL and in its turn key.
An invoke's response body is written exactly once (stock CloudAdapter.process serialises it twice
and answers 500 for every Action.Execute that returns a card).
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from aiohttp import web
from azure.core.exceptions import DeserializationError  # what msrest raises
from botbuilder.core import Bot, InvokeResponse
from msrest.serialization import Model

from bot.auth import AuthUnavailable, Unauthorized
from bot.connector import Codec, check_service_url
from bot.transports import BadActivity, Transport

log = logging.getLogger(__name__)

REQUIRED = (
    ("type",),
    ("channelId",),
    ("serviceUrl",),
    ("conversation", "id"),
    ("from", "id"),
    ("recipient", "id"),
)


# Real activities nest about 10 deep (a card inside an attachment inside a value); 64 leaves room
# for any card and keeps every later walk (msrest, deepcopy, Jinja) far from the recursion limit.
MAX_DEPTH = 64
# Teams' ids are a message's 13-digit time ("1759944781430") or "f:" and a GUID or a 19-digit
# number ("f:0b9079f4-d4d3-3d8e-b883-798298053c7e"): 128 leaves room for other channels' forms.
MAX_ACTIVITY_ID_CHARS = 128
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class BadBody(ValueError):
    """The body is not JSON the bot will read; the message says why (it is sent back)."""


def parse_body(raw: bytes) -> Any:
    """JSON from the wire, or BadBody: never RecursionError or Python's int-digits ValueError."""
    try:
        parsed = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError as error:
        raise BadBody("the body is nested too deeply") from error
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, int digits, non-finite
        raise BadBody("the body is not valid JSON") from error
    return _clean(parsed, 0)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number too large for a float")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _clean(value: Any, depth: int) -> Any:
    """The value with lone surrogates replaced in every string and key; BadBody if too deep."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\N{REPLACEMENT CHARACTER}", value)
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        raise BadBody("the body is nested too deeply")
    if isinstance(value, dict):
        return {_clean(key, depth): _clean(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item, depth + 1) for item in value]
    return value


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def missing_fields(body: dict[str, Any]) -> list[str]:
    missing = []
    for path in REQUIRED:
        value: Any = body
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, str) or not value.strip():
            missing.append(".".join(path))
    return missing


def _too_long_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) > MAX_ACTIVITY_ID_CHARS


class MessagesEndpoint:
    def __init__(self, adapter: Transport, bot: Bot, codec: Codec, *, require_https: bool) -> None:
        self._adapter, self._bot, self._codec = adapter, bot, codec
        self._require_https = require_https

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _problem(415, "activities are sent as application/json")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _problem(413, "the body is over the size limit")
        try:
            body = parse_body(raw)
        except BadBody as error:
            return _problem(400, str(error))
        if not isinstance(body, dict):
            return _problem(400, "the body is not an activity object")
        missing = missing_fields(body)
        if missing:
            return _problem(400, "the activity is missing: " + ", ".join(missing))
        too_long = [f for f in ("id", "replyToId") if _too_long_id(body.get(f))]
        if too_long:
            return _problem(
                400, f"the activity's {too_long[0]} is over {MAX_ACTIVITY_ID_CHARS} characters"
            )
        try:
            check_service_url(body["serviceUrl"], require_https=self._require_https)
        except ValueError as error:
            return _problem(400, str(error))
        try:
            activity = self._codec.load("Activity", body)
        except DeserializationError:
            return _problem(400, "the activity has fields of the wrong type")
        try:
            invoke_response = await self._adapter.process_activity(
                request.headers.get("Authorization", ""), activity, self._bot.on_turn
            )
        except BadActivity as error:  # botbuilder's reading let it through, the SDK's did not
            return _problem(400, str(error))
        except Unauthorized as error:
            log.info("auth.rejected", extra={"reason": str(error)})
            return _problem(401, "unauthorized")
        except AuthUnavailable:
            return web.json_response(
                {"error": "authentication is unavailable, try again"},
                status=503,
                headers={"Retry-After": "5"},
            )
        if invoke_response is None:
            return web.Response(status=200)
        return self._invoke_reply(invoke_response)

    def _invoke_reply(self, invoke_response: InvokeResponse) -> web.Response:
        body = invoke_response.body
        if isinstance(body, Model):
            body = self._codec.dump(body)
        if body is None:
            return web.Response(status=int(invoke_response.status))
        return web.json_response(body, status=int(invoke_response.status))
