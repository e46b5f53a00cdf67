"""End to end over HTTP: real Teams payloads into the real app, replies caught by the fake connector."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.features import build_commands
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import ConversationRow, ProcessedActivityRow
from forum_ops.outbox.conversations import find_conversation
from tests.conftest import CAMDEN, LIIA, OTHER_TENANT, STRANGER, activity
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import say


def texts(card: dict) -> str:
    return plain_text(card)


async def test_install_in_a_team_welcomes_and_remembers_the_channel(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    install = activity(
        "conversationUpdate_membersAdded_team", connector, **{"from.aadObjectId": LIIA}
    )

    status, _ = await bot.post(install)

    assert status == 200
    [call] = await connector.wait_for_sent(1)  # through the outbox
    assert call.conversation_id == install["conversation"]["id"]
    assert call.activity_id is None  # a new post in the channel, not a reply to a made-up id
    [card] = call.cards
    assert_valid_card(card)
    assert "Welcome to the Pan-London SEND Commissioning Forum assistant" in texts(card)
    with database.transaction() as session:
        place = find_conversation(session, install["conversation"]["id"])
    assert place is not None
    assert place.kind == "channel"
    assert place.team_id == install["channelData"]["team"]["id"]
    assert place.reference["serviceUrl"] == connector.service_url
    assert "user" not in place.reference  # a channel's reference keeps nobody's details


async def test_help_in_a_channel_with_an_at_mention_gets_a_help_card(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> HELP",
        **{"from.aadObjectId": CAMDEN},
    )

    status, _ = await bot.post(message)

    assert status == 200
    [call] = connector.sent()
    assert call.activity_id == message["id"]  # threaded as a reply
    [card] = call.cards
    assert_valid_card(card)
    shown = texts(card)
    assert "What I can do for you" in shown
    assert "Priya Shah (Camden), as data submitter, member" in shown
    assert "whoami" in shown


async def test_whoami_shows_organisation_and_roles_from_the_registry(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> whoami",
        **{"from.aadObjectId": LIIA},
    )

    await bot.post(message)

    [card] = connector.sent_cards()
    assert_valid_card(card)
    shown = texts(card)
    assert "Sam Okafor" in shown
    assert "Organisation: London Innovation and Improvement Alliance (LIIA)" in shown
    assert "Roles: member, secretariat" in shown


async def test_anything_not_understood_gets_the_closest_commands(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> whoamm please",
        **{"from.aadObjectId": CAMDEN},
    )

    await bot.post(message)

    [card] = connector.sent_cards()
    assert_valid_card(card)
    assert "Sorry, I didn’t understand “whoamm please”." in texts(card)
    assert [a["data"] for a in card["actions"]] == [
        {"verb": "command.run", "command": "whoami", "args": "please"}
    ]


async def test_a_submit_button_is_routed_by_its_verb(
    bot: BotClient, connector: FakeConnector
) -> None:
    submit = activity(
        "message_value_submit",
        connector,
        text="",
        value={"verb": "command.run", "command": "whoami"},
        **{"from.aadObjectId": CAMDEN},
    )

    await bot.post(submit)

    [card] = connector.sent_cards()
    assert "Priya Shah" in texts(card)


async def test_a_forged_submit_is_refused_politely(
    bot: BotClient, connector: FakeConnector
) -> None:
    forged = activity(
        "message_value_submit",
        connector,
        value={"verb": "vote.cast", "borough": "202"},
        **{"from.aadObjectId": CAMDEN},
    )

    status, _ = await bot.post(forged)

    assert status == 200
    [card] = connector.sent_cards()
    assert_valid_card(card)
    assert "I don't recognise that button any more" in texts(card)


async def test_an_execute_action_is_answered_200_with_a_card(
    bot: BotClient, connector: FakeConnector
) -> None:
    invoke = activity(
        "invoke_adaptiveCard_action",
        connector,
        **{
            "from.aadObjectId": CAMDEN,
            "value.action.data": {"verb": "command.run", "command": "help"},
        },
    )

    status, body = await bot.post(invoke)

    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(body["value"])
    assert "What I can do for you" in texts(body["value"])
    assert connector.sent() == []  # the answer is the HTTP response, nothing is posted


async def test_an_execute_action_with_an_unknown_verb_gets_an_error_card(
    bot: BotClient, connector: FakeConnector
) -> None:
    invoke = activity(
        "invoke_adaptiveCard_action", connector, **{"from.aadObjectId": CAMDEN}
    )  # no verb

    status, body = await bot.post(invoke)

    assert status == 200
    assert_valid_card(body["value"])
    assert "I don't recognise that button any more" in texts(body["value"])


async def test_someone_not_in_the_registry_is_told_how_to_join_and_nothing_is_kept(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    install = activity(
        "conversationUpdate_membersAdded_team",
        connector,
        **{
            "from.aadObjectId": STRANGER,
            "conversation.conversationType": "personal",
            "conversation.id": "a:personal-chat-with-stranger",
        },
    )
    message = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> help",
        **{"from.aadObjectId": STRANGER},
    )

    await bot.post(install)
    await bot.post(message)

    cards = connector.sent_cards()
    assert len(cards) == 2
    for card in cards:
        assert_valid_card(card)
        assert "You're not in the forum's membership registry yet" in texts(card)
        assert STRANGER in texts(card)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ConversationRow)) == 0


async def test_a_tenant_not_allowed_is_refused_and_nothing_is_stored(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        tenant=OTHER_TENANT,
        text="<at>x</at> help",
        **{"from.aadObjectId": CAMDEN},
    )

    status, _ = await bot.post(message)

    assert status == 200
    [card] = connector.sent_cards()
    assert "serves the Pan-London SEND Commissioning Forum only" in texts(card)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedActivityRow)) == 0


async def test_a_redelivered_activity_is_processed_once(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        text="<at>ridotest</at> help",
        **{"from.aadObjectId": CAMDEN},
    )

    first, _ = await bot.post(message)
    second, _ = await bot.post(message)

    assert (first, second) == (200, 200)
    assert len(connector.sent()) == 1


async def test_a_hostile_message_is_echoed_literally(
    bot: BotClient, connector: FakeConnector
) -> None:
    hostile = 'zzz "quote" \\ *bold* _it_ [x](https://evil.example) <at>Bot</at> {{DATE(2026-01-01T00:00:00Z)}} 🚀'
    message = activity(
        "message_channel_mention",
        connector,
        text=f"<at>ridotest</at> {hostile}",
        **{"from.aadObjectId": CAMDEN},
    )

    await bot.post(message)

    [card] = connector.sent_cards()
    assert_valid_card(card)
    assert f"Sorry, I didn’t understand “{hostile}”." in texts(card)


async def test_in_the_emulator_the_user_id_stands_for_the_entra_id(
    bot: BotClient, connector: FakeConnector
) -> None:
    message = activity(
        "message_channel_mention",
        connector,
        channelId="emulator",
        text="whoami",
        **{"from": {"id": CAMDEN, "name": "User"}},
    )

    await bot.post(message)

    [card] = connector.sent_cards()
    assert "Priya Shah" in texts(card)


async def test_replies_reuse_connections_to_the_connector(
    bot: BotClient, connector: FakeConnector
) -> None:
    for n in range(8):
        await bot.post(
            activity(
                "message_channel_mention",
                connector,
                id=f"m{n}",
                text="help",
                **{"from.aadObjectId": CAMDEN},
            )
        )

    peers = {call.peer for call in connector.sent()}
    assert len(connector.sent()) == 8
    assert len(peers) == 1  # one pooled keep-alive connection, not one per reply


async def test_a_reply_that_fails_is_followed_by_an_apology_not_a_500(
    bot: BotClient, connector: FakeConnector
) -> None:
    connector.fail_next(1, 500)
    message = activity(
        "message_channel_mention", connector, text="help", **{"from.aadObjectId": CAMDEN}
    )

    status, _ = await bot.post(message)

    assert status == 200
    [card] = connector.sent_cards()
    assert_valid_card(card)
    assert "Sorry, something went wrong on my side" in texts(card)
    assert "Reference for the secretariat: " in texts(card)


async def test_when_even_the_apology_fails_the_turn_still_ends_cleanly(
    bot: BotClient, connector: FakeConnector
) -> None:
    connector.fail_next(2, 503, retry_after="1")
    first, _ = await bot.post(
        activity(
            "message_channel_mention",
            connector,
            id="x1",
            text="help",
            **{"from.aadObjectId": CAMDEN},
        )
    )
    second, _ = await bot.post(
        activity(
            "message_channel_mention",
            connector,
            id="x2",
            text="help",
            **{"from.aadObjectId": CAMDEN},
        )
    )

    assert (first, second) == (200, 200)
    assert len(connector.sent()) == 1  # the next message is answered normally


async def test_at_startup_keys_older_than_two_days_are_forgotten(
    database: Database, connector: FakeConnector
) -> None:
    from datetime import UTC, datetime, timedelta

    from forum_ops.turns import record_key
    from tests.conftest import make_settings, serve

    with database.transaction() as session:
        record_key(session, "from-last-week", datetime.now(UTC) - timedelta(days=7))
        record_key(session, "from-today", datetime.now(UTC))

    async for _client in serve(make_settings(database, connector), database):
        for _ in range(50):  # housekeeping runs in the background once the app has started
            with database.transaction() as session:
                keys = set(session.scalars(select(ProcessedActivityRow.key)))
            if keys == {"from-today"}:
                break
            await asyncio.sleep(0.05)
        assert keys == {"from-today"}


def mistyped(name: str) -> str:
    """The command with its second letter typed twice (`benchmark` -> `beenchmark`)."""
    return name[:2] + name[1:]


@pytest.mark.parametrize("command", [c.name for c in build_commands().listed()])
async def test_a_mistyped_command_is_suggested_with_the_words_that_followed_it(
    bot: BotClient, connector: FakeConnector, command: str
) -> None:
    card = await say(bot, connector, LIIA, f"{mistyped(command)} SEMH  secondary")

    offered = {a["data"]["command"]: a for a in card["actions"]}
    assert command in offered, plain_text(card)
    button = offered[command]
    assert button["data"] == {"verb": "command.run", "command": command, "args": "SEMH  secondary"}
    assert button["title"] == f"{command} SEMH secondary"[:39].rstrip() + "…" * (
        len(f"{command} SEMH secondary") > 40
    )


async def test_pressing_the_suggestion_runs_the_command_with_those_words(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot, connector, CAMDEN, "topcs add SEND transport")
    [button] = [a for a in card["actions"] if a["data"]["command"] == "topics"]

    answer = await say(bot, connector, CAMDEN, "", value=button["data"])

    assert "SEND transport" in texts(answer)


async def test_with_no_near_command_the_everyday_ones_are_offered_without_the_words(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot, connector, CAMDEN, "xyzzy plugh")

    assert card["actions"]
    assert all("args" not in a["data"] for a in card["actions"])
