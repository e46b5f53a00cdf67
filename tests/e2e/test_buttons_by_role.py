"""Each person is shown only the buttons they may press (issue 25 item 9): a member of an ICB
gets no ToR vote buttons, the proposer's own confirmation no Accept and Decline. Authority is
the registry's, and the server still refuses a forged press."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.demo import demo_id, demo_members
from forum_ops.meetings.service import seed_year_one
from forum_ops.members.registry import upsert_members
from tests.conftest import CAMDEN, LIIA, NOW, activity, make_settings, serve
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import say
from tests.support.fakes import FakeCalendar, FakeClock
from tests.support.outboxing import place, remember

ICB = demo_id("QMJ", 1)  # NHS North Central London ICB
DRAFT = b"# Purpose\nThe forum helps commissioners share what works.\n\n# Membership\nAll 33.\n"


@pytest.fixture
async def forum(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
    for who in (ICB, CAMDEN):  # both have written to the bot: Teams knows their user ids
        remember(database, place(connector, f"a:chat-{who}", aad_object_id=who))
    async for client in serve(make_settings(database, connector), database, jobs=()):
        yield client


async def invoke(bot: BotClient, connector: FakeConnector, who: str, verb: str, data: dict) -> Any:
    status, body = await bot.post(
        activity(
            "invoke_adaptiveCard_action",
            connector,
            value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            **{"from.aadObjectId": who},
        )
    )
    assert status == 200
    assert_valid_card(body["value"])
    return body["value"]


def votes(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in card.get("actions", []) if a.get("verb") == "tor.vote"]


async def open_ratification(bot: BotClient, connector: FakeConnector) -> None:
    url = connector.offer_file(DRAFT)
    attachment = {"contentType": "application/vnd.microsoft.teams.file.download.info",
                  "contentUrl": url, "name": "tor.md",
                  "content": {"downloadUrl": url, "uniqueId": "9f", "fileType": "md"}}  # fmt: skip
    await say(bot, connector, LIIA, "", attachments=[attachment])
    opened = await say(bot, connector, LIIA, "tor open 1")
    assert "Ratification of version 1 is open" in plain_text(opened)


async def test_an_icb_member_sees_the_ballot_without_vote_buttons(
    forum: BotClient, connector: FakeConnector
) -> None:
    await open_ratification(forum, connector)

    own = await invoke(forum, connector, ICB, "tor.view", {"ratification": 1})
    camden = await invoke(forum, connector, CAMDEN, "tor.view", {"ratification": 1})
    forged = await invoke(forum, connector, ICB, "tor.vote", votes(camden)[0]["data"])

    assert votes(own) == []
    assert "actions" not in own
    assert "ICBs and LIIA follow the vote" in plain_text(own)
    [notice] = [b for b in own["body"] if "ICBs and LIIA follow" in b.get("text", "")]
    assert notice.get("color", "Default") == "Default"  # a fact about them, not a warning
    assert not any(b.get("type", "").startswith("Input.") for b in own["body"])
    assert len(votes(camden)) == 3  # a borough member votes for their borough
    assert "ICBs and LIIA do not vote on the ToR" in plain_text(forged)
    assert votes(forged) == []
    # the shared card refreshes first for those without a vote, who would see buttons there
    assert camden["refresh"]["userIds"][0] == f"29:{ICB}"
    assert f"29:{CAMDEN}" in camden["refresh"]["userIds"]


async def test_only_who_may_decide_a_proposal_gets_accept_and_decline(
    database: Database, connector: FakeConnector
) -> None:
    with database.transaction() as session:
        upsert_members(session, demo_members(), NOW)
        seed_year_one(session, datetime(2025, 12, 1, tzinfo=UTC))
    app = create_app(
        make_settings(database, connector), db=database, calendar=FakeCalendar(), jobs=(),
        clock=FakeClock(datetime(2026, 1, 10, 9, 0, tzinfo=UTC)),
    )  # fmt: skip
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        bot = BotClient(str(server.make_url("")), http)
        await say(bot, connector, CAMDEN, "chair 22 Jan")
        await say(bot, connector, LIIA, "chair 22 Jan confirm")  # an offer, confirmed
        by_a_member = await say(bot, connector, demo_id("209", 1), "propose Transport renewal")
        by_the_chair = await say(bot, connector, CAMDEN, "propose Short breaks")
        by_the_secretariat = await say(bot, connector, LIIA, "propose Tribunal trends")
    await server.close()

    assert "Proposed: the chair will decide" in plain_text(by_a_member)
    assert "actions" not in by_a_member  # Lewisham's proposer may not decide it
    for may in (by_the_chair, by_the_secretariat):
        assert [a["title"] for a in may["actions"]] == ["Accept", "Decline"]
