"""`help` is a menu by role (issue 25 item 10): what this member can do, grouped, by name; the
secretariat's own commands for the secretariat only; the chair told of the meeting they chair;
an "Ask the forum" form; `help <command>` for the syntax."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.meetings.service import seed_year_one
from tests.conftest import CAMDEN, LIIA, make_settings
from tests.support.chat import say
from tests.support.fakes import FakeCalendar, FakeClock

SECRETARIAT_FORMS = (
    "meetings add <date>",
    "meetings move <date> to <date>",
    "meetings cancel <date>",
    "meetings theme <date>: <theme>",
    "chair <date> assign <name or email>",
    "directory pending | directory unchecked",
    "tor open <version>",
    "asks report",
    "announce <text>",
    "report quarterly",
)


def facts(card: dict) -> list[tuple[str, str]]:
    return [
        (f["title"], f["value"]) for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]
    ]


async def test_a_members_help_is_a_short_menu_of_their_commands(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot, connector, CAMDEN, "help")

    shown = plain_text(card)
    assert ("Peer support", "ask, asks, away, back, topics") in facts(card)
    assert len(facts(card)) <= 8  # a line a section, not a line a command's syntax
    assert "[open|mine" not in shown
    assert "<" not in shown
    for theirs in ("announce", "outbox", "report", "meetings add", "assign", "pending"):
        assert theirs not in shown
    form, *buttons = card["actions"]
    assert (form["type"], form["title"]) == ("Action.ShowCard", "Ask the forum")
    [question] = form["card"]["body"]
    assert (question["type"], question["id"]) == ("Input.Text", "question")
    assert form["card"]["actions"][0]["data"] == {"verb": "ask.submit"}
    assert len(buttons) == 3

    asked = await say(
        bot, connector, CAMDEN, "", value={"verb": "ask.submit", "question": "Who has a S75?"}
    )  # what Teams sends when the form's Ask is pressed
    assert "Who has a S75?" in plain_text(asked)


async def test_the_secretariats_help_lists_its_own_commands(
    bot: BotClient, connector: FakeConnector
) -> None:
    card = await say(bot, connector, LIIA, "help")

    shown = plain_text(card)
    assert "Yours as the secretariat" in shown
    for form in SECRETARIAT_FORMS:
        assert form in shown, form


async def test_help_with_a_command_gives_its_syntax_and_only_to_who_may_use_it(
    bot: BotClient, connector: FakeConnector
) -> None:
    member = await say(bot, connector, CAMDEN, "help asks")
    secretariat = await say(bot, connector, LIIA, "help meetings")
    refused = await say(bot, connector, CAMDEN, "help announce")
    unknown = await say(bot, connector, CAMDEN, "help frobnicate")

    assert "asks [open|mine|all|search <words>]" in plain_text(member)
    assert "asks report" not in plain_text(member)
    assert "meetings move <date> to <date> [<time>]" in plain_text(secretariat)
    assert "Only the forum's secretariat can use announce" in plain_text(refused)
    assert "I have no command called frobnicate" in plain_text(unknown)


async def test_the_chairs_help_says_which_meeting_they_chair(
    database: Database, connector: FakeConnector
) -> None:
    with database.transaction() as session:
        seed_year_one(session, datetime(2025, 12, 1, tzinfo=UTC))
    app = create_app(
        make_settings(database, connector), db=database, calendar=FakeCalendar(), jobs=(),
        clock=FakeClock(datetime(2026, 1, 10, 9, 0, tzinfo=UTC)),
    )  # fmt: skip
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        bot = BotClient(str(server.make_url("")), http)
        before = await say(bot, connector, CAMDEN, "help")
        await say(bot, connector, CAMDEN, "chair 22 Jan")
        await say(bot, connector, LIIA, "chair 22 Jan confirm")  # an offer, confirmed
        chairing = await say(bot, connector, CAMDEN, "help")
    await server.close()

    assert "You chair" not in plain_text(before)
    assert (
        "You chair the meeting on Thursday 22 January 2026, 10:00 (INMSS Top-10 pilot and cost "
        "drivers): schedule 22 Jan books the Teams meeting"
    ) in plain_text(chairing)
