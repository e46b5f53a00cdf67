"""The outbound connector: pooled, failures carry status and Retry-After, tokens only over https."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from azure.core.exceptions import ServiceRequestError
from botbuilder.schema import Activity

from bot.connector import (
    Codec,
    ConnectorError,
    NoToken,
    PooledConnectorFactory,
    TokenUnavailable,
    check_service_url,
    in_words,
    retry_after_seconds,
)
from bot.testing import FakeConnector


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 22, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 22 Jan 2026 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Thu, 22 Jan 2026 09:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


async def test_a_throttled_send_raises_with_status_and_retry_after(
    connector: FakeConnector,
) -> None:
    connector.fail_next(1, 429, retry_after="3")
    async with aiohttp.ClientSession() as http:
        factory = PooledConnectorFactory(http, NoToken(), Codec.create(), require_https=False)
        client = await factory.create(connector.service_url)
        message = Activity(type="message", text="hello")

        with pytest.raises(ConnectorError) as throttled:
            await client.conversations.send_to_conversation("19:abc@thread.tacv2", message)
        sent = await client.conversations.send_to_conversation("19:abc@thread.tacv2", message)

    assert (throttled.value.status, throttled.value.retry_after) == (429, 3.0)
    assert sent.id == "activity-1"
    [call] = connector.sent()
    assert call.body is not None
    assert call.body["text"] == "hello"


async def test_member_lookups_are_served(connector: FakeConnector) -> None:
    connector.members["29:abc"] = {
        "id": "29:abc",
        "name": "Priya",
        "aadObjectId": "a1",
        "email": "p@x",
    }
    async with aiohttp.ClientSession() as http:
        client = await PooledConnectorFactory(
            http, NoToken(), Codec.create(), require_https=False
        ).create(connector.service_url)
        member = await client.conversations.get_conversation_member("19:abc@thread.tacv2", "29:abc")
    assert (member.name, member.aad_object_id, member.email) == ("Priya", "a1", "p@x")


def test_with_an_app_id_the_token_only_goes_to_https_or_loopback() -> None:
    check_service_url("https://smba.trafficmanager.net/emea/", require_https=True)
    check_service_url("http://127.0.0.1:8080/", require_https=True)
    with pytest.raises(ValueError, match="https"):
        check_service_url("http://smba.example/", require_https=True)
    with pytest.raises(ValueError, match="serviceUrl"):
        check_service_url("file:///etc/passwd", require_https=False)


@pytest.mark.parametrize(
    "payload",
    [
        "message_channel_mention",
        "invoke_adaptiveCard_action",
        "conversationUpdate_membersAdded_team",
        "message_value_submit",
    ],
)
def test_the_lean_dump_writes_what_msrest_writes(payload: str) -> None:
    """Inbound payloads, a card reply built from them, and their conversation references."""
    from botbuilder.core import TurnContext
    from botframework.connector import models
    from msrest import Serializer

    from bot.replies import card_message
    from cards import render_card
    from cards.views.common import ErrorView
    from tests.conftest import ACTIVITIES

    codec = Codec.create()
    msrest = Serializer({k: v for k, v in vars(models).items() if isinstance(v, type)})
    inbound = codec.load("Activity", json.loads((ACTIVITIES / f"{payload}.json").read_text()))
    reply = TurnContext.apply_conversation_reference(
        card_message(render_card("error", ErrorView("t", "m"))),
        TurnContext.get_conversation_reference(inbound),
    )
    reply.timestamp = datetime(2026, 1, 22, 10, 0, 0, 120000, tzinfo=UTC)
    ours = [
        codec.dump(m) for m in (inbound, reply, TurnContext.get_conversation_reference(inbound))
    ]
    reply.attachments[0].content = dict(reply.attachments[0].content)  # msrest knows only dict
    theirs = [
        msrest.body(inbound, "Activity"),
        msrest.body(reply, "Activity"),
        msrest.body(TurnContext.get_conversation_reference(inbound), "ConversationReference"),
    ]
    assert ours == theirs


_KEY = ConnectionKey("smba.trafficmanager.net", 443, True, True, None, None, None)
_TEAMS_403 = json.dumps(
    {
        "error": {
            "code": "BotNotInConversationRoster",
            "message": "The bot is not part of the roster.",
        }
    }
)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            aiohttp.ClientConnectorError(_KEY, ConnectionRefusedError(111, "Connect call failed")),
            "The server could not connect to Teams at smba.trafficmanager.net (connection refused)",
        ),
        (
            aiohttp.ClientConnectorDNSError(_KEY, OSError(-2, "Name or service not known")),
            "The server could not look up smba.trafficmanager.net (DNS)",
        ),
        (aiohttp.ServerTimeoutError("read"), "Teams did not answer in time"),
        (aiohttp.ServerDisconnectedError(), "The connection to Teams broke off before it answered"),
        (
            ConnectorError(403, None, _TEAMS_403),
            "Teams refused: the bot is no longer in that chat or team, or may not post there "
            "(HTTP 403: The bot is not part of the roster.)",
        ),
        (
            ConnectorError(502, None, "<html>Bad gateway</html>"),
            "Teams' Bot Connector was unavailable (HTTP 502)",
        ),
        (
            TokenUnavailable("ServiceRequestError: boom"),
            "The bot could not get its sign-in token from Microsoft Entra ID (unreachable or busy)",
        ),
        (
            ServiceRequestError("Cannot connect to host login.microsoftonline.com"),
            "The server could not reach Microsoft Entra ID for the bot's sign-in token",
        ),
    ],
)
def test_a_failed_send_is_described_in_words_not_as_a_repr(error: Exception, words: str) -> None:
    assert in_words(error) == words
