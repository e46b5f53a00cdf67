"""The delivery worker, in the real app against the fake connector."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from azure.identity.aio import ClientSecretCredential
from sqlalchemy import select

from bot.app import create_app
from bot.connector import EntraAppToken, StaticToken
from bot.testing import (
    TEAMS_LIMITS,
    BotClient,
    FakeConnector,
    TokensAfterFailures,
    free_port,
)
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import OutboxRow
from forum_ops.outbox.conversations import find_conversation
from forum_ops.outbox.queue import Operation, Outgoing, Status, enqueue
from tests.conftest import (
    APP_ID,
    CAMDEN,
    LIIA,
    NOW,
    OUTBOUND_TOKEN,
    TENANT,
    activity,
    make_settings,
    secured_settings,
    serve,
    signed,
)
from tests.support.cardcheck import assert_valid_card
from tests.support.outboxing import FAST, place, put, remember, settled, text_message


@pytest.fixture
async def worker(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    async for client in serve(make_settings(database, connector, **FAST), database):
        yield client


def row(db: Database, key: str) -> OutboxRow:
    with db.transaction() as session:
        return session.scalars(select(OutboxRow).where(OutboxRow.key == key)).one()


async def test_a_429_waits_for_its_retry_after(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    connector.fail_next(1, 429, retry_after="1")
    put(database, connector, "m1", "a:one")

    await settled(database)

    throttled, sent = connector.attempts
    assert (throttled.status, sent.status) == (429, 200)
    assert sent.at - throttled.at >= 0.98
    assert row(database, "m1").attempts == 2


async def test_a_429_slows_the_whole_worker(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    connector.fail_next(1, 429, retry_after="1")
    put(database, connector, "first", "a:one")
    for _ in range(500):  # until the first attempt has been answered 429
        if connector.attempts:
            break
        await asyncio.sleep(0.01)
    put(database, connector, "other", "a:two")  # another conversation, after the 429

    await settled(database)

    throttled = connector.attempts[0]
    other = next(a for a in connector.attempts if a.conversation_id == "a:two")
    assert other.at - throttled.at >= 0.98


async def test_429s_without_retry_after_pause_the_whole_worker_longer_each_time(
    database: Database, connector: FakeConnector
) -> None:
    settings = make_settings(database, connector, **FAST, forum_outbox_throttle_seconds=0.1)
    async for _ in serve(settings, database):
        connector.fail_next(3, 429)  # no Retry-After: the worker chooses its pause
        put(database, connector, "m1", "a:one")
        await settled(database)
        connector.fail_next(1, 429)
        put(database, connector, "m2", "a:two")
        await settled(database)

    first, second, third, sent, again, sent_again = connector.attempts
    assert [a.status for a in (first, second, third, sent)] == [429, 429, 429, 200]
    # each retry waits for the pause (0.1, 0.2, 0.4 s), twice its own backoff's longest
    assert second.at - first.at >= 0.095
    assert third.at - second.at >= 0.195
    assert sent.at - third.at >= 0.395
    # once a request got through, the next 429 pauses from the start again
    assert (again.status, sent_again.status) == (429, 200)
    assert 0.095 <= sent_again.at - again.at < 0.3


@pytest.mark.parametrize("count_refused", [False, True])
async def test_a_refused_request_gives_its_place_in_the_limit_back(
    database: Database, count_refused: bool
) -> None:
    async with FakeConnector(app_limits=((2, 1.0),)) as strict:
        settings = make_settings(
            database,
            strict,
            **FAST,
            forum_outbox_tenant_limits="2/1",
            forum_outbox_count_refused=count_refused,
        )
        async for _ in serve(settings, database):
            strict.fail_next(1, 503)
            for n in range(3):
                put(database, strict, f"m{n}", f"a:{n}")
            found = await settled(database, within=10)

    assert found[Status.SENT] == 3
    assert strict.breaches == 0
    refused, *accepted = strict.attempts
    assert refused.status == 503
    first_second = [a for a in accepted if a.at - refused.at < 0.9]
    # The service counts accepted messages: the refused request posted nothing, so two others
    # still go in that second (its retry in the next). Counting refusals too, only one goes.
    assert len(first_second) == (1 if count_refused else 2)


async def test_a_503_storm_is_ridden_out(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    connector.fail_next(3, 503)
    put(database, connector, "m1", "a:one")

    found = await settled(database)

    assert found[Status.SENT] == 1
    assert [a.status for a in connector.attempts] == [503, 503, 503, 200]
    assert row(database, "m1").sent_activity_id == "activity-1"


async def test_an_entra_outage_delays_the_welcome_but_does_not_lose_it(
    database: Database, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    """login.microsoftonline.com unreachable: azure-identity raises ServiceRequestError while
    getting the app token. That is transient, as a 503 is: retried with backoff, then sent."""
    caplog.set_level(logging.INFO, logger="bot.outbox_worker")
    unreachable = EntraAppToken(  # a real azure-identity credential, its authority a closed port
        ClientSecretCredential(
            "botframework.com",
            APP_ID,
            "secret",
            authority=f"https://127.0.0.1:{free_port()}",
            retry_total=0,
        )
    )
    tokens = TokensAfterFailures(unreachable, 3, StaticToken(OUTBOUND_TOKEN))
    settings = secured_settings(database, connector, **FAST)
    server = TestServer(create_app(settings, db=database, tokens=tokens), host="127.0.0.1")
    await server.start_server()
    try:
        install = activity(
            "conversationUpdate_membersAdded_team",
            connector,
            **{"from.aadObjectId": LIIA, "membersAdded": [{"id": "28:forum-bot"}]},
        )
        install["recipient"]["id"] = "28:forum-bot"
        async with aiohttp.ClientSession() as http:
            client = BotClient(str(server.make_url("")), http)
            status, _ = await client.post(install, token=signed(connector))
            assert status == 200
            found = await settled(database)
    finally:
        await server.close()

    assert found[Status.SENT] == 1
    assert found[Status.FAILED] == 0
    assert tokens.asked == 4  # three attempts without a token, the fourth delivered
    [welcome] = connector.sent()
    assert welcome.authorization == f"Bearer {OUTBOUND_TOKEN}"
    assert "Hello everyone." in plain_text(welcome.cards[0])
    with database.transaction() as session:
        [welcomed] = session.scalars(select(OutboxRow)).all()
    assert welcomed.attempts == 4
    retries = [r for r in caplog.records if r.getMessage() == "outbox.retry"]
    assert [getattr(r, "status", None) for r in retries] == [503, 503, 503]  # as a 503 is


@pytest.mark.parametrize("status", [403, 404])
async def test_a_permanent_refusal_is_failed_without_retries(
    worker: BotClient, connector: FakeConnector, database: Database, status: int
) -> None:
    connector.fail_next(1, status)
    put(database, connector, "m1", "a:one")

    found = await settled(database)

    assert found[Status.FAILED] == 1
    assert len(connector.attempts) == 1
    assert str(status) in row(database, "m1").last_error


async def test_after_the_last_attempt_a_message_is_dead_and_the_secretariat_told_once(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    remember(database, place(connector, "a:secretariat", aad_object_id=LIIA))
    connector.fail_conversation("a:one", 503)  # both messages fail all 4 attempts
    connector.fail_conversation("a:two", 503)
    put(database, connector, "m1", "a:one")
    put(database, connector, "m2", "a:two")

    found = await settled(database)

    assert found[Status.DEAD] == 2
    notices = [c for c in connector.sent() if c.conversation_id == "a:secretariat"]
    assert len(notices) == 1  # one notice for the hour, not one per dead letter
    assert "Some messages could not be delivered" in plain_text(notices[0].cards[0])


async def test_teams_limits_per_conversation_are_never_exceeded(database: Database) -> None:
    async with FakeConnector(limits=TEAMS_LIMITS) as strict:
        async for _ in serve(make_settings(database, strict, **FAST), database):
            for n in range(20):
                put(database, strict, f"a{n}", "a:busy")
            for n in range(10):
                put(database, strict, f"b{n}", "a:quiet")

            found = await settled(database, within=30)

    assert found[Status.SENT] == 30
    assert strict.breaches == 0
    busy = [a.at for a in strict.attempts if a.conversation_id == "a:busy"]
    assert busy[-1] - busy[0] >= 4.0  # 20 messages at 8 per 2 seconds take at least 4 s
    in_order = [c.body["text"] for c in strict.sent() if c.conversation_id == "a:busy"]
    assert in_order == [f"a{n}" for n in range(20)]


async def test_a_send_slower_than_its_lease_goes_once(database: Database) -> None:
    """The worker holding a message does not claim it again when its lease runs out while it
    is being sent (a slow service, a loaded machine): only another worker may, as after a kill."""
    async with FakeConnector(latency=0.6) as slow:
        settings = make_settings(database, slow, **FAST, forum_outbox_lease_seconds=0.5)
        async for _ in serve(settings, database):
            for n in range(3):
                put(database, slow, f"m{n}", "a:slow")
            await settled(database, within=30)

    assert [c.body["text"] for c in slow.sent()] == ["m0", "m1", "m2"]


async def test_a_sent_card_can_be_updated_and_withdrawn(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    put(database, connector, "vote:1", "a:one")
    await settled(database)
    put(
        database,
        connector,
        "vote:1:tally",
        "a:one",
        operation=Operation.UPDATE,
        target_key="vote:1",
    )
    put(
        database,
        connector,
        "vote:1:withdraw",
        "a:one",
        operation=Operation.DELETE,
        target_key="vote:1",
    )

    await settled(database)

    sent_id = row(database, "vote:1").sent_activity_id
    assert [(c.method, c.activity_id) for c in connector.calls] == [
        ("POST", None),
        ("PUT", sent_id),
        ("DELETE", sent_id),
    ]


async def test_the_secretariat_announces_to_the_channel_and_every_member(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    remember(
        database,
        place(connector, "19:forum@thread.tacv2", kind="channel"),
        place(connector, "a:camden", aad_object_id=CAMDEN),
        place(connector, "a:liia", aad_object_id=LIIA),
    )
    command = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> announce The *March* meeting moves to 10:30",
        **{"from.aadObjectId": LIIA, "conversation.id": "a:liia"},
    )

    status, _ = await worker.post(command)
    await settled(database)

    assert status == 200
    confirmation = connector.sent()[0]
    assert "Announcement queued" in plain_text(confirmation.cards[0])
    assert "Members 1:1: 2" in plain_text(confirmation.cards[0])
    announcements = connector.sent()[1:]
    assert sorted(c.conversation_id for c in announcements) == [
        "19:forum@thread.tacv2",
        "a:camden",
        "a:liia",
    ]
    for call in announcements:
        [card] = call.cards
        assert_valid_card(card)
        assert "The *March* meeting moves to 10:30" in plain_text(card)


async def test_an_announcement_opens_a_chat_with_members_who_have_none(
    worker: BotClient, connector: FakeConnector, database: Database, transport: str
) -> None:
    remember(
        database,
        place(connector, "19:forum@thread.tacv2", kind="channel"),
        place(connector, "a:camden", aad_object_id=CAMDEN),
    )  # the secretariat has never chatted with the bot 1:1
    command = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> announce Papers are out",
        **{"from.aadObjectId": LIIA, "conversation.id": "19:forum@thread.tacv2"},
    )

    await worker.post(command)
    await settled(database)

    confirmation = plain_text(connector.sent()[0].cards[0])
    assert "Members 1:1: 1" in confirmation
    assert "New 1:1 chats: 1" in confirmation
    [opening] = connector.opened()
    assert opening["members"] == [{"id": LIIA}]
    assert opening["isGroup"] is False
    assert opening["channelData"]["tenant"]["id"] == TENANT  # where Teams looks for it
    # the parameters' own field, as each SDK spells it (so this also shows which one sent it)
    assert opening[{"botbuilder": "tenantID", "agents": "tenantId"}[transport]] == TENANT
    opened = f"a:1to1-{LIIA}"
    [card] = next(c for c in connector.sent() if c.conversation_id == opened).cards
    assert "Papers are out" in plain_text(card)
    with database.transaction() as session:
        chat = find_conversation(session, opened)
    assert chat is not None
    assert (chat.kind, chat.aad_object_id) == ("personal", LIIA)

    # the chat is known now: the next announcement goes straight to it
    await worker.post(
        activity(
            "message_channel_mention",
            connector,
            text="announce Again",
            **{"from.aadObjectId": LIIA, "conversation.id": "19:forum@thread.tacv2"},
        )
    )
    await settled(database)
    assert len(connector.opened()) == 1
    assert [c for c in connector.sent() if c.conversation_id == opened][-1].cards


async def test_a_chat_teams_will_not_open_is_failed_without_retries(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    remember(database, place(connector, "19:forum@thread.tacv2", kind="channel"))
    connector.fail_conversation(FakeConnector.OPENING + CAMDEN, 403)  # app not installed for them
    command = activity(
        "message_channel_mention",
        connector,
        text="announce Papers are out",
        **{"from.aadObjectId": LIIA, "conversation.id": "19:forum@thread.tacv2"},
    )

    await worker.post(command)
    found = await settled(database)

    assert found[Status.FAILED] == 1
    assert [a.status for a in connector.attempts if a.conversation_id.endswith(CAMDEN)] == [403]
    failed = row(database, f"announce:{_announcement_id(database)}:open:{CAMDEN}")
    assert "403" in failed.last_error
    assert f"a:1to1-{LIIA}" in {c.conversation_id for c in connector.sent()}  # the others go


def _announcement_id(db: Database) -> str:
    with db.transaction() as session:
        keys = session.scalars(select(OutboxRow.key).where(OutboxRow.purpose == "announce"))
        return next(k.split(":")[1] for k in keys)


async def test_only_the_secretariat_can_announce(
    worker: BotClient, connector: FakeConnector
) -> None:
    command = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> announce hello",
        **{"from.aadObjectId": CAMDEN},
    )

    await worker.post(command)

    [card] = connector.sent_cards()
    assert "Only the forum's secretariat can use announce" in plain_text(card)


async def test_outbox_shows_counts_and_dead_letters(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    connector.fail_next(4, 502)
    put(database, connector, "agenda:2026-01-22:org-202", "a:one")
    await settled(database)

    await worker.post(
        activity("message_channel_mention", connector, text="outbox", **{"from.aadObjectId": LIIA})
    )

    card = connector.sent_cards()[-1]
    assert_valid_card(card)
    shown = plain_text(card)
    assert "dead: 1" in shown
    assert "test to a personal chat, 4 attempts." in shown
    assert "502" in shown


async def test_outbox_says_in_words_what_failed_and_what_happens_next(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    """A message to a Bot Connector nobody answers at: the secretariat reads what failed and
    what happens next, not an exception's repr."""
    closed = f"http://127.0.0.1:{free_port()}"
    gone = place(connector, "a:gone")
    nowhere = dataclasses.replace(gone, reference={**gone.reference, "serviceUrl": closed})
    with database.transaction() as session:
        enqueue(session, Outgoing("gone", "announce", nowhere, text_message("gone")), NOW)
    await settled(database)

    await worker.post(
        activity("message_channel_mention", connector, text="outbox", **{"from.aadObjectId": LIIA})
    )

    card = connector.sent_cards()[-1]
    assert_valid_card(card)
    shown = plain_text(card)
    assert "announce to a personal chat, 4 attempts." in shown
    assert "The server could not connect to Teams at 127.0.0.1 (connection refused)" in shown
    assert "What happens next: these are not tried again" in shown
    for raw in ("ClientConnectorError", "ConnectionKey", "network:", "ssl:"):
        assert raw not in shown
