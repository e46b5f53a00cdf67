"""Meetings in Teams, end to end over HTTP: the plan, chairs and `schedule` against the shipped
fake Graph (and the .ics calendar of local mode), with a clock the test sets."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from icalendar import Calendar as ICalendar
from pypdf import PdfReader

from bot.app import create_app
from bot.calendar import GraphCalendar, IcsCalendar
from bot.testing import BotClient, FakeConnector, FakeGraph, StaticCredential
from cards import plain_text
from forum_ops.db import Database
from forum_ops.db.schema import MeetingRow
from forum_ops.meetings.service import seed_year_one
from forum_ops.ports import Calendar
from tests.conftest import CAMDEN, LIIA, make_settings
from tests.support.cardcheck import assert_valid_card
from tests.support.chat import fetch, say
from tests.support.fakes import FakeCalendar, FakeClock
from tests.support.outboxing import FAST, place, remember, settled

ORGANISER = "send-forum@liia.example"
JAN_10 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


async def serve_with(
    database: Database, connector: FakeConnector, calendar: Calendar, clock: FakeClock
) -> AsyncIterator[BotClient]:
    settings = make_settings(database, connector)
    app = create_app(settings, db=database, calendar=calendar, jobs=(), clock=clock)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield BotClient(str(server.make_url("")), http)
    await server.close()


@pytest.fixture
def planned(database: Database) -> Database:
    with database.transaction() as session:
        seed_year_one(session, datetime(2025, 12, 1, tzinfo=UTC))
    return database


def row(database: Database, day: str) -> MeetingRow:
    from sqlalchemy import select

    with database.transaction() as session:
        return session.scalars(select(MeetingRow).where(MeetingRow.day == day)).one()


async def test_a_member_chairs_and_schedules_a_teams_meeting_through_graph(
    planned: Database, connector: FakeConnector
) -> None:
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
            listed = await say(bot, connector, CAMDEN, "meetings")
            refused = await say(bot, connector, CAMDEN, "schedule 22 Jan")
            offered = await say(bot, connector, CAMDEN, "chair 22 Jan")
            chaired = await say(bot, connector, LIIA, "chair 22 Jan confirm")
            booked = await say(bot, connector, CAMDEN, "schedule 22/01/2026 14:00")
            again = await say(bot, connector, CAMDEN, "schedule 22 Jan 14:30")
            nothing = await say(bot, connector, CAMDEN, "chair 23 Jan")
            gap = await say(bot, connector, LIIA, "meetings add 29 March 2026 01:30: Spring")
        url = graph.url

    assert "Thursday 22 January 2026, 10:00 (90 minutes)" in plain_text(listed)
    assert "Only the meeting's chair or the secretariat" in plain_text(refused)
    assert "the secretariat confirms chairs" in plain_text(offered).casefold()
    assert "Priya Shah (Camden)" in plain_text(chaired)
    assert "Teams meeting booked" in plain_text(booked)
    assert "Thursday 22 January 2026, 14:00" in plain_text(booked)
    assert f"{url}/meet/event-1" in plain_text(booked)  # the join link, on the card
    assert booked["body"][-1]["items"][-1]["actions"][0]["url"] == f"{url}/meet/event-1"
    create, move = graph.changes
    assert (create.method, create.path) == ("POST", f"/v1.0/users/{ORGANISER}/events")
    body = create.body or {}
    assert body["start"] == {"dateTime": "2026-01-22T14:00:00", "timeZone": "Europe/London"}
    assert body["end"] == {"dateTime": "2026-01-22T15:30:00", "timeZone": "Europe/London"}
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert [a["emailAddress"]["address"] for a in body["attendees"]] == [
        "priya.shah@camden.example",
        "sam.okafor@liia.example",
    ]
    assert (move.method, move.path) == ("PATCH", f"/v1.0/users/{ORGANISER}/events/event-1")
    assert "Teams meeting moved" in plain_text(again)
    assert "14:30" in plain_text(again)
    assert "There is no meeting on Friday 23 January 2026" in plain_text(nothing)
    assert "Thursday 22 January 2026, 14:30" in plain_text(nothing)  # the list of meetings
    assert "clocks go forward" in plain_text(gap)
    kept = row(planned, "2026-01-22")
    assert (kept.event_id, kept.booking, kept.join_url) == (
        "event-1",
        "booked",
        f"{url}/meet/event-1",
    )


async def test_graph_refusals_are_told_in_words_and_nothing_is_half_made(
    planned: Database, connector: FakeConnector
) -> None:
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
            graph.fail_next(1, 403)
            forbidden = await say(bot, connector, LIIA, "schedule 22 Jan")
            graph.fail_next(1, 500)
            broken = await say(bot, connector, LIIA, "schedule 22 Jan")
            after_forbidden = row(planned, "2026-01-22")
            graph.fail_next(1, 429)  # retried by msgraph's retry handler (Retry-After: 0)
            booked = await say(bot, connector, LIIA, "schedule 22 Jan")

    assert "not allowed to book meetings" in plain_text(forbidden)
    assert "Calendars.ReadWrite" in plain_text(forbidden)
    assert "had a problem of its own" in plain_text(broken)
    for card in (forbidden, broken):
        assert "Traceback" not in plain_text(card)
    assert (after_forbidden.booking, after_forbidden.event_id) == ("", None)
    assert "Teams meeting booked" in plain_text(booked)
    assert len(graph.events) == 1  # one event, though four creates were asked
    transaction_ids = {(c.body or {}).get("transactionId") for c in graph.changes}
    assert len(transaction_ids) == 1  # every try under the same transactionId


async def test_a_booking_cut_short_is_reconciled_with_the_same_event(
    planned: Database, connector: FakeConnector
) -> None:
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        with planned.transaction() as session:  # as if the process died after Graph answered
            from sqlalchemy import select

            meeting = session.scalars(
                select(MeetingRow).where(MeetingRow.day == "2026-01-22")
            ).one()
            meeting.booking, meeting.booking_id = "pending", "a1b2c3"
        graph.events.append(
            {"id": "event-9", "transactionId": "a1b2c3", "onlineMeeting": {"joinUrl": "j"}}
        )
        async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
            booked = await say(bot, connector, LIIA, "schedule 22 Jan")

    assert "Teams meeting" in plain_text(booked)
    assert len(graph.events) == 1
    kept = row(planned, "2026-01-22")
    assert (kept.event_id, kept.booking) == ("event-9", "booked")


async def test_moving_and_cancelling_a_booked_meeting_updates_the_same_event(
    planned: Database, connector: FakeConnector
) -> None:
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
            await say(bot, connector, LIIA, "schedule 19 Mar")
            moved = await say(bot, connector, LIIA, "meetings move 19 Mar to 26 Mar 2026")
            cancelled = await say(bot, connector, LIIA, "meetings cancel 26 Mar 2026")

    create, patch, cancel = graph.changes
    assert (patch.method, patch.path) == ("PATCH", f"/v1.0/users/{ORGANISER}/events/event-1")
    # 26 March is a Thursday in GMT; the clocks go forward on the 29th
    assert (patch.body or {})["start"]["dateTime"] == "2026-03-26T10:00:00"
    assert "Thursday 26 March 2026, 10:00" in plain_text(moved)
    assert cancel.path.endswith("/events/event-1/cancel")
    assert "cancelled" in plain_text(cancelled)
    assert create.method == "POST"


async def test_local_mode_says_nothing_was_sent_and_hands_the_chair_the_calendar_file(
    planned: Database, connector: FakeConnector, tmp_path: Path
) -> None:
    """Right after `schedule` in local mode the card said "invitation sent (.ics); the Teams
    link will follow once the meeting is scheduled": nothing had been sent, no link follows,
    and the chair had no way to get the file."""
    calendar = IcsCalendar(tmp_path / "invitations")  # local mode, no organiser mailbox
    async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
        await say(bot, connector, LIIA, "meetings add 2 April 2026: Spring")
        await say(bot, connector, CAMDEN, "chair 2 April 2026")
        await say(bot, connector, LIIA, "chair 2 April 2026 confirm")  # an offer, confirmed
        written: dict[str, Any] = await say(bot, connector, CAMDEN, "schedule 2 April 2026 09:30")
        listed = await say(bot, connector, LIIA, "meetings")
        agenda = await say(bot, connector, LIIA, "agenda 2 April 2026")
        [link] = [
            a["url"]
            for b in written["body"]
            for i in b.get("items", [])
            for a in i.get("actions", [])
            if a["title"] == "Download the calendar file (.ics)"
        ]
        status, kind, body = await fetch(bot, link)
        moved = await say(bot, connector, LIIA, "meetings move 2 April 2026 to 16 April 2026")

    said = plain_text(written)
    assert said.splitlines()[0] == "Calendar file ready"
    assert "Nothing was sent to the members" in said
    assert "invitation sent" not in said
    assert "will follow" not in said
    for card in (written, listed, agenda):
        assert "invitation sent" not in plain_text(card)
        assert "Teams link will follow" not in plain_text(card)
    booked = "scheduled without a Teams link (a calendar file; no invitations were sent)"
    assert booked in plain_text(agenda)
    assert "planned; not scheduled yet, so no invitation or Teams link yet" in plain_text(listed)
    assert (status, kind) == (200, "text/calendar")
    assert link.startswith("http://127.0.0.1:3978/reports/")
    assert link.endswith("/forum-meeting-2026-04-02.ics")
    [ics] = list((tmp_path / "invitations").glob("*.ics"))
    assert body.startswith(b"BEGIN:VCALENDAR")
    assert b"DTSTART;TZID=Europe/London:20260402T093000" in body
    calendar_file = ICalendar.from_ical(body)
    assert str(calendar_file["METHOD"]) == "PUBLISH"
    [event] = calendar_file.walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:priya.shah@camden.example"  # who booked it
    assert str(event["SUMMARY"]) == "Pan-London SEND Commissioning Forum: Spring"
    assert event["DTSTART"].dt.utcoffset().total_seconds() == 3600  # BST, after the change
    # the secretariat moves it: still nothing sent, and the changed file to hand on
    assert "Invitees are told" not in plain_text(moved)
    assert "Nothing was sent to the members" in plain_text(moved)
    assert b"20260416T093000" in ics.read_bytes()


async def test_a_meeting_without_a_theme_reads_naturally_everywhere(
    planned: Database, connector: FakeConnector, tmp_path: Path
) -> None:
    """ "To be decided" was agenda item 1, the .ics SUMMARY and the takeaway PDF's subtitle."""
    calendar = IcsCalendar(tmp_path / "invitations")
    async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
        listed = await say(bot, connector, CAMDEN, "meetings")
        agenda = await say(bot, connector, CAMDEN, "agenda 9 July 2026")  # the plan's "TBD"
        added = await say(bot, connector, LIIA, "meetings add 24 Sep 2026: To be decided")
        scheduled = await say(bot, connector, LIIA, "schedule 9 July 2026")
    for card in (listed, agenda, added, scheduled):
        assert "to be decided" not in plain_text(card).casefold()
    items = [
        b["text"] for b in agenda["body"] if b["type"] == "TextBlock" and b["text"][1:3] == ". "
    ]
    assert items == ["1. SEND Data", "2. Useful Commissioning Takeaway"]  # no placeholder item
    assert "Theme: not chosen yet" in plain_text(scheduled)
    [ics] = list((tmp_path / "invitations").glob("*.ics"))
    [event] = ICalendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Pan-London SEND Commissioning Forum meeting"
    assert "Theme" not in str(event["DESCRIPTION"])


