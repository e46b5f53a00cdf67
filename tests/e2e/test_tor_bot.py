"""The ToR ratification end to end: real Teams-shaped activities over HTTP to the real app (two
replicas on one database), replies and proactive messages caught on the fake Bot Connector, and
a clock the test moves."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.teams import FILE_DOWNLOAD_INFO
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from cards.tor import TorCards
from forum_ops.db import Database
from forum_ops.db.schema import JobOccurrenceRow, OutboxRow, TorVersionRow, TorVoteRow
from forum_ops.demo import demo_id, demo_members
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import upsert_members
from forum_ops.scheduler.store import Status, occurrence_key
from tests.conftest import LIIA, NOW, OTHER_TENANT, STRANGER, activity, make_settings
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import in_chat, install_in_team, upload
from tests.support.docxbomb import empty_paragraphs_docx
from tests.support.fakes import FakeClock
from tests.support.outboxing import settled
from tests.support.scheduled_jobs import occurrence_reaches

DRAFT = b"# Purpose\nThe forum helps commissioners share what works.\n\n# Membership\nAll 33.\n"
FAST = {"forum_scheduler_poll_seconds": 0.05, "forum_outbox_poll_seconds": 0.05}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)  # Thursday 22 January 2026, 10:00


async def replica(
    database: Database, connector: FakeConnector, clock: FakeClock
) -> AsyncIterator[BotClient]:
    settings = make_settings(database, connector, **FAST)
    server = TestServer(create_app(settings, db=database, clock=clock), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield BotClient(str(server.make_url("")), http)
    await server.close()


@pytest.fixture
async def bots(
    database: Database, connector: FakeConnector, clock: FakeClock
) -> AsyncIterator[tuple[BotClient, BotClient]]:
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    first, second = replica(database, connector, clock), replica(database, connector, clock)
    yield await anext(first), await anext(second)
    for gen in (first, second):
        with pytest.raises(StopAsyncIteration):
            await anext(gen)


async def say(
    bot: BotClient, connector: FakeConnector, who: str, text: str, **more: Any
) -> dict[str, Any]:
    """The bot's answer in `who`'s 1:1 chat (not the latest card sent anywhere: the outbox may
    post to the channel meanwhile)."""
    id = f"m-{text[:10]}-{len(connector.calls)}"
    message = in_chat(connector, who, text, id=id, **more)
    status, _ = await bot.post(message)
    assert status == 200
    chat = message["conversation"]["id"]  # type: ignore[index]
    [*_, card] = [card for c in connector.sent() if c.conversation_id == chat for card in c.cards]
    return card


async def invoke(
    bot: BotClient, connector: FakeConnector, who: str, verb: str, data: dict[str, Any]
) -> dict[str, Any]:
    """An `adaptiveCard/action` invoke; the card Teams would show the clicker."""
    status, body = await bot.post(
        activity(
            "invoke_adaptiveCard_action",
            connector,
            value={
                "action": {"type": "Action.Execute", "verb": verb, "data": data},
                "trigger": "manual",
            },
            **{"from.aadObjectId": who},
        )
    )
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(body["value"])
    return dict(body["value"])


def vote_data(card: dict[str, Any], choice: str) -> dict[str, Any]:
    [execute] = [a for a in card["actions"] if a["data"]["choice"] == choice]
    return dict(execute["data"])


async def until(condition: Any, within: float = 10.0) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_a_ratification_from_opening_to_its_result(
    bots: tuple[BotClient, BotClient],
    connector: FakeConnector,
    database: Database,
    clock: FakeClock,
) -> None:
    bot, other = bots
    channel = await install_in_team(bot, connector, LIIA)

    # the secretariat sends the draft in 1:1, then opens its ratification
    added = await say(bot, connector, LIIA, "", **upload(connector, DRAFT, "tor.md", "md"))
    assert "ToR version 1 added" in plain_text(added)
    opened = await say(bot, connector, LIIA, "tor open 1 2026-02-06")
    assert "Ratification of version 1 is open" in plain_text(opened)
    await until(lambda: any("Ratify" in plain_text(c) for c in channel_cards(connector, channel)))
    shared = next(c for c in channel_cards(connector, channel) if "Ratify" in plain_text(c))
    assert_valid_card(shared)

    # members of 20 boroughs vote through Action.Execute, each answered with their own view
    for la in LOCAL_AUTHORITIES[:20]:
        card = await invoke(
            bot, connector, demo_id(la.code, 1), "tor.vote", vote_data(shared, "approve")
        )
        assert f"{la.name}'s vote: Approve, cast by" in plain_text(card)
    # Camden changes its vote, through its other member, on the other replica
    clock.advance(timedelta(hours=2))
    own = await invoke(other, connector, demo_id("202", 2), "tor.view", {"ratification": 1})
    changed = await invoke(
        other, connector, demo_id("202", 2), "tor.vote",
        vote_data(own, "amend") | {"comment": "Name the ICB leads"},
    )  # fmt: skip
    assert "Camden's vote: Approve with amendments" in plain_text(changed)
    assert "Thursday 22 January 2026, 12:00" in plain_text(changed)  # when, as the clock says

    # a forged vote for another borough changes nothing
    forged = await invoke(
        bot, connector, demo_id("209", 1), "tor.vote", vote_data(own, "abstain")
    )  # Lewisham's member sending Camden's card
    assert "only for your own borough" in plain_text(forged)
    assert standing(database, "202") == "amend"
    assert standing(database, "209") == "approve"
    status, body = await bot.post(
        activity(
            "invoke_adaptiveCard_action", connector, tenant=OTHER_TENANT,
            value={"action": {"type": "Action.Execute", "verb": "tor.vote",
                              "data": vote_data(own, "abstain")}},
            **{"from.aadObjectId": demo_id("202", 1)},
        )
    )  # fmt: skip
    assert status == 200
    assert "serves the Pan-London" in plain_text(body["value"])
    assert standing(database, "202") == "amend"

    # the shared card is updated in place: PUTs to the one activity posted in the channel
    posted = sent_activity_id(database, "tor:1:channel")

    # (votes coming faster than the channel's limits coalesce: the last update has them all)
    def shows_the_last_vote() -> bool:
        latest = [plain_text(c.cards[0]) for c in puts(connector, posted)[-1:]]
        return any("Boroughs voted: 20 of 33" in t and "Camden: Approve with amendments" in t
                   for t in latest)  # fmt: skip

    await until(shows_the_last_vote)
    assert all(c.conversation_id == channel for c in puts(connector, posted))
    assert len([c for c in channel_cards(connector, channel) if "Ratify" in plain_text(c)]) == 1

    # 3 working days before Friday's deadline: reminders to members of the 13 boroughs left
    clock.at = datetime(2026, 2, 3, 9, 0, 30, tzinfo=UTC)  # Tuesday, 09:00 London
    await until(lambda: len(reminders(connector)) >= 26, within=30)
    await done_and_sent(database, "tor.remind", datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    named = {plain_text(c).split("Reminder: ")[1].split(" has not voted")[0]
             for c in reminders(connector)}  # fmt: skip
    assert len(reminders(connector)) == 26
    assert named == {la.name for la in LOCAL_AUTHORITIES[20:]}

    # at the deadline: no more votes; the result once, though two replicas run the scheduler
    clock.at = datetime(2026, 2, 6, 17, 1, tzinfo=UTC)
    late = await invoke(bot, connector, demo_id("210", 1), "tor.vote", vote_data(shared, "approve"))
    assert "closed" in plain_text(late)
    assert standing(database, "210") == "approve"
    unvoted = LOCAL_AUTHORITIES[25].code
    late = await invoke(
        bot, connector, demo_id(unvoted, 1), "tor.vote", vote_data(shared, "approve")
    )
    assert "closed" in plain_text(late)
    assert standing(database, unvoted) is None
    stranger = await invoke(bot, connector, STRANGER, "tor.vote", vote_data(shared, "approve"))
    assert "not in the forum's membership registry" in plain_text(stranger)
    # (the clock stays put from here: a jump past the outbox's 60 s lease while a message is
    # in flight would let the other replica send it again, as after a crash)
    await until(lambda: any("version 1: Ratified" in plain_text(c)
                            for c in channel_cards(connector, channel)))  # fmt: skip
    await until(lambda: any("Ratified" in plain_text(c.cards[0]) for c in puts(connector, posted)))
    # both schedulers keep polling; once the run is done and its messages sent, nothing more
    await done_and_sent(database, "tor.close", datetime(2026, 2, 6, 17, 0, tzinfo=UTC))
    results = [
        c for c in channel_cards(connector, channel) if "version 1: Ratified" in plain_text(c)
    ]
    assert len(results) == 1


async def done_and_sent(database: Database, job: str, due_at: datetime) -> None:
    """Wait until the job's occurrence due then is done, none of its runs is still running (two
    replicas poll), and the outbox has sent everything: what it sends is all there."""
    await occurrence_reaches(database, occurrence_key(job, due_at), {Status.DONE})
    running = select(JobOccurrenceRow.key).where(
        JobOccurrenceRow.job == job, JobOccurrenceRow.status == Status.RUNNING
    )
    await until(lambda: not in_transaction(database, running))
    await settled(database)


def in_transaction(database: Database, query: Any) -> list[Any]:
    with database.transaction() as session:
        return list(session.scalars(query))


def reminders(connector: FakeConnector) -> list[dict[str, Any]]:
    return [c for c in connector.sent_cards() if "Reminder: " in plain_text(c)]


def channel_cards(connector: FakeConnector, channel: str) -> list[dict[str, Any]]:
    return [card for c in connector.sent() if c.conversation_id == channel for card in c.cards]


def puts(connector: FakeConnector, activity_id: str | None) -> list[Any]:
    return [c for c in connector.calls if c.method == "PUT" and c.activity_id == activity_id]


def sent_activity_id(database: Database, key: str) -> str | None:
    with database.transaction() as session:
        return session.scalar(select(OutboxRow.sent_activity_id).where(OutboxRow.key == key))


def standing(database: Database, borough: str) -> str | None:
    with database.transaction() as session:
        return session.scalar(select(TorVoteRow.choice).where(TorVoteRow.borough == borough))


async def test_the_action_submit_fallback_votes_the_same_way(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    """A client without Universal Actions sends the fallback's data as a message value."""
    from cards.views.tor import Rules
    from forum_ops.tor import service as tor
    from tests.conftest import CAMDEN
    from tests.support.fakes import FakeMessenger

    real = FakeClock(datetime.now(UTC))
    tor.add_version(database, real, "test", "tor.md", DRAFT)
    with database.transaction() as session:
        from forum_ops.members.registry import find_member

        secretariat = find_member(session, LIIA)
    assert secretariat is not None
    opened = tor.open_ratification(
        database, real, secretariat, 1, real.now() + timedelta(days=3), Rules.of(0.5, 0.5),
        TorCards(), lambda s, n: FakeMessenger(channel=False),
    ).ballot  # fmt: skip
    shared = TorCards().ballot(opened).content
    [submit] = [a["fallback"] for a in shared["actions"] if a["data"]["choice"] == "abstain"]
    status, _ = await bot.post(
        activity("message_value_submit", connector, value=submit["data"],
                 **{"from.aadObjectId": CAMDEN})
    )  # fmt: skip
    assert status == 200
    [reply] = (await connector.wait_for_sent(1))[-1].cards
    assert_valid_card(reply)
    assert "Camden's vote: Abstain, cast by Priya Shah" in plain_text(reply)
    assert standing(database, "202") == "abstain"


