"""A card action (an `adaptiveCard/action` invoke) redelivered with its id changes nothing more
and is answered with the same card each time: ToR votes, ask replies, takeaway saves and
directory decisions. One whose change committed but whose card was never given (the server was
killed between the two) is answered with its card, still changing nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.testing import BotClient, FakeConnector
from cards import plain_text
from cards.tor import TorCards
from cards.views.common import LONDON
from cards.views.tor import Rules
from forum_ops.db import Database
from forum_ops.db.schema import (
    AskReplyRow,
    AskRouteRow,
    AskRow,
    DirectoryEntryRow,
    MeetingRow,
    OutboxRow,
    ProcessedActivityRow,
    TakeawayRow,
    TorVoteEventRow,
    TorVoteRow,
)
from forum_ops.members.registry import find_member
from forum_ops.outbox.messaging import OutboxMessenger
from forum_ops.tor.service import add_version, open_ratification
from tests.conftest import CAMDEN, LIIA, activity, make_settings, serve
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import say
from tests.support.directory import TRANSPORT_NETWORK as TRANSPORT
from tests.support.fakes import FakeClock
from tests.support.outboxing import place, remember

CARD = "application/vnd.microsoft.card.adaptive"
TOR = b"# Purpose\nThe forum helps commissioners share what works.\n\n# Membership\nAll 33.\n"


async def press(
    bot: BotClient, connector: FakeConnector, who: str, id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """`who` presses an Action.Execute button in their 1:1 chat: the invoke's answer."""
    value = {"action": {"type": "Action.Execute", "verb": data["verb"], "data": data}}
    invoke = activity(
        "invoke_adaptiveCard_action", connector, id=id, value=value,
        **{"from.aadObjectId": who, "conversation.conversationType": "personal",
           "conversation.id": f"a:chat-{who}", "conversation.isGroup": False},
    )  # fmt: skip
    status, body = await bot.post(invoke)
    assert status == 200
    assert body["type"] == CARD
    assert_valid_card(body["value"])
    return dict(body)


def count(database: Database, *columns: Any) -> tuple[int, ...]:
    with database.transaction() as session:
        return tuple(int(session.scalar(select(c)) or 0) for c in columns)


def open_vote(database: Database) -> dict[str, Any]:
    now = datetime.now(UTC)  # the app's clock
    with database.transaction() as session:
        secretariat = find_member(session, LIIA)
    assert secretariat is not None
    version = add_version(database, FakeClock(now), LIIA, "tor.md", TOR)
    opened = open_ratification(
        database, FakeClock(now), secretariat, version.number, now + timedelta(days=10),
        Rules.of(0.5, 0.5), TorCards(), lambda session, at: OutboxMessenger(session, at),
    )  # fmt: skip
    ballot = opened.ballot
    return {"verb": "tor.vote", "ratification": ballot.ratification_id,
            "hash": ballot.content_hash, "choice": "approve", "comment": "", "borough": "202"}  # fmt: skip


def ask_message(connector: FakeConnector, id: str, text: str) -> dict[str, Any]:
    return activity(
        "message_channel_mention", connector, id=id, text=text,
        **{"from.aadObjectId": LIIA, "conversation.conversationType": "personal",
           "conversation.id": f"a:chat-{LIIA}", "conversation.isGroup": False, "entities": []},
    )  # fmt: skip


Case = Callable[[BotClient, FakeConnector, Database], Awaitable[tuple[str, dict[str, Any]]]]


async def a_vote(bot: BotClient, connector: FakeConnector, db: Database) -> tuple[str, Any]:
    return CAMDEN, open_vote(db)


async def an_ask_reply(bot: BotClient, connector: FakeConnector, db: Database) -> tuple[str, Any]:
    remember(db, place(connector, f"a:chat-{CAMDEN}", aad_object_id=CAMDEN))  # reachable
    await say(bot, connector, LIIA, "ask Has anyone a draft S75 agreement for therapies?")
    with db.transaction() as session:
        ask, responder = session.execute(
            select(AskRouteRow.ask_id, AskRouteRow.responder_aad)
        ).one()
    assert responder == CAMDEN  # the only other member
    return CAMDEN, {"verb": "ask.reply", "ask": ask, "text": "Ours is on the forum's SharePoint."}


