"""The Messenger port over the outbox: queued in the caller's transaction, delivered by the
real app's worker to the fake connector (1:1, channel, opening a chat, update, withdraw)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.testing import BotClient, FakeConnector
from cards import render_card
from cards.views.common import ReportView
from forum_ops.db import Database
from forum_ops.errors import NotReachable
from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.outbox.queue import Status, counts
from forum_ops.ports import Delivery
from tests.conftest import NOW, make_settings, serve
from tests.support.outboxing import FAST, place, remember, settled


def card(title: str):  # type: ignore[no-untyped-def]
    return render_card("report", ReportView(title=title, subtitle="For the March meeting"))


PLACE = ConversationPlace(
    "19:group@thread.v2", "groupChat", "tenant", None, None, {"conversation": {"id": "19:g"}}
)


@pytest.fixture
async def worker(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    async for client in serve(make_settings(database, connector, **FAST), database):
        yield client


def test_a_message_goes_only_if_its_unit_of_work_commits(any_database: Database) -> None:
    with any_database.transaction() as session:
        remember_conversation(session, PLACE, NOW)

    def fail_after_queueing() -> None:
        with any_database.transaction() as session:
            OutboxMessenger(session, NOW).to_conversation(
                PLACE.conversation_id, card("Agenda"), Delivery("agenda:g", "agenda")
            )
            raise RuntimeError("the domain change failed")

    with pytest.raises(RuntimeError):
        fail_after_queueing()
    with any_database.transaction() as session:
        assert counts(session)[Status.QUEUED] == 0
        key = OutboxMessenger(session, NOW).to_conversation(
            PLACE.conversation_id, card("Agenda"), Delivery("agenda:g", "agenda")
        )
    with any_database.transaction() as session:
        assert key == "agenda:g"
        assert counts(session)[Status.QUEUED] == 1


def test_nobody_to_reach_is_refused_before_anything_is_queued(any_database: Database) -> None:
    with any_database.transaction() as session:
        messenger = OutboxMessenger(session, NOW)
        with pytest.raises(NotReachable):
            messenger.to_member("aad-without-chat", card("Agenda"), Delivery("k1", "agenda"))
        with pytest.raises(NotReachable):
            messenger.to_channel(card("Agenda"), Delivery("k2", "agenda"))
        with pytest.raises(NotReachable):
            messenger.withdraw("never-sent", Delivery("k3", "agenda"))
        assert counts(session)[Status.QUEUED] == 0


async def test_cards_reach_a_member_and_the_channel_then_are_updated_and_withdrawn(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    remember(
        database,
        place(connector, "a:priya", "personal", "aad-priya"),
        place(connector, "19:forum@thread.tacv2", "channel"),
    )
    with database.transaction() as session:
        messenger = OutboxMessenger(session, NOW)
        to_priya = messenger.to_member("aad-priya", card("Agenda"), Delivery("agenda:p", "agenda"))
        again = messenger.to_member("aad-priya", card("Agenda"), Delivery("agenda:p", "agenda"))
        messenger.to_channel(card("Agenda"), Delivery("agenda:channel", "agenda"))
    assert to_priya == again == "agenda:p"
    await settled(database)

    with database.transaction() as session:
        messenger = OutboxMessenger(session, NOW)
        messenger.update(to_priya, card("Agenda, revised"), Delivery("agenda:p:v2", "agenda"))
        messenger.withdraw("agenda:channel", Delivery("agenda:channel:gone", "agenda"))
    assert (await settled(database))[Status.SENT] == 4

    sent = [(c.method, c.conversation_id) for c in connector.calls]
    assert sent[:2] == [("POST", "a:priya"), ("POST", "19:forum@thread.tacv2")]  # one per key
    assert sorted(sent[2:]) == [("DELETE", "19:forum@thread.tacv2"), ("PUT", "a:priya")]
    [update] = [c for c in connector.calls if c.method == "PUT"]
    assert update.activity_id == "activity-1"  # the card Priya got is the one replaced
    assert update.cards[0]["body"][0]["text"] == "Agenda, revised"


async def test_a_member_without_a_chat_gets_one_opened_from_the_team(
    worker: BotClient, connector: FakeConnector, database: Database
) -> None:
    remember(database, place(connector, "19:forum@thread.tacv2", "channel"))
    with database.transaction() as session:
        OutboxMessenger(session, NOW).to_member(
            "aad-sam", card("Welcome"), Delivery("welcome:sam", "welcome")
        )
    await settled(database)
    with database.transaction() as session:
        OutboxMessenger(session, NOW).update(
            "welcome:sam", card("Welcome back"), Delivery("welcome:sam:v2", "welcome")
        )
    await settled(database)

    assert connector.opened()[0]["members"][0]["id"] == "aad-sam"
    [update] = [c for c in connector.calls if c.method == "PUT"]
    assert update.conversation_id == "a:1to1-aad-sam"  # the chat opened, not the stand-in
