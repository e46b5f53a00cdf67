"""`POST /api/messages`: check the request, run the turn through CloudAdapter, answer once.

Bad input never reaches the bot and never gets a 500: wrong content type 415, a body over the
limit 413, malformed JSON or an activity missing what every turn needs 400, a bad token 401.
An invoke's response body is written exactly once (stock CloudAdapter.process serialises it twice
and answers 500 for every Action.Execute that returns a card).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from azure.core.exceptions import DeserializationError  # what msrest raises
from botbuilder.core import Bot, InvokeResponse
from botbuilder.integration.aiohttp import CloudAdapter
from msrest.serialization import Model

from bot.auth import AuthUnavailable, Unauthorized
from bot.connector import Codec

log = logging.getLogger(__name__)

REQUIRED = (
    ("type",),
    ("channelId",),
    ("serviceUrl",),
    ("conversation", "id"),
    ("from", "id"),
    ("recipient", "id"),
)


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


class MessagesEndpoint:
    def __init__(self, adapter: CloudAdapter, bot: Bot, codec: Codec) -> None:
        self._adapter, self._bot, self._codec = adapter, bot, codec

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _problem(415, "activities are sent as application/json")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _problem(413, "the body is over the size limit")
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _problem(400, "the body is not valid JSON")
        if not isinstance(body, dict):
            return _problem(400, "the body is not an activity object")
        missing = missing_fields(body)
        if missing:
            return _problem(400, "the activity is missing: " + ", ".join(missing))
        try:
            activity = self._codec.load("Activity", body)
        except DeserializationError:
            return _problem(400, "the activity has fields of the wrong type")
        try:
            invoke_response = await self._adapter.process_activity(
                request.headers.get("Authorization", ""), activity, self._bot.on_turn
            )
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
