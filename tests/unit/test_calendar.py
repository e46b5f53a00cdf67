"""The Calendar port: Graph's calendar through msgraph-sdk against the shipped fake Graph over
HTTP, the .ics fallback of local mode, and which one the settings choose."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar as ICalendar

from bot.calendar import GraphCalendar, IcsCalendar, calendar_from_settings
from bot.settings import Settings
from bot.testing import FakeGraph, StaticCredential
from cards.views.common import LONDON
from forum_ops.errors import CalendarUnavailable
from forum_ops.ports import Meeting

ORGANISER = "send-forum@liia.example"


def forum_meeting(start: datetime, end: datetime) -> Meeting:
    return Meeting(
        subject="Pan-London SEND Commissioning Forum",
        start=start,
        end=end,
        invitees=("priya@camden.example", "sam@liia.example"),
        body="1. SEND Data\n2. INMSS benchmarks",
    )


# Sunday 29 March 2026 the clocks go forward: 09:00 that day is 08:00 UTC.
SPRING = forum_meeting(
    datetime(2026, 3, 29, 8, 0, tzinfo=UTC), datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
)


async def test_graph_calendar_creates_a_teams_meeting_in_london_time() -> None:
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        booked = await calendar.create(SPRING)
        url = graph.url

    [call] = graph.changes
    assert (call.method, call.path) == ("POST", f"/v1.0/users/{ORGANISER}/events")
    body = call.body or {}
    assert body["subject"] == "Pan-London SEND Commissioning Forum"
    assert body["start"] == {"dateTime": "2026-03-29T09:00:00", "timeZone": "Europe/London"}
    assert body["end"] == {"dateTime": "2026-03-29T11:00:00", "timeZone": "Europe/London"}
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["body"] == {"contentType": "text", "content": "1. SEND Data\n2. INMSS benchmarks"}
    assert [a["emailAddress"]["address"] for a in body["attendees"]] == [
        "priya@camden.example",
        "sam@liia.example",
    ]
    assert {a["type"] for a in body["attendees"]} == {"required"}
    assert booked.event_id == "event-1"
    assert booked.join_url == f"{url}/meet/event-1"


async def test_graph_calendar_moves_and_cancels_the_event_it_booked() -> None:
    autumn = forum_meeting(  # Sunday 25 October 2026 the clocks go back: 09:00 is 09:00 UTC
        datetime(2026, 10, 25, 9, 0, tzinfo=LONDON), datetime(2026, 10, 25, 10, 30, tzinfo=LONDON)
    )
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        booked = await calendar.create(SPRING)
        moved = await calendar.move(booked.event_id, autumn)
        await calendar.cancel(booked.event_id, "The forum meets in November instead.")

    _, update, cancel = graph.changes
    path = f"/v1.0/users/{ORGANISER}/events/{booked.event_id}"
    assert (update.method, update.path) == ("PATCH", path)
    assert (update.body or {})["start"] == {
        "dateTime": "2026-10-25T09:00:00",
        "timeZone": "Europe/London",
    }
    assert moved.event_id == booked.event_id
    assert moved.join_url == booked.join_url
    assert (cancel.method, cancel.path) == ("POST", path + "/cancel")
    assert cancel.body == {"Comment": "The forum meets in November instead."}  # as Graph spells it
    assert graph.event(booked.event_id)["isCancelled"] is True  # type: ignore[index]


async def test_a_refused_graph_call_raises() -> None:
    async with FakeGraph() as graph:
        calendar = GraphCalendar(graph.base_url, StaticCredential(), ORGANISER)
        with pytest.raises(CalendarUnavailable, match="was not found in the organiser's calendar"):
            await calendar.move("event-404", SPRING)


# RFC 5546 section 3.2.1, METHOD:PUBLISH for a VEVENT: properties that must be there once,
# and those that must not be there at all (ATTENDEE: a published event invites nobody)
PUBLISH_ONCE = ("DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID")
PUBLISH_NEVER = ("ATTENDEE", "REQUEST-STATUS")


def assert_rfc5546_publish(data: bytes) -> ICalendar:
    """What iTIP asks of a PUBLISH, checked on the file as the icalendar library reads it."""
    calendar = ICalendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar.get("PRODID")
    [event] = calendar.walk("VEVENT")
    for name in PUBLISH_ONCE:
        assert event.get(name) is not None, name
        assert not isinstance(event.get(name), list), f"{name} twice"
    for name in PUBLISH_NEVER:
        assert name not in event, name
    if int(event.get("SEQUENCE", 0)) > 0:  # "MUST be present if value is greater than 0"
        assert "SEQUENCE" in event
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert calendar.walk("VTIMEZONE")  # DTSTART has a TZID: its rules must travel with it
    return calendar


async def test_local_mode_writes_a_calendar_file_the_chair_imports(tmp_path: Path) -> None:
    """It was METHOD:REQUEST with no ORGANIZER when no organiser mailbox was configured: RFC
    5546 requires one, and a REQUEST opened by the chair reads as someone else's invitation.
    Now a PUBLISH (organised by whoever booked it) without attendees, moved and cancelled by
    publishing it again under the same UID."""
    calendar = IcsCalendar(tmp_path / "invitations")  # local mode: no organiser mailbox
    chair = "priya.shah@camden.example"
    booked = await calendar.create(replace(SPRING, organiser=chair))
    path = calendar.path_of(booked.event_id)
    assert booked.file == path.read_bytes()  # the file itself, for the card to link
    invitation = assert_rfc5546_publish(path.read_bytes())
    [event] = invitation.walk("VEVENT")

    assert booked.join_url is None  # no Teams meeting without Graph
    assert event["DTSTART"].dt == datetime(2026, 3, 29, 9, 0, tzinfo=LONDON)
    assert str(event["DTSTART"].dt.tzinfo) == "Europe/London"
    assert b"DTSTART;TZID=Europe/London:20260329T090000" in path.read_bytes()
    assert str(event["ORGANIZER"]) == f"mailto:{chair}"
    assert str(event["SUMMARY"]) == "Pan-London SEND Commissioning Forum"
    assert int(event["SEQUENCE"]) == 0

    later = forum_meeting(
        datetime(2026, 3, 29, 10, 0, tzinfo=LONDON), datetime(2026, 3, 29, 12, 0, tzinfo=LONDON)
    )
    moved_file = await calendar.move(booked.event_id, later)  # by someone else: no organiser
    [moved] = assert_rfc5546_publish(path.read_bytes()).walk("VEVENT")
    assert moved_file.file == path.read_bytes()
    assert (int(moved["SEQUENCE"]), moved["UID"]) == (1, event["UID"])
    assert moved["DTSTART"].dt.hour == 10
    assert str(moved["ORGANIZER"]) == f"mailto:{chair}"  # the file's organiser stays

    cancelled_file = await calendar.cancel(booked.event_id, "Postponed")
    assert cancelled_file == path.read_bytes()
    [gone] = assert_rfc5546_publish(path.read_bytes()).walk("VEVENT")
    assert (str(gone["STATUS"]), int(gone["SEQUENCE"]), str(gone["COMMENT"])) == (
        "CANCELLED",
        2,
        "Postponed",
    )


async def test_a_configured_organiser_mailbox_organises_the_calendar_file(tmp_path: Path) -> None:
    calendar = IcsCalendar(tmp_path, ORGANISER)
    booked = await calendar.create(replace(SPRING, organiser="priya.shah@camden.example"))
    [event] = assert_rfc5546_publish(booked.file or b"").walk("VEVENT")
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANISER}"


async def test_local_mode_refuses_an_event_id_that_is_a_path(tmp_path: Path) -> None:
    calendar = IcsCalendar(tmp_path)
    with pytest.raises(ValueError, match="not an event id"):
        await calendar.cancel("../../etc/passwd")


async def test_settings_choose_graph_only_when_its_app_and_organiser_are_set(
    tmp_path: Path,
) -> None:
    local = calendar_from_settings(Settings(forum_calendar_dir=str(tmp_path)))
    graph = calendar_from_settings(
        Settings(
            forum_graph_tenant_id="4f1c2a6e-7b1d-4e0a-9c55-0a8e3d2b1f10",
            forum_graph_client_id="2b8f0c3a-1111-4a5b-9c8d-7e6f5a4b3c2d",
            forum_graph_client_secret="not-a-secret",
            forum_graph_organiser=ORGANISER,
        )
    )
    half = calendar_from_settings(
        Settings(forum_graph_client_id="2b8f0c3a", forum_calendar_dir=str(tmp_path))
    )

    assert isinstance(local, IcsCalendar)
    assert local.directory == tmp_path
    assert isinstance(graph, GraphCalendar)
    assert isinstance(half, IcsCalendar)  # half a Graph app is no Graph app
    await graph.close()
