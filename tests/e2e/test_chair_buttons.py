"""A borough member who does not chair the meeting replays (or forges) a chair-or-secretariat
button: agenda Accept and Decline, the takeaway form's Save and Publish, and the `schedule` and
`chair … release` commands a button can run. Each is refused in words, as a message button and as
Action.Execute, and changes nothing in any table; forged ids (someone else's meeting or proposal,
ids that are not there or not numbers) get a clear answer, never a 5xx. Over HTTP, real app.

The member is Camden's Priya Shah; a Camden colleague chairs 22 January 2026 (the demo chairs),
so being of the chair's borough gives no authority either."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.features import FEATURES, SECRETARIAT
from bot.testing import BotClient, FakeConnector
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import AgendaItemRow, MeetingRow, TakeawayRow
from forum_ops.demo import demo_id, load_feature_demos
from tests.conftest import CAMDEN, LIIA, NOW, make_settings
from tests.support.buttons import BOTH_WAYS, Press, press, snapshot
from tests.support.fakes import FakeCalendar

CHAIRED = "2026-01-22"  # chaired by a Camden colleague of the member (demo chairs)
LATER = "2026-03-19"  # chaired by a QMJ member
UNCHAIRED = "2026-05-14"  # no chair yet
DECIDE = "Only the meeting's chair or the secretariat can decide proposals"
WRITE = "Only the meeting's chair or the secretariat can write its takeaway"
SCHEDULE = "Only the meeting's chair or the secretariat can schedule it"
RELEASE = "Only the meeting's chair or the secretariat can release it"
FORM = {
    "title": "Forged",
    "insight": "Not the chair's words.",
    "what1": "Nothing",
    "who1": "Nobody",
}

# placeholders the fixture replaces with the real ids: a proposal on each chaired meeting, and
# the meetings themselves (the one chaired by a colleague has a draft takeaway)
IDS: dict[str, int] = {}

# (the button's data, what the refusal says): every chair-or-secretariat verb and command, with
# the real ids of someone else's meeting and proposal
BUTTONS: list[tuple[dict[str, Any], str]] = [
    ({"verb": "agenda.accept", "item": "proposal@" + CHAIRED}, DECIDE),
    ({"verb": "agenda.decline", "item": "proposal@" + CHAIRED}, DECIDE),
    ({"verb": "agenda.accept", "item": "proposal@" + LATER}, DECIDE),
    ({"verb": "agenda.decline", "item": "proposal@" + UNCHAIRED}, DECIDE),
    ({"verb": "takeaway.save", "meeting": "meeting@" + CHAIRED, **FORM}, WRITE),
    ({"verb": "takeaway.publish", "meeting": "meeting@" + CHAIRED, **FORM}, WRITE),
    ({"verb": "takeaway.save", "meeting": "meeting@" + UNCHAIRED, **FORM}, WRITE),
    ({"verb": "takeaway.publish", "meeting": "meeting@" + LATER, **FORM}, WRITE),
    ({"verb": "command.run", "command": "schedule", "args": "19 March 2026 14:00"}, SCHEDULE),
    ({"verb": "command.run", "command": "schedule", "args": "14 May 2026"}, SCHEDULE),
    ({"verb": "command.run", "command": "chair", "args": "19 March 2026 release"}, RELEASE),
    (
        {"verb": "command.run", "command": "chair", "args": "19 March 2026 assign Priya Shah"},
        "Only the forum's secretariat can assign a chair",
    ),
]
CHAIR_VERBS = {"agenda.accept", "agenda.decline", "takeaway.save", "takeaway.publish"}

# forged shapes: ids that are not there, not whole numbers, or out of any column's range
NOT_MINE = "That card is not one of mine"
FORGED: list[tuple[dict[str, Any], str]] = [
    ({"verb": "agenda.accept", "item": 987654}, "That proposal is no longer there"),
    ({"verb": "agenda.accept", "item": -1}, "That proposal is no longer there"),
    ({"verb": "agenda.accept", "item": 2**63}, "That proposal is no longer there"),
    ({"verb": "agenda.decline", "item": 10**40}, "That proposal is no longer there"),
    ({"verb": "agenda.accept", "item": "1"}, NOT_MINE),
    ({"verb": "agenda.accept", "item": True}, NOT_MINE),
    ({"verb": "agenda.accept", "item": 1.0}, NOT_MINE),
    ({"verb": "agenda.accept", "item": {"id": 1}}, NOT_MINE),
    ({"verb": "agenda.decline"}, NOT_MINE),
    ({"verb": "takeaway.save", "meeting": 987654, **FORM}, "That meeting is no longer in the plan"),
    ({"verb": "takeaway.publish", "meeting": 2**63, **FORM}, "That meeting is no longer"),
    ({"verb": "takeaway.save", "meeting": -(2**70), **FORM}, "That meeting is no longer"),
    ({"verb": "takeaway.publish", "meeting": [1], **FORM}, NOT_MINE),
    ({"verb": "takeaway.save", "meeting": None, **FORM}, NOT_MINE),
]


def test_every_chair_or_secretariat_verb_and_command_has_a_case() -> None:
    """A new verb or command for the chair or the secretariat is pressed here, or this fails:
    the commands are those whose usage says "(chair, secretariat)"."""
    verbs = {verb for feature in FEATURES for verb in feature.actions}
    chair_commands = {
        c.name
        for f in FEATURES
        for c in f.commands
        if "(chair, secretariat)" in c.summary and c.roles != SECRETARIAT
    }
    pressed = {data["verb"] for data, _ in BUTTONS}
    run = {data["command"] for data, _ in BUTTONS if data["verb"] == "command.run"}

    assert verbs >= CHAIR_VERBS  # the verbs still exist under these names
    assert pressed >= CHAIR_VERBS
    assert run >= chair_commands | {"chair"}  # `chair <date> release` is the chair's too


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
async def bot(database: Database, connector: FakeConnector) -> AsyncIterator[BotClient]:
    load_feature_demos(database, NOW)
    with database.transaction() as session:
        meetings = {
            row.day: row for row in session.scalars(select(MeetingRow))
        }  # the demo forward plan
        assert meetings[CHAIRED].chair_aad == demo_id("202", 1)
        assert meetings[LATER].chair_aad
        assert meetings[UNCHAIRED].chair_aad is None
        for day in (CHAIRED, LATER, UNCHAIRED):
            proposal = AgendaItemRow(
                meeting_id=meetings[day].id, text=f"An item for {day}", proposer_aad=LIIA,
                status="proposed", created_at=NOW, updated_at=NOW,
            )  # fmt: skip
            session.add(proposal)
            session.flush()
            IDS["proposal@" + day], IDS["meeting@" + day] = proposal.id, meetings[day].id
        session.add(
            TakeawayRow(
                meeting_id=meetings[CHAIRED].id, title="The chair's draft", insight="",
                tool="", actions="[]", author_aad=demo_id("202", 1), status="draft",
                updated_at=NOW,
            )
        )  # fmt: skip
    settings = make_settings(database, connector)
    app = create_app(settings, db=database, calendar=FakeCalendar(), jobs=(), clock=Clock())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield BotClient(str(server.make_url("")), http)
    await server.close()


def pressed_value(data: dict[str, Any]) -> dict[str, Any]:
    """The button's data as pressed: placeholders become the real ids."""
    return {k: IDS[v] if isinstance(v, str) and v in IDS else v for k, v in data.items()}


