"""A vote storm (issue 28): many boroughs vote at once, some changing their votes, through the
real app over HTTP, and the outbox worker keeps Teams' real limits (the fake connector refuses
what goes over them). The shared card's updates coalesce: far fewer updates than votes go out,
the last one carries the final tally within seconds of the last vote, and nothing is lost.
On SQLite, and on PostgreSQL where FORUM_TEST_POSTGRES_URL names a server."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.app import create_app
from bot.testing import TEAMS_APP_LIMITS, TEAMS_LIMITS, BotClient, FakeConnector
from cards import plain_text
from cards.tor import TorCards
from forum_ops.db import Database
from forum_ops.db.schema import OutboxRow, TorVoteRow
from forum_ops.demo import demo_id, demo_members
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import upsert_members
from forum_ops.outbox.queue import Status
from forum_ops.ports import SystemClock
from forum_ops.tor.service import view_ballot
from tests.conftest import LIIA, NOW, make_settings
from tests.e2e.test_tor_bot import channel_cards, invoke, say, until, vote_data
from tests.support.chat import install_in_team, upload
from tests.support.outboxing import settled

VOTES = 300
CONCURRENCY = 16
DRAFT = b"# Purpose\nThe forum helps commissioners share what works.\n\n# Membership\nAll 33.\n"


@pytest.fixture
async def limited() -> AsyncIterator[FakeConnector]:
    """Teams' own limits, per conversation and per app: a message over them gets 429."""
    async with FakeConnector(limits=TEAMS_LIMITS, app_limits=TEAMS_APP_LIMITS) as fake:
        yield fake


@pytest.fixture
async def bot(any_database: Database, limited: FakeConnector) -> AsyncIterator[BotClient]:
    with any_database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    settings = make_settings(
        any_database, limited, forum_outbox_poll_seconds=0.05, forum_warm_at_start=False
    )
    server = TestServer(create_app(settings, db=any_database, jobs=[]), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield BotClient(str(server.make_url("")), http)
    await server.close()


async def test_a_storm_of_votes_shows_the_final_tally_within_seconds_and_loses_nothing(
    bot: BotClient, limited: FakeConnector, any_database: Database
) -> None:
    connector = limited
    channel = await install_in_team(bot, connector, LIIA)
    assert "ToR version 1 added" in plain_text(
        await say(bot, connector, LIIA, "", **upload(connector, DRAFT, "tor.md", "md"))
    )
    deadline = (datetime.now(UTC).date() + timedelta(days=28)).isoformat()
    assert "is open" in plain_text(await say(bot, connector, LIIA, f"tor open 1 {deadline}"))
    await until(lambda: any("Ratify" in plain_text(c) for c in channel_cards(connector, channel)))
    shared = next(c for c in channel_cards(connector, channel) if "Ratify" in plain_text(c))
    await settled(any_database)  # the ballots to members are out: only the storm is measured
    with any_database.transaction() as session:
        card_id = session.scalar(
            select(OutboxRow.sent_activity_id).where(OutboxRow.key == "tor:1:channel")
        )
    assert card_id

    # both members of all 33 boroughs vote, again and again, changing their boroughs' votes
    voters = [demo_id(la.code, n) for n in (1, 2) for la in LOCAL_AUTHORITIES]
    choices = itertools.cycle(["approve", "amend", "abstain", "approve"])
    storm = iter([(voters[i % len(voters)], next(choices)) for i in range(VOTES)])
    answered: list[float] = []

    async def voter() -> None:
        for who, choice in storm:
            data = vote_data(shared, choice) | (
                {"comment": "ICB leads"} if choice == "amend" else {}
            )
            card = await invoke(bot, connector, who, "tor.vote", data)
            assert "'s vote: " in plain_text(card)
            answered.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(voter() for _ in range(CONCURRENCY)))
    last_vote = max(answered)
    assert len(answered) == VOTES

    # the shared card as the database has it now: what the channel must come to show
    final = plain_text(TorCards().ballot(view_ballot(any_database, SystemClock(), 1)).content)
    assert "Boroughs voted 33 of 33" in final.replace(":", "")

    def updates() -> list[Any]:
        return [c for c in connector.calls
                if c.method == "PUT" and c.activity_id == card_id and c.body]  # fmt: skip

    await until(lambda: any(plain_text(c.cards[0]) == final for c in updates()), within=30)
    counted = await settled(any_database, within=30)
    # since when the card has shown the final tally for good: the first of the last updates
    # that all carry it (an earlier update may have carried the same figures)
    trailing = list(itertools.takewhile(lambda c: plain_text(c.cards[0]) == final,
                                        reversed(updates())))  # fmt: skip
    assert trailing  # nothing older came after it
    delay = trailing[-1].at - last_vote
    print(f"{VOTES} votes in {last_vote - started:.1f} s, {len(updates())} updates sent, "
          f"final tally shown {delay:.2f} s after the last vote")  # fmt: skip

    assert delay < 5.0
    assert len(updates()) < VOTES / 3  # coalesced, not one an update a vote
    # nothing lost: every update either went or was replaced by a newer one; none refused
    with any_database.transaction() as session:
        tallies = session.scalar(select(func.count()).where(OutboxRow.key.like("tor:1:tally:%")))
        boroughs = session.scalar(select(func.count(func.distinct(TorVoteRow.borough))))
    assert tallies == VOTES
    assert [counted[s] for s in (Status.QUEUED, Status.SENDING, Status.FAILED, Status.DEAD)] == [
        0, 0, 0, 0]  # fmt: skip
    assert counted[Status.SUPERSEDED] == VOTES - len(updates())
    assert boroughs == 33
    assert not [a for a in connector.attempts if a.conversation_id == channel and a.status == 429]
