"""With MICROSOFT_APP_ID set: every bad token is 401, a good one is served, the loop never blocks."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.testing import BotClient, FakeConnector
from forum_ops.db import Database
from tests.conftest import (
    APP_ID,
    CAMDEN,
    OUTBOUND_TOKEN,
    activity,
    secured_settings,
    serve,
    signed,
)


def message(connector: FakeConnector) -> dict:
    return activity(
        "message_channel_mention", connector, text="<at>b</at> help", **{"from.aadObjectId": CAMDEN}
    )


async def test_no_token_is_401(secured: BotClient, connector: FakeConnector) -> None:
    status, _ = await secured.post(message(connector))
    assert status == 401
    assert connector.sent() == []


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."])
async def test_a_garbage_token_is_401(
    secured: BotClient, connector: FakeConnector, token: str
) -> None:
    status, _ = await secured.post(message(connector), token=token)
    assert status == 401


async def test_a_forged_token_is_401(secured: BotClient, connector: FakeConnector) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged_same_kid = connector.token(APP_ID, connector.service_url, key=forger)
    forged_other_kid = connector.token(APP_ID, connector.service_url, key=forger, kid="attacker")

    for token in (forged_same_kid, forged_other_kid):
        status, _ = await secured.post(message(connector), token=token)
        assert status == 401
    assert connector.sent() == []


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("app_id", "someone-elses-bot"),
        ("issuer", "https://evil.example"),
        ("expires_in", -3600),
        ("service_url", "https://elsewhere.example/"),
    ],
)
async def test_a_token_with_a_wrong_claim_is_401(
    secured: BotClient, connector: FakeConnector, change: str, value: object
) -> None:
    args: dict = {"app_id": APP_ID, "service_url": connector.service_url}
    kwargs: dict = {}
    if change in args:
        args[change] = value
    else:
        kwargs[change] = value
    token = connector.token(args["app_id"], args["service_url"], **kwargs)

    status, _ = await secured.post(message(connector), token=token)

    assert status == 401


async def test_a_token_without_the_serviceurl_claim_is_401(
    secured: BotClient, connector: FakeConnector
) -> None:
    """A channel token always names the serviceUrl it was issued for; one that does not would
    be accepted for any serviceUrl, so the bot's replies could be sent wherever the caller says."""
    anywhere = message(connector)
    anywhere["serviceUrl"] = "https://attacker.example/"
    for activity_ in (message(connector), anywhere):
        status, _ = await secured.post(activity_, token=connector.token(APP_ID, service_url=None))
        assert status == 401
    assert connector.sent() == []


async def test_a_key_not_endorsed_for_the_channel_is_401(database: Database) -> None:
    async with FakeConnector(endorsements=("skype",)) as connector:
        settings = secured_settings(database, connector)
        async for client in serve(settings, database):
            status, _ = await client.post(message(connector), token=signed(connector))
            assert status == 401


async def test_a_valid_token_is_served(secured: BotClient, connector: FakeConnector) -> None:
    status, _ = await secured.post(message(connector), token=signed(connector))
    assert status == 200
    [reply] = connector.sent()
    assert reply.authorization == f"Bearer {OUTBOUND_TOKEN}"


async def test_fetching_signing_keys_does_not_block_the_loop(
    secured: BotClient, connector: FakeConnector
) -> None:
    """While the key fetch is slow, the same server keeps answering other requests at once."""
    original = connector.app.router  # routes are frozen; slow the fake by wrapping its handler

    fetching = asyncio.Event()

    async def slow_jwks(request: web.Request) -> web.Response:
        fetching.set()
        await asyncio.sleep(1.0)
        return await jwks(request)

    resource = next(r for r in original.resources() if r.canonical == "/keys")
    route = next(r for r in resource if r.method == "GET")  # (the first is its HEAD)
    jwks = route.handler
    route._handler = slow_jwks

    token = signed(connector)
    slow = asyncio.create_task(secured.post(message(connector), token=token))
    await asyncio.wait_for(fetching.wait(), 30)  # the message's key fetch is under way
    started = time.monotonic()
    async with secured._http.get(
        secured.messages_url.replace("/api/messages", "/healthz")
    ) as health:
        assert health.status == 200
    assert time.monotonic() - started < 0.5
    status, _ = await slow
    assert status == 200


async def test_unreachable_signing_keys_are_503_not_500(database: Database) -> None:
    async with FakeConnector() as connector:
        settings = secured_settings(
            database,
            connector,
            forum_openid_metadata_url="http://127.0.0.1:9/nothing-here",
        )
        async for client in serve(settings, database):
            status, _ = await client.post(message(connector), token=signed(connector))
            assert status == 503
