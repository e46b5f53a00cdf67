"""The domain never calls up into bot/ while it serves a request (issue 26): an ask, a ToR
vote and the meetings.cycle job's agenda step, over HTTP to the real app and through its real
scheduler, with every call from forum_ops/ into bot/ recorded (tests/support/callsup.py).
Before the outbox messenger, the clock and the cycle's cards moved out of bot/ (main ac7449d),
an ask made 6 calls up (clock, messenger factory, the messenger 4 times), a vote 3 (clock,
factory, update) and the agenda step 81 besides the job's entry (the factory, the agenda and
chair cards drawn in bot/, the messenger 77 times, one per member and the channel)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.features import JOBS
from bot.testing import BotClient, FakeConnector, wait_healthy
from cards import plain_text
from forum_ops.db import Database
from forum_ops.demo import demo_id, demo_members
from forum_ops.meetings.service import seed_year_one
from forum_ops.members.registry import upsert_members
from tests.conftest import CAMDEN, LIIA, NOW, make_settings
from tests.e2e.test_asks_bot import forum, in_channel, running
from tests.e2e.test_tor_bot import channel_cards, invoke, say, until, vote_data
from tests.support.callsup import CallsUp, watching
from tests.support.chat import install_in_team, upload
from tests.support.fakes import FakeCalendar, FakeClock
from tests.support.outboxing import FAST, place, remember, settled

assert forum  # the asks' fixture, used below by name

DRAFT = b"# Purpose\nThe forum helps commissioners share what works.\n"


def beyond_job_entries(up: dict[str, int]) -> dict[str, int]:
    """The calls up, less the scheduler starting a job at its entry: a job is declared with its
    handler on bot/'s side (bot/features.py), as a request enters through bot/'s endpoint."""
    return {call: n for call, n in up.items() if not call.startswith("Scheduler.run -> ")}


@pytest.fixture(autouse=True)
def calls() -> Iterator[CallsUp]:
    with watching() as watcher:
        yield watcher


async def test_an_ask_calls_nothing_in_bot_from_the_domain(
    forum: Database, connector: FakeConnector, calls: CallsUp
) -> None:
    async for bot in running(forum, connector):
        with calls.recorded() as up:
            answer = await in_channel(bot, connector, CAMDEN, "ask Has anyone a draft S75?")
            await settled(forum)
        assert "sent to 3 colleagues" in plain_text(answer)
    assert beyond_job_entries(up) == {}


async def test_a_tor_vote_calls_nothing_in_bot_from_the_domain(
    database: Database, connector: FakeConnector, calls: CallsUp
) -> None:
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    settings = make_settings(database, connector, forum_outbox_poll_seconds=0.05)
    app = create_app(settings, db=database, clock=FakeClock(NOW))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        bot = BotClient(str(server.make_url("")), http)
        channel = await install_in_team(bot, connector, LIIA)
        await say(bot, connector, LIIA, "", **upload(connector, DRAFT, "tor.md", "md"))
        await say(bot, connector, LIIA, "tor open 1 2026-02-06")
        await until(
            lambda: any("Ratify" in plain_text(c) for c in channel_cards(connector, channel))
        )
        shared = next(c for c in channel_cards(connector, channel) if "Ratify" in plain_text(c))
        with calls.recorded() as up:
            card = await invoke(
                bot, connector, demo_id("202", 1), "tor.vote", vote_data(shared, "approve")
            )
        assert "Camden's vote: Approve" in plain_text(card)
    await server.close()
    assert beyond_job_entries(up) == {}


async def test_the_cycle_agenda_step_calls_nothing_in_bot_from_the_domain(
    database: Database, connector: FakeConnector, calls: CallsUp
) -> None:
    with database.transaction() as session:
        seed_year_one(session, datetime(2025, 12, 1, tzinfo=UTC))
        upsert_members(session, demo_members(), NOW)
    channel = "19:forum@thread.tacv2"
    remember(database, place(connector, channel, "channel"))
    cycle = [j for j in JOBS if j.name == "meetings.cycle"]
    settings = make_settings(database, connector, forum_scheduler_poll_seconds=0.05, **FAST)
    clock = FakeClock(datetime(2026, 1, 15, 9, 1, tzinfo=UTC))  # 7 days before 22 January
    with calls.recorded() as up:
        app = create_app(settings, db=database, calendar=FakeCalendar(), jobs=cycle, clock=clock)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        await wait_healthy(str(server.make_url("")).rstrip("/"), within=60, poll=0.01)
        clock.at = datetime(2026, 1, 15, 9, 16, tzinfo=UTC)  # the job's next quarter hour
        await until(
            lambda: any("Agenda" in plain_text(c) for c in channel_cards(connector, channel)),
            within=60,
        )
        await server.close()
    # the scheduler starts the job at its entry, declared on bot/'s side (bot/features.py names
    # bot/commands/meetings/cycle.py:cycle, which gives the job its presenter); below it, none
    entry = {call: n for call, n in up.items() if call.startswith("Scheduler.run -> ")}
    assert sum(entry.values()) <= 1
    assert {call: n for call, n in up.items() if call not in entry} == {}