async def test_a_word_document_that_unpacks_to_50_mb_is_refused_before_it_is_parsed(
    bots: tuple[BotClient, BotClient], connector: FakeConnector, database: Database
) -> None:
    """110 KB of .docx, 50 MB of empty paragraphs inside: refused from its zip directory, in the
    sandbox, without parsing; the bot answers and stores nothing."""
    bomb = empty_paragraphs_docx(50 * 2**20)
    assert len(bomb) < 120_000
    bot, _ = bots
    url = connector.offer_file(bomb)
    attachment = {"contentType": FILE_DOWNLOAD_INFO, "contentUrl": url, "name": "tor.docx",
                  "content": {"downloadUrl": url, "uniqueId": "9f", "fileType": "docx"}}  # fmt: skip
    refused = await say(bot, connector, LIIA, "", attachments=[attachment])
    assert "That .docx unpacks to 51 MB in 17 parts, more than any ToR needs" in plain_text(refused)
    with database.transaction() as session:
        assert session.scalars(select(TorVersionRow)).all() == []


REVISED = (
    b"# Purpose\nThe forum helps commissioners share what works and commission together.\n\n"
    b"# Membership\nAll 33 boroughs, the five ICBs and LIIA.\n\n# Quoracy\nHalf the boroughs.\n"
)


