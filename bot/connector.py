"""Outbound Bot Connector calls over one shared aiohttp session.

Stock botbuilder builds a new msrest client per turn (a fresh `requests` session, a retry policy
that scans status codes in its constructor, and a serializer that re-collects every model class),
and runs each send in the default thread pool. Here a turn's sends reuse pooled connections, a
serializer built once, and app tokens that azure-identity caches, with no threads.

The client implements the operations botbuilder calls on `turn_state[BOT_CONNECTOR_CLIENT_KEY]`
(CloudAdapterBase.send_activities / update / delete, TeamsInfo member look-ups).
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import aiohttp
from azure.core.exceptions import (
    ClientAuthenticationError,
    ServiceRequestError,
    ServiceResponseError,
)
from botbuilder.schema import Activity, ConversationResourceResponse, ResourceResponse
from botframework.connector import models as connector_models
from botframework.connector.auth import ConnectorFactory
from msrest import Deserializer
from msrest.serialization import Model

log = logging.getLogger(__name__)

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
_MODELS = {name: cls for name, cls in vars(connector_models).items() if isinstance(cls, type)}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ConnectorError(Exception):
    """The Bot Connector refused a call; `retry_after` is in seconds when the service said."""

    def __init__(self, status: int, retry_after: float | None, detail: str) -> None:
        self.status, self.retry_after, self.detail = status, retry_after, detail
        super().__init__(f"Bot Connector answered {status}: {detail[:200]}")


class TokenUnavailable(ConnectorError):
    """No app token for now: Entra ID could not be reached, or answered 429 or 5xx. Nothing was
    sent, so it is what a 503 from the Bot Connector is: transient, retried with backoff."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, None, detail)
        self.args = (f"no app token (Entra ID unreachable or busy): {detail[:200]}",)


# Errors of the network rather than of the request: a send that raised one may be tried again.
# azure-core raises ServiceRequestError when it cannot reach a host (azure-identity getting a
# token) and ServiceResponseError when the connection drops before the answer.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    aiohttp.ClientError,
    TimeoutError,
    ConnectionError,
    ServiceRequestError,
    ServiceResponseError,
)


_STATUS_WORDS = {
    400: "Teams refused the message as malformed",
    401: "Teams did not accept the bot's credentials",
    403: "Teams refused: the bot is no longer in that chat or team, or may not post there",
    404: "Teams does not know that conversation or message",
    413: "the message is too large for Teams",
    429: "Teams held the bot back for sending too much",
}


def in_words(error: BaseException) -> str:
    """What failed, in words the secretariat can act on, never an exception's repr: the outbox
    stores this as the message's last error and `outbox` shows it."""
    if isinstance(error, TokenUnavailable):
        return (
            "The bot could not get its sign-in token from Microsoft Entra ID (unreachable or busy)"
        )
    if isinstance(error, ConnectorError):
        said = _STATUS_WORDS.get(error.status) or (
            "Teams' Bot Connector was unavailable" if error.status >= 500 else "Teams refused"
        )
        return f"{said} (HTTP {error.status}{_teams_message(error.detail)})"
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"The server could not look up {error.host} (DNS)"
    if isinstance(error, aiohttp.ClientSSLError):
        return "The server could not set up a secure connection to Teams (certificate or TLS)"
    if isinstance(error, aiohttp.ClientConnectorError):
        number = error.os_error.errno
        reason = os.strerror(number) if number else type(error.os_error).__name__
        return f"The server could not connect to Teams at {error.host} ({reason.lower()})"
    if isinstance(error, TimeoutError):  # aiohttp's timeouts are TimeoutErrors too
        return "Teams did not answer in time"
    if isinstance(error, aiohttp.ServerDisconnectedError | ConnectionError | aiohttp.ClientOSError):
        return "The connection to Teams broke off before it answered"
    if isinstance(error, ServiceRequestError):
        return "The server could not reach Microsoft Entra ID for the bot's sign-in token"
    if isinstance(error, ServiceResponseError):
        return "Microsoft Entra ID's answer with the bot's sign-in token was cut off"
    if isinstance(error, aiohttp.ClientError):
        return "Teams' answer could not be read"
    return f"An unexpected {type(error).__name__}"


def _teams_message(detail: str) -> str:
    """`: <message>` from Teams' error body ({"error": {"code", "message"}}), if there is one."""
    try:
        found = json.loads(detail)["error"]["message"]
    except (ValueError, TypeError, KeyError):
        return ""
    return f": {' '.join(str(found).split())[:150]}" if found else ""


class TokenSource(Protocol):
    async def token(self) -> str | None: ...

    async def close(self) -> None: ...


class StaticToken:
    """A fixed bearer token: for tests and for tokens issued outside the app."""

    def __init__(self, value: str | None) -> None:
        self._value = value

    async def token(self) -> str | None:
        return self._value

    async def close(self) -> None:
        return None


class NoToken(StaticToken):
    """Local and emulator mode: no app id, so no bearer token."""

    def __init__(self) -> None:
        super().__init__(None)


class EntraAppToken:
    """App tokens for the Bot Connector from Microsoft Entra ID, cached by azure-identity."""

    def __init__(self, credential: Any) -> None:
        self._credential = credential

    async def token(self) -> str | None:
        try:
            access = await self._credential.get_token(BOT_FRAMEWORK_SCOPE)
        except (ServiceRequestError, ServiceResponseError) as error:
            raise TokenUnavailable(f"{type(error).__name__}: {error}") from error
        except ClientAuthenticationError as error:  # Entra answered; busy is transient, else not
            status = getattr(error.response, "status_code", None) or 0
            if status == 429 or status >= 500:
                raise TokenUnavailable(f"Entra ID answered {status}") from error
            raise
        return str(access.token)

    async def close(self) -> None:
        await self._credential.close()


