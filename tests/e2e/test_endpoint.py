"""Bad input at the HTTP boundary: a clear status, never a 500, nothing processed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from analytics.returns_synthetic import synthetic_returns
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import ProcessedActivityRow
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.returns.service import Submission, replace_return
from tests.conftest import (
    APP_ID,
    CAMDEN,
    NOW,
    activity,
    secured_settings,
    serve,
    signed,
)


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


async def test_an_unknown_invoke_is_400_not_5xx(bot: BotClient, connector: FakeConnector) -> None:
    invoke = activity(
        "invoke_adaptiveCard_action",
        connector,
        name="something/unknown",
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await bot.post(invoke)
    assert status == 400


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
        assert await response.json() == {"status": "ok", "ready": True, "database": "ok"}


# -- hostile bodies and fields that were 500s (issue 11, item 7) ---------------------------------


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"[" * 1000 + b"]" * 1000, "the body is nested too deeply"),  # RecursionError
        (b"[" * 100 + b"]" * 100, "the body is nested too deeply"),  # parses, but too deep to walk
        (b"1" * 4301, "the body is not valid JSON"),  # Python's int-digits limit
        (b'{"type": "message", "n": ' + b"9" * 4301 + b"}", "the body is not valid JSON"),
        (b'{"type": "message", "n": 1e999}', "the body is not valid JSON"),
        (b'{"type": "message", "n": NaN}', "the body is not valid JSON"),
    ],
)
async def test_a_body_python_cannot_parse_is_400_even_without_a_token(
    secured: BotClient, raw: bytes, error: str
) -> None:
    status, body = await secured.post(raw)
    assert (status, body) == (400, {"error": error})


async def test_a_deep_but_harmless_card_is_still_accepted(
    bot: BotClient, connector: FakeConnector
) -> None:
    nested: dict[str, object] = {"leaf": True}
    for _ in range(25):  # 50 levels: deeper than any real card, inside MAX_DEPTH
        nested = {"items": [nested]}
    message = activity(
        "message_channel_mention", connector, text="help", **{"from.aadObjectId": CAMDEN}
    )
    message["channelData"] = {"tenant": message["channelData"]["tenant"], "deep": nested}  # type: ignore[index]
    status, _ = await bot.post(message)
    assert status == 200
    assert len(connector.sent()) == 1


async def test_a_search_query_with_options_of_the_wrong_type_is_400(
    secured: BotClient, connector: FakeConnector
) -> None:
    query = activity(
        "invoke_adaptiveCard_action",
        connector,
        name="composeExtension/query",
        value={
            "commandId": "searchSchools",
            "parameters": [{"name": "searchQuery", "value": "oak"}],
            "queryOptions": {"count": []},
        },
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await secured.post(query, token=signed(connector))
    assert status == 400


@pytest.mark.parametrize("parameters", ["oak", [None], [1, 2], {"name": "searchQuery"}])
async def test_search_parameters_of_the_wrong_shape_are_400(
    bot: BotClient, connector: FakeConnector, parameters: object
) -> None:
    query = activity(
        "invoke_adaptiveCard_action",
        connector,
        name="composeExtension/query",
        value={"commandId": "searchSchools", "parameters": parameters},
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await bot.post(query)
    assert status == 400


@pytest.mark.parametrize("value", [1, "x", None, [], {"data": 1}])
async def test_an_invoke_we_do_not_serve_is_400_whatever_its_value(
    secured: BotClient, connector: FakeConnector, value: object
) -> None:
    fetch = activity(
        "invoke_adaptiveCard_action",
        connector,
        name="task/fetch",
        value=value,
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await secured.post(fetch, token=signed(connector))
    assert status == 400


async def test_a_lone_surrogate_echoed_into_an_error_card_is_a_friendly_reply(
    database: Database, connector: FakeConnector
) -> None:
    returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], total=300).placements
    with database.transaction() as session:
        for borough, frame in returns.groupby("borough"):
            replace_return(session, Submission(str(borough), "2025-26", "demo", "x"), frame, NOW)
    settings = secured_settings(database, connector)
    message = activity(
        "message_channel_mention", connector, text="top10 \ud800", **{"from.aadObjectId": CAMDEN}
    )
    async for client in serve(settings, database):
        status, _ = await client.post(json.dumps(message).encode(), token=signed(connector))

        assert status == 200
        [card] = connector.sent_cards()
        assert "I don't know a London borough called \u201c\ufffd\u201d" in plain_text(card)


async def test_a_lone_surrogate_in_an_unknown_command_is_echoed_as_a_replacement(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention", connector, text="hello \udfff", **{"from.aadObjectId": CAMDEN}
    )
    status, _ = await bot.post(json.dumps(message).encode())
    assert status == 200
    [card] = connector.sent_cards()
    assert "hello \ufffd" in plain_text(card)


@pytest.mark.parametrize(
    "service_url", ["notaurl", "http://", "ftp://x", "https://x:99999/", "http://[::1/", ""]
)
async def test_a_service_url_that_is_not_an_http_url_with_a_host_is_400(
    bot: BotClient, connector: FakeConnector, service_url: str
) -> None:
    message = activity(
        "message_channel_mention", connector, text="help", **{"from.aadObjectId": CAMDEN}
    )
    message["serviceUrl"] = service_url
    status, body = await bot.post(message)
    assert status == 400
    assert "serviceUrl" in body["error"]
    assert connector.sent() == []


async def test_with_an_app_id_a_plain_http_service_url_is_400(
    secured: BotClient, connector: FakeConnector
) -> None:
    elsewhere = "http://bot-connector.example/"
    message = activity(
        "message_channel_mention", connector, text="help", **{"from.aadObjectId": CAMDEN}
    )
    message["serviceUrl"] = elsewhere
    status, _ = await secured.post(message, token=connector.token(APP_ID, elsewhere))
    assert status == 400


@pytest.mark.parametrize(
    ("payload", "field", "length"),
    [
        ("message_channel_mention", "id", 129),
        ("message_channel_mention", "id", 200_000),
        ("invoke_adaptiveCard_action", "id", 129),
        ("message_value_submit", "replyToId", 129),
    ],
)
async def test_an_activity_id_longer_than_teams_ids_is_400_and_nothing_is_stored(
    bot: BotClient,
    connector: FakeConnector,
    database: Database,
    payload: str,
    field: str,
    length: int,
) -> None:
    """The id would be echoed into the reply's URL and kept as the turn key."""
    message = activity(payload, connector, **{"from.aadObjectId": CAMDEN, field: "1" * length})
    status, body = await bot.post(message)
    assert status == 400
    assert body == {"error": f"the activity's {field} is over 128 characters"}
    assert connector.calls == []
    with database.transaction() as session:
        assert session.scalars(select(ProcessedActivityRow)).all() == []


async def test_an_activity_id_as_long_as_teams_allows_is_answered(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        text="help",
        id="1" * 128,
        **{"from.aadObjectId": CAMDEN},
    )
    status, _ = await bot.post(message)
    assert status == 200
    [reply] = connector.sent()
    assert reply.activity_id == "1" * 128