async def test_a_borough_reads_the_version_and_what_changed_before_voting(
    bots: tuple[BotClient, BotClient], connector: FakeConnector
) -> None:
    """Issue 25 item 2: the ballot showed a title, a content hash and a tally: no text and no
    "what changed", so boroughs voted on a ToR they could not read and amendments named
    sections nobody could see. Now the ballot lists the changes by section number and Read
    shows the sections, each change marked, and goes back to the vote."""
    bot, _ = bots
    channel = await install_in_team(bot, connector, LIIA)
    for n, body in enumerate((DRAFT, REVISED)):
        url = connector.offer_file(body)
        attachment = {"contentType": FILE_DOWNLOAD_INFO, "contentUrl": url, "name": f"tor{n}.md",
                      "content": {"downloadUrl": url, "uniqueId": f"9{n}", "fileType": "md"}}  # fmt: skip
        await say(bot, connector, LIIA, "", attachments=[attachment])
    await say(bot, connector, LIIA, "tor open 2 2026-02-06")
    await until(lambda: any("Ratify" in plain_text(c) for c in channel_cards(connector, channel)))
    shared = next(c for c in channel_cards(connector, channel) if "Ratify" in plain_text(c))
    camden = demo_id("202", 1)
    own = await invoke(bot, connector, camden, "tor.view", {"ratification": 1})
    [read] = [a for a in actions_of(own) if a.get("verb") == "tor.read"]
    text = await invoke(bot, connector, camden, "tor.read", read["data"])
    back = next(a for a in actions_of(text) if a.get("verb") == "tor.view")
    again = await invoke(bot, connector, camden, "tor.view", back["data"])
    typed = await say(bot, connector, camden, "tor read 2")
    status = await say(bot, connector, camden, "tor")

    for ballot in (shared, own):
        shown = plain_text(ballot)
        assert "What changed since version 1:" in shown
        assert "§1 Purpose: changed (4 words added, 1 removed)" in shown
        assert "§2 Membership: changed (7 words added, 1 removed)" in shown
        assert "§3 Quoracy: added" in shown
        assert "Read version 2" in [a["title"] for a in actions_of(ballot)]
        assert "the § numbers of Read" in str(ballot)  # the amendment box says how to cite
    reading = plain_text(text)
    assert "Terms of Reference, version 2" in reading
    assert "§1 Purpose (changed since version 1)" in reading
    assert "share what works and commission together." in reading
    assert "Removed: “works.”\nAdded: “works and commission together.”" in reading
    assert "Removed: “33.”" in reading
    assert "Added: “33 boroughs, the five ICBs and LIIA.”" in reading
    assert "§3 Quoracy (new since version 1)\nHalf the boroughs." in reading
    assert "Camden has not voted yet" in plain_text(again)  # back on the ballot, own view
    assert plain_text(typed) == reading  # the command reads the same
    shown_texts = [plain_text(c) for c in (shared, own, text, status)]
    assert not any(re.search(r"\b[0-9a-f]{12}\b", t) for t in shown_texts)  # no content hash
    assert "content hash" not in plain_text(status)
    assert "tor read 2" in plain_text(status)


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute in a card, in the body's action sets or its actions."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