def case_id(data: dict[str, Any]) -> str:
    shown = [str(v) for k, v in data.items() if k not in FORM]
    return ":".join(shown)[:60]


EACH_BUTTON = pytest.mark.parametrize(
    ("data", "what"), BUTTONS + FORGED, ids=[case_id(d) for d, _ in BUTTONS + FORGED]
)


@BOTH_WAYS
@EACH_BUTTON
async def test_a_member_who_is_not_the_chair_is_refused_and_nothing_changes(
    bot: BotClient,
    connector: FakeConnector,
    database: Database,
    data: dict[str, Any],
    what: str,
    press_as: Press,
) -> None:
    before = snapshot(database)

    card = await press_as(bot, connector, CAMDEN, pressed_value(data))

    assert what in plain_text(card)
    assert snapshot(database) == before


async def test_the_secretariat_pressing_them_is_not_refused(
    bot: BotClient, connector: FakeConnector, database: Database
) -> None:
    with database.transaction() as session:  # the meeting was held: a takeaway may be written
        held = session.get(MeetingRow, IDS["meeting@" + CHAIRED])
        assert held is not None
        held.starts_at = NOW - timedelta(hours=3)
    accepted = await press(
        bot, connector, LIIA, pressed_value({"verb": "agenda.accept", "item": "proposal@" + LATER})
    )
    saved = await press(
        bot,
        connector,
        LIIA,
        pressed_value({"verb": "takeaway.save", "meeting": "meeting@" + CHAIRED, **FORM}),
    )

    assert "accepted" in plain_text(accepted)
    assert "Only the meeting's chair" not in plain_text(saved)
    with database.transaction() as session:
        kept = session.get(TakeawayRow, IDS["meeting@" + CHAIRED])
        assert kept is not None
        assert kept.title == "Forged"
