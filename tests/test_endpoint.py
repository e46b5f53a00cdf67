"""Bad input at the HTTP boundary: a clear status, never a 500, nothing processed."""

from __future__ import annotations

import json

import pytest

from bot.testing import BotClient, FakeConnector
from tests.conftest import CAMDEN, activity


async def test_malformed_json_is_400(bot: BotClient, connector: FakeConnector) -> None:
    status, body = await bot.post(b'{"type": "message", ')
    assert status == 400
    assert body == {"error": "the body is not valid JSON"}


async def test_a_json_array_is_400(bot: BotClient) -> None:
    status, _ = await bot.post(b"[1, 2]")
    assert status == 400


async def test_wrong_content_type_is_415(bot: BotClient, connector: FakeConnector) -> None:
    body = json.dumps(activity("message_channel_mention", connector)).encode()
    status, _ = await bot.post(body, content_type="text/plain")
    assert status == 415
    assert connector.sent() == []


async def test_a_body_over_256_kb_is_413(bot: BotClient, connector: FakeConnector) -> None:
    big = activity(
        "message_channel_mention",
        connector,
        text="x" * (300 * 1024),
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await bot.post(big)
    assert status == 413
    assert connector.sent() == []


@pytest.mark.parametrize("field", ["type", "serviceUrl", "conversation", "from", "channelId"])
async def test_an_activity_missing_required_fields_is_400(
    bot: BotClient, connector: FakeConnector, field: str
) -> None:
    message = activity("message_channel_mention", connector, **{"from.aadObjectId": CAMDEN})
    del message[field]
    status, body = await bot.post(message)
    assert status == 400
    assert field in body["error"]
    assert connector.sent() == []


async def test_a_field_of_the_wrong_type_is_400(bot: BotClient, connector: FakeConnector) -> None:
    message = activity(
        "message_channel_mention", connector, timestamp="not a time", **{"from.aadObjectId": CAMDEN}
    )
    status, _ = await bot.post(message)
    assert status == 400


async def test_an_unknown_activity_type_is_a_polite_no_op(
    bot: BotClient, connector: FakeConnector
) -> None:
    odd = activity(
        "message_channel_mention", connector, type="somethingNew", **{"from.aadObjectId": CAMDEN}
    )
    status, _ = await bot.post(odd)
    assert status == 200
    assert connector.sent() == []


async def test_an_unknown_invoke_is_501(bot: BotClient, connector: FakeConnector) -> None:
    invoke = activity(
        "invoke_adaptiveCard_action",
        connector,
        name="something/unknown",
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await bot.post(invoke)
    assert status == 501


async def test_a_card_action_that_is_not_execute_is_refused_without_500(
    bot: BotClient, connector: FakeConnector
) -> None:
    invoke = activity(
        "invoke_adaptiveCard_action",
        connector,
        value={"action": "junk"},
        **{"from.aadObjectId": CAMDEN},
    )
    status, body = await bot.post(invoke)
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["statusCode"] == 400


async def test_the_health_endpoint_answers(bot: BotClient) -> None:
    async with bot._http.get(bot.messages_url.replace("/api/messages", "/healthz")) as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}