@dataclass(frozen=True)
class Codec:
    """(De)serialisation of Bot Framework models, built once per app.

    Loading uses msrest's Deserializer (it checks types at the boundary). Dumping walks each
    model's own `_attribute_map`: msrest's Serializer deep-copies and re-validates every card
    on every send, about 1.4 ms an activity, the largest single cost of a turn. tests/
    test_connector.py checks that both give the same JSON.
    """

    deserializer: Deserializer

    @staticmethod
    def create() -> Codec:
        return Codec(Deserializer(_MODELS))

    def dump(self, model: Model) -> dict[str, Any]:
        dumped = to_json(model)
        assert isinstance(dumped, dict)
        return dumped

    def load(self, type_name: str, data: Any) -> Any:
        return self.deserializer(type_name, data)


class JsonReady(dict[str, Any]):
    """JSON data that needs no conversion, such as a rendered card: sent as it is, not walked."""


def to_json(value: Any) -> Any:
    """A Bot Framework model (or anything inside one) as JSON-ready data, as msrest writes it."""
    if isinstance(value, JsonReady):
        return value
    if isinstance(value, Model):
        out: dict[str, Any] = {}
        for attr, meta in value._attribute_map.items():
            item = getattr(value, attr, None)
            if item is None:
                continue
            if attr == "additional_properties" and meta["key"] == "":
                out.update(item)
            else:
                out[meta["key"]] = to_json(item)
        return out
    if isinstance(value, str | int | float | bool):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return _iso_utc(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot send a {type(value).__name__} to the Bot Connector")


def _iso_utc(when: datetime) -> str:
    """msrest's ISO-8601: UTC, 'Z', milliseconds at least, trailing zeros of microseconds dropped."""
    utc = when.astimezone(UTC) if when.tzinfo else when
    micro = str(utc.microsecond).rjust(6, "0").rstrip("0").ljust(3, "0")
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{micro}Z"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class ConnectorClient:
    """The slice of the Bot Connector REST API (v3) that the bot uses."""

    def __init__(
        self, http: aiohttp.ClientSession, service_url: str, tokens: TokenSource, codec: Codec
    ) -> None:
        self.service_url = service_url.rstrip("/") + "/"
        self._http, self._tokens, self.codec = http, tokens, codec
        self.conversations = Conversations(self)

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"User-Agent": "SEND-Forum-Assistant (botbuilder-python 4.17.1)"}
        token = await self._tokens.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = self.service_url + path
        async with self._http.request(method, url, json=body, headers=headers) as response:
            text = await response.text()
            if response.status >= 400:
                raise ConnectorError(
                    response.status, retry_after_seconds(response.headers.get("Retry-After")), text
                )
            if not text or response.content_type != "application/json":
                return None
            return await response.json(content_type=None)


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


class Conversations:
    def __init__(self, client: ConnectorClient) -> None:
        self._client = client

    async def send_to_conversation(
        self, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        body = self._client.codec.dump(activity)
        data = await self._client.call(
            "POST", _path("v3", "conversations", conversation_id, "activities"), body
        )
        return ResourceResponse(id=(data or {}).get("id"))

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        body = self._client.codec.dump(activity)
        path = _path("v3", "conversations", conversation_id, "activities", activity_id)
        data = await self._client.call("POST", path, body)
        return ResourceResponse(id=(data or {}).get("id"))

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        body = self._client.codec.dump(activity)
        path = _path("v3", "conversations", conversation_id, "activities", activity_id)
        data = await self._client.call("PUT", path, body)
        return ResourceResponse(id=(data or {}).get("id"))

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        path = _path("v3", "conversations", conversation_id, "activities", activity_id)
        await self._client.call("DELETE", path)

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> Any:
        data = await self._client.call(
            "GET", _path("v3", "conversations", conversation_id, "members", member_id)
        )
        return self._client.codec.load("TeamsChannelAccount", data)

    async def get_conversation_members(self, conversation_id: str) -> list[Any]:
        data = await self._client.call(
            "GET", _path("v3", "conversations", conversation_id, "members")
        )
        return [self._client.codec.load("TeamsChannelAccount", item) for item in data or []]

    async def create_conversation(self, parameters: Any) -> ConversationResourceResponse:
        body = self._client.codec.dump(parameters)
        data = await self._client.call("POST", "v3/conversations", body)
        return self._client.codec.load("ConversationResourceResponse", data)


class PooledConnectorFactory(ConnectorFactory):
    """Hands out clients that share the app's HTTP session, token source and codec."""

    def __init__(
        self, http: aiohttp.ClientSession, tokens: TokenSource, codec: Codec, *, require_https: bool
    ) -> None:
        self._http, self._tokens, self._codec = http, tokens, codec
        self._require_https = require_https

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        check_service_url(service_url, require_https=self._require_https)
        return ConnectorClient(self._http, service_url, self._tokens, self._codec)


def check_service_url(service_url: str | None, *, require_https: bool) -> None:
    """An http(s) URL with a host (and, if any, a valid port); with an app id the bot's token must
    only go to https endpoints (loopback allowed for tests)."""
    try:
        parts = urlsplit(service_url or "")
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        usable = False
    if not usable:
        raise ValueError("the activity has no usable serviceUrl")
    if require_https and parts.scheme != "https" and parts.hostname not in _LOOPBACK:
        raise ValueError("serviceUrl must be https when the bot has an app id")