async def test_agenda_has_the_standing_items_and_a_proposal_is_decided_in_place(
    planned: Database, connector: FakeConnector
) -> None:
    remember(planned, place(connector, f"a:chat-{CAMDEN}", aad_object_id=CAMDEN))
    remember(planned, place(connector, f"a:chat-{LIIA}", aad_object_id=LIIA))
    settings = make_settings(planned, connector, **FAST)
    app = create_app(
        settings, db=planned, calendar=FakeCalendar(), jobs=(), clock=FakeClock(JAN_10)
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        bot = BotClient(str(server.make_url("")), http)
        await say(bot, connector, LIIA, "chair 22 Jan")
        proposed = await say(bot, connector, CAMDEN, "propose Transport framework: *renewal*")
        await connector.wait_for_sent(3)  # the chair's card to decide (and the replies)
        [to_chair] = [
            c for c in connector.sent_cards() if "An agenda item is proposed" in plain_text(c)
        ]
        item = to_chair["actions"][0]["data"]["item"]
        forged = await say(
            bot, connector, CAMDEN, "", value={"verb": "agenda.accept", "item": item}
        )
        accepted = await say(
            bot, connector, LIIA, "", value={"verb": "agenda.accept", "item": item}
        )
        await settled(planned)
        shown = await say(bot, connector, CAMDEN, "agenda next")
        first = await say(bot, connector, CAMDEN, "agenda 20 Nov 2025")
    await server.close()

    assert "Proposed: the chair will decide" in plain_text(proposed)
    assert to_chair["actions"][0]["type"] == "Action.Execute"
    assert to_chair["actions"][0]["fallback"]["type"] == "Action.Submit"
    assert "Only the meeting's chair or the secretariat" in plain_text(forged)
    assert "accepted: on the agenda" in plain_text(accepted)
    assert "actions" not in accepted  # decided: no more buttons
    told = [c for c in connector.sent_cards() if "Your proposal was accepted" in plain_text(c)]
    assert len(told) == 1
    items = [
        b["text"]
        for b in shown["body"]
        if b["type"] == "TextBlock" and b["text"][:2] in ("1.", "2.", "3.", "4.")
    ]
    assert items == [
        "1. INMSS Top-10 pilot and cost drivers",
        "2. SEND Data",
        "3. Transport framework: \\*renewal\\* (proposed by Priya Shah (Camden))",
        "4. Useful Commissioning Takeaway",
    ]
    assert "SEND Data" not in plain_text(first)  # the launch had no standing items


async def test_the_chair_publishes_the_takeaway_from_the_form_and_anyone_reads_it(
    planned: Database, connector: FakeConnector
) -> None:
    remember(planned, place(connector, f"a:chat-{CAMDEN}", aad_object_id=CAMDEN))
    remember(planned, place(connector, f"a:chat-{LIIA}", aad_object_id=LIIA))
    settings = make_settings(planned, connector, **FAST)
    clock = FakeClock(JAN_10)
    app = create_app(settings, db=planned, calendar=FakeCalendar(), jobs=(), clock=clock)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    meeting = row(planned, "2026-01-22").id
    form = {
        "verb": "takeaway.publish",
        "meeting": meeting,
        "title": "Top 10 <at>pilot</at>",
        "insight": "Fee uplifts cluster in March.",
        "tool": "https://example.org/uplift-template",
        "what1": "Share uplift letters",
        "who1": "Each borough",
    }
    async with aiohttp.ClientSession() as http:
        bot = BotClient(str(server.make_url("")), http)
        await say(bot, connector, CAMDEN, "chair 22 Jan")
        await say(bot, connector, LIIA, "chair 22 Jan confirm")
        clock.at = datetime(2026, 1, 22, 11, 30, tzinfo=UTC)
        forged = await say(bot, connector, LIIA.replace("6", "7", 1), "", value=form)
        empty = await say(bot, connector, CAMDEN, "", value={**form, "title": "", "insight": ""})
        draft = await say(bot, connector, CAMDEN, "", value={**form, "verb": "takeaway.save"})
        published = await say(bot, connector, CAMDEN, "", value=form)
        await settled(planned)
        again = await say(bot, connector, CAMDEN, "", value=form)
        latest = await say(bot, connector, LIIA, "takeaway latest")
        by_date = await say(bot, connector, LIIA, "takeaway 22/01/2026")
        path = published["actions"][0]["url"].removeprefix(settings.forum_public_url)
        async with http.get(server.make_url(path)) as response:
            pdf = (response.status, response.content_type, await response.read())
        clock.at += timedelta(days=31)
        async with http.get(server.make_url(path)) as response:
            expired = response.status
        async with http.get(server.make_url("/takeaways/" + "a" * 32 + ".pdf")) as response:
            guessed = response.status
    await server.close()

    assert pdf[:2] == (200, "application/pdf")
    assert len(PdfReader(io.BytesIO(pdf[2])).pages) == 1
    assert (expired, guessed) == (404, 404)

    assert "join" in plain_text(forged).casefold() or "registry" in plain_text(forged)
    assert "needs at least a title and the key insight" in plain_text(empty)
    assert draft["actions"][1]["data"] == {"verb": "takeaway.publish", "meeting": meeting}
    assert "Top 10 <at>pilot</at>" in plain_text(published)
    assert "Share uplift letters (who: Each borough)" in plain_text(published)
    assert "published already" in plain_text(again)
    from sqlalchemy import select

    from forum_ops.db.schema import OutboxRow

    with planned.transaction() as session:
        posted = session.scalars(
            select(OutboxRow.conversation_id).where(
                OutboxRow.key.startswith(f"takeaway:{meeting}:")
            )
        ).all()
    assert sorted(posted) == [f"a:chat-{CAMDEN}", f"a:chat-{LIIA}"]  # each member once
    assert plain_text(latest) == plain_text(by_date)
    assert "chaired by Priya Shah (Camden)" in plain_text(latest)


async def test_the_meetings_card_says_the_very_command_that_volunteers_to_chair(
    planned: Database, connector: FakeConnector, tmp_path: Path
) -> None:
    """The hint was "type chair followed by the date"; now it is the command, and it works."""
    calendar = IcsCalendar(tmp_path / "invitations", ORGANISER)
    async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
        listed = plain_text(await say(bot, connector, CAMDEN, "meetings"))
        hint = next(line for line in listed.splitlines() if "to volunteer, say chair" in line)
        command = hint.partition("say ")[2]
        chaired = await say(bot, connector, CAMDEN, command)
    assert command == "chair 22 January 2026"
    assert "Thank you for offering to chair" in plain_text(chaired)  # the secretariat confirms


async def test_takeaway_latest_before_any_is_published_says_so_plainly(
    planned: Database, connector: FakeConnector, tmp_path: Path
) -> None:
    """It was an error card ("No takeaway is published yet." in red): nothing is wrong, so it
    is a plain notice saying when the next one comes and what to say meanwhile."""
    calendar = IcsCalendar(tmp_path / "invitations", ORGANISER)
    async for bot in serve_with(planned, connector, calendar, FakeClock(JAN_10)):
        card = await say(bot, connector, CAMDEN, "takeaway latest")
        bare = await say(bot, connector, CAMDEN, "takeaway")
    assert_valid_card(card)
    assert bare == card
    title, message = plain_text(card).splitlines()[:2]
    assert title == "No takeaway has been published yet"
    assert all(e.get("color") is None for e in card["body"])  # not the error card's red
    assert "The next meeting is on Thursday 22 January 2026, 10:00" in message
    assert "its takeaway follows within 2 working days. Say meetings for the forward plan." in (
        message
    )


async def test_the_takeaway_everyone_receives_says_published_by_the_chair_or_by_the_clock(
    planned: Database, connector: FakeConnector
) -> None:
    """Issue 25 item 1: the card was drawn before the takeaway was marked published, so the
    channel and every member read "Status: draft: not published yet" on a published takeaway;
    the automatic post 2 working days after the meeting did the same."""
    import asyncio
    import time

    from bot.features import JOBS

    channel = "19:forum@thread.tacv2"
    remember(
        planned,
        place(connector, channel, "channel"),
        place(connector, f"a:chat-{CAMDEN}", aad_object_id=CAMDEN),
        place(connector, f"a:chat-{LIIA}", aad_object_id=LIIA),
    )
    cycle_job = [j for j in JOBS if j.name == "meetings.cycle"]
    settings = make_settings(planned, connector, forum_scheduler_poll_seconds=0.05, **FAST)
    clock = FakeClock(JAN_10)
    app = create_app(settings, db=planned, calendar=FakeCalendar(), jobs=cycle_job, clock=clock)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    form = {"insight": "Fee uplifts cluster in March.", "what1": "Share uplift letters"}
    places = [channel, f"a:chat-{CAMDEN}", f"a:chat-{LIIA}"]

    async def received(title: str) -> dict[str, str]:
        """What each place got carrying `title`, once all three have it (or the deadline)."""
        deadline = time.monotonic() + 20
        while True:
            got = {
                c.conversation_id: plain_text(card)
                for c in connector.sent()
                for card in c.cards
                if c.conversation_id in places and title in plain_text(card)
            }
            if len(got) == len(places) or time.monotonic() > deadline:
                return got
            await asyncio.sleep(0.05)

    async with aiohttp.ClientSession() as http:
        bot = BotClient(str(server.make_url("")), http)
        # the secretariat assigns both: a member offers for one meeting to come at a time
        await say(bot, connector, LIIA, "chair 22 Jan assign priya.shah@camden.example")
        await say(bot, connector, LIIA, "chair 19 Mar assign priya.shah@camden.example")
        clock.at = datetime(2026, 1, 22, 11, 30, tzinfo=UTC)
        january = row(planned, "2026-01-22").id
        by_hand = {**form, "verb": "takeaway.publish", "meeting": january, "title": "By hand"}
        answer = await say(bot, connector, CAMDEN, "", value=by_hand)
        published = await received("By hand")
        clock.at = datetime(2026, 3, 19, 11, 30, tzinfo=UTC)
        march = row(planned, "2026-03-19").id
        draft = {**form, "verb": "takeaway.save", "meeting": march, "title": "By the clock"}
        saved = await say(bot, connector, CAMDEN, "", value=draft)
        clock.at = datetime(2026, 3, 24, 12, 0, tzinfo=UTC)  # 2 working days after: posted
        posted = await received("By the clock")
    await server.close()

    assert sorted(published) == sorted(places)  # the channel and each member
    assert sorted(posted) == sorted(places)
    for text in [*published.values(), *posted.values()]:
        assert "not published" not in text
        assert "Status: published " in text
    assert "Your takeaway from Thursday 19 March 2026" in plain_text(saved)  # the form, kept
    assert "Saved as a draft on Thursday 19 March 2026, 11:30." in plain_text(saved)  # and said
    assert "Status: published Thursday 22 January 2026, 11:30" in plain_text(answer)
    assert all("Thursday 22 January 2026, 11:30" in text for text in published.values())


class _Watched:
    """The real Graph calendar, noting before each request that invites people which cards
    to the secretariat about a chair's booking the outbox already holds (committed)."""

    def __init__(self, calendar: Calendar, database: Database) -> None:
        self._calendar, self._database = calendar, database
        self.told_before: list[int] = []

    def _look(self) -> None:
        from sqlalchemy import func, select

        from forum_ops.db.schema import OutboxRow

        with self._database.transaction() as session:
            told = select(func.count()).where(
                OutboxRow.key.startswith("chair-booking:"),
                OutboxRow.conversation_id == f"a:chat-{LIIA}",
            )
            self.told_before.append(session.scalars(told).one())

    async def create(self, meeting: Any) -> Any:
        self._look()
        return await self._calendar.create(meeting)

    async def move(self, event_id: str, meeting: Any) -> Any:
        self._look()
        return await self._calendar.move(event_id, meeting)

    async def cancel(self, event_id: str, message: str) -> Any:
        return await self._calendar.cancel(event_id, message)


async def test_a_chairs_booking_is_told_to_the_secretariat_before_anyone_is_invited(
    planned: Database, connector: FakeConnector
) -> None:
    """Issue 24 item 3: a chair's `schedule` booked or moved the Teams meeting with every member
    invited and the secretariat was not told. Now their card is in the outbox, committed with
    the booking's record, before the calendar is asked; the secretariat's own booking is not
    told to itself; a refusal is told after."""
    mine, theirs = f"a:chat-{CAMDEN}", f"a:chat-{LIIA}"
    remember(planned, place(connector, mine, aad_object_id=CAMDEN))
    remember(planned, place(connector, theirs, aad_object_id=LIIA))
    settings = make_settings(planned, connector, **FAST)
    async with FakeGraph() as graph:
        calendar = _Watched(GraphCalendar(graph.base_url, StaticCredential(), ORGANISER), planned)
        app = create_app(settings, db=planned, calendar=calendar, jobs=(), clock=FakeClock(JAN_10))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        async with aiohttp.ClientSession() as http:
            bot = BotClient(str(server.make_url("")), http)
            await say(bot, connector, CAMDEN, "chair 22 Jan")
            await say(bot, connector, LIIA, "chair 22 Jan confirm")
            booked = await say(bot, connector, CAMDEN, "schedule 22/01/2026 14:00")
            moved = await say(bot, connector, CAMDEN, "schedule 22 Jan 14:30")
            graph.fail_next(1, 403)
            refused = await say(bot, connector, CAMDEN, "schedule 22 Jan 15:00")
            own = await say(bot, connector, LIIA, "schedule 22 Jan 14:45")
            await settled(planned)
        await server.close()

    assert "Teams meeting booked" in plain_text(booked)
    assert "Teams meeting moved" in plain_text(moved)
    assert "Calendars.ReadWrite" in plain_text(refused)
    assert "Teams meeting moved" in plain_text(own)
    # before each request to Graph: the chair's three, each told first; the secretariat's own
    # request found only those and the refusal (nothing about itself)
    assert calendar.told_before == [1, 2, 3, 4]
    told = [
        card for c in connector.sent() if c.conversation_id == theirs for card in c.cards
        if plain_text(card).startswith(("A chair is", "A chair's"))
    ]  # fmt: skip
    for card in told:
        assert_valid_card(card)
    first, second, tried, failed = (plain_text(card) for card in told)
    assert first.startswith("A chair is booking a Teams meeting")
    assert "Priya Shah (Camden) asked to book the Teams meeting of Thursday 22 January 2026 " in (
        first
    )
    assert "for Thursday 22 January 2026, 14:00; its invitation is for every member (2)" in first
    assert "Invited: 2 members" in first
    assert "Meeting: Thursday 22 January 2026, 10:00, as planned" in first
    assert "Saturday 10 January 2026, 09:00" in first  # when the chair asked
    assert second.startswith("A chair is moving a Teams meeting")
    assert "Thursday 22 January 2026, 14:30" in second
    assert tried.startswith("A chair is moving a Teams meeting")
    assert failed.startswith("A chair's booking did not go through")
    assert "nothing was sent to the members" in failed
    assert "Calendars.ReadWrite" in failed
    assert not any(
        "A chair is" in plain_text(card)
        for c in connector.sent() if c.conversation_id == mine for card in c.cards
    )  # fmt: skip