async def a_takeaway_save(
    bot: BotClient, connector: FakeConnector, db: Database
) -> tuple[str, Any]:
    now = datetime.now(UTC)
    with db.transaction() as session:
        meeting = MeetingRow(
            day="2026-11-19", starts_at=now - timedelta(days=18), minutes=90, theme="Transport",
            status="planned", origin="secretariat", chair_aad=CAMDEN, chair_org="202",
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(meeting)
        session.flush()
        meeting_id = meeting.id
    return CAMDEN, {"verb": "takeaway.save", "meeting": meeting_id, "title": "Joint panels",
                    "insight": "One panel for health and care cut delays.", "tool": ""}  # fmt: skip


async def a_directory_decision(
    bot: BotClient, connector: FakeConnector, db: Database
) -> tuple[str, Any]:
    await press(bot, connector, CAMDEN, "suggest-1", {"verb": "directory.suggest", **TRANSPORT})
    with db.transaction() as session:
        entry = session.scalar(select(DirectoryEntryRow.id))
    return LIIA, {"verb": "directory.decline", "entry": entry}


def what_changed(database: Database) -> tuple[int, ...]:
    """Every row a card action here may add or change, and the boroughs' changes of vote."""
    declined = select(func.count(DirectoryEntryRow.id)).where(
        DirectoryEntryRow.status == "declined"
    )
    with database.transaction() as session:
        return tuple(
            int(session.scalar(query) or 0)
            for query in (
                select(func.count(TorVoteEventRow.id)),
                select(func.coalesce(func.sum(TorVoteRow.changes), 0)),
                select(func.count(AskReplyRow.id)),
                select(func.count(TakeawayRow.meeting_id)),
                declined,
                select(func.count(OutboxRow.id)),
            )
        )


@pytest.mark.parametrize(
    "case",
    [a_vote, an_ask_reply, a_takeaway_save, a_directory_decision],
    ids=["tor.vote", "ask.reply", "takeaway.save", "directory.decline"],
)
async def test_the_same_card_action_three_times_changes_once_and_answers_the_same(
    case: Case, bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    who, data = await case(bot, connector, database)
    before = what_changed(database)

    answers = [await press(bot, connector, who, "press-1", data) for _ in range(3)]
    after_one = what_changed(database)
    await press(bot, connector, who, "press-2", data)  # a second press is a second action

    assert after_one != before  # the first delivery changed what it changes
    assert answers[1] == answers[0]
    assert answers[2] == answers[0]
    assert "didn't work" not in plain_text(answers[0]["value"])
    if data["verb"] == "tor.vote":  # one vote event, no change counted; the second press is one
        assert (after_one[0], after_one[1]) == (1, 0)
        assert what_changed(database)[:2] == (2, 1)
    if data["verb"] == "ask.reply":
        assert after_one[2] == 1


async def test_a_vote_whose_card_was_never_given_is_answered_and_counted_once(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    """The vote committed, then the server died before the card was given (as a kill -9 leaves
    it: the key stored with the change, no answer kept): the redelivery is given the voter's
    card, and nothing is counted again."""
    data = open_vote(database)
    first = await press(bot, connector, CAMDEN, "vote-1", data)
    changed = what_changed(database)
    earlier = datetime.now(UTC) - timedelta(minutes=7)  # the first delivery came 7 minutes ago
    with database.transaction() as session:
        session.execute(
            update(ProcessedActivityRow).values(replied_at=None, response=None, received_at=earlier)
        )
        session.execute(update(TorVoteRow).values(cast_at=earlier))
        session.execute(update(TorVoteEventRow).values(cast_at=earlier))

    again = await press(bot, connector, CAMDEN, "vote-1", data)
    third = await press(bot, connector, CAMDEN, "vote-1", data)

    assert what_changed(database) == changed
    assert "Camden's vote: Approve, cast by Priya Shah" in plain_text(again["value"])
    # the card it was given then: cast when it was first received, not at the redelivery
    at = earlier.astimezone(LONDON)
    assert f"{at.day} {at:%B %Y}, {at:%H:%M}" in plain_text(again["value"])
    assert "didn't work" not in plain_text(first["value"])
    assert third == again  # the card given is kept now


async def test_a_redelivered_ask_is_asked_once_and_answered_once(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    """A message turn (the `ask` command) redelivered: one ask, one reply."""
    message = ask_message(connector, "ask-1", "ask Has anyone a draft S75 agreement for therapies?")
    for _ in range(3):
        assert (await bot.post(message))[0] == 200
    assert count(database, func.count(AskRow.id)) == (1,)
    assert len([c for c in connector.sent() if c.activity_id == "ask-1"]) == 1


async def test_a_redelivered_takeaway_save_does_not_undo_a_later_one(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    who, draft = await a_takeaway_save(bot, connector, database)
    better = {**draft, "title": "Joint panels for health and care"}
    await press(bot, connector, who, "save-1", draft)
    await press(bot, connector, who, "save-2", better)
    await press(bot, connector, who, "save-1", draft)  # Teams redelivers the first save
    with database.transaction() as session:
        assert session.scalar(select(TakeawayRow.title)) == "Joint panels for health and care"


async def test_two_replicas_given_the_same_activities_at_once_act_once_and_answer_alike(
    any_database: Database, connector: FakeConnector
) -> None:
    """Teams redelivers to another replica while the first still works on the activity: on one
    database (SQLite, PostgreSQL) each vote counts once and both replicas answer with the same
    card; each `ask` is asked once and answered once."""
    data = open_vote(any_database)
    settings = make_settings(any_database, connector)
    first, second = serve(settings, any_database), serve(settings, any_database)
    one, other = await anext(first), await anext(second)
    try:
        for n, choice in enumerate(("approve", "abstain", "approve", "abstain")):
            vote = {**data, "choice": choice, "comment": f"round {n}"}
            answers = await asyncio.gather(
                press(one, connector, CAMDEN, f"vote-{n}", vote),
                press(other, connector, CAMDEN, f"vote-{n}", vote),
            )
            assert answers[0] == answers[1]
        asks = [ask_message(connector, f"ask-{n}", f"ask Who has a S75 template? ({n})")
                for n in range(4)]  # fmt: skip
        for message in asks:
            statuses = await asyncio.gather(one.post(message), other.post(message))
            assert [status for status, _ in statuses] == [200, 200]
    finally:
        for replica in (first, second):
            with pytest.raises(StopAsyncIteration):
                await anext(replica)
    assert what_changed(any_database)[:2] == (4, 3)  # four votes: the first and three changes
    assert count(any_database, func.count(AskRow.id)) == (4,)
    for message in asks:
        assert len([c for c in connector.sent() if c.activity_id == message["id"]]) == 1
