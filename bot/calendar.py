"""The Calendar port: online Teams meetings in Outlook calendars through Microsoft Graph, or
.ics invitations on disk when no Graph app is configured (local mode).

Graph (app-only, client credentials): events are created in the organiser's mailbox,
POST /users/{organiser}/events with isOnlineMeeting and teamsForBusiness, so Exchange sends the
invitations and Teams adds the join link. The app needs the Calendars.ReadWrite *application*
permission with admin consent; a group's calendar (/groups/{id}/events) does not support
app-only access, hence a user mailbox (e.g. the secretariat's shared mailbox). Times go as
wall-clock Europe/London with that timeZone, so Graph keeps 09:00 at 09:00 across the clock
changes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from icalendar import Calendar as ICalendar
from icalendar import Event as IEvent
from icalendar import vCalAddress, vDatetime, vText

from bot.settings import Settings
from cards.views.common import LONDON
from forum_ops.errors import CalendarUnavailable
from forum_ops.ports import BookedMeeting, Calendar, Meeting

log = logging.getLogger(__name__)
LONDON_ZONE = LONDON.key  # the name Graph and calendar files give it


class GraphCalendar:
    """Meetings in the organiser's Outlook calendar; `credential` is an azure-identity async
    credential (ClientSecretCredential in production)."""

    def __init__(self, base_url: str, credential: Any, organiser: str) -> None:
        self._base_url = base_url
        self._credential = credential
        self._organiser = organiser

    async def create(self, meeting: Meeting) -> BookedMeeting:
        from bot.graph import open_graph  # msgraph loads when a meeting is first booked

        async with open_graph(self._base_url, self._credential) as client, _in_words():
            event = await client.users.by_user_id(self._organiser).events.post(_event(meeting))
        return _booked(event)

    async def move(self, event_id: str, meeting: Meeting) -> BookedMeeting:
        from bot.graph import open_graph

        async with open_graph(self._base_url, self._credential) as client, _in_words():
            events = client.users.by_user_id(self._organiser).events
            event = await events.by_event_id(event_id).patch(_event(meeting))
        return _booked(event)

    async def cancel(self, event_id: str, reason: str = "") -> None:
        from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
            CancelPostRequestBody,
        )

        from bot.graph import open_graph

        async with open_graph(self._base_url, self._credential) as client, _in_words():
            events = client.users.by_user_id(self._organiser).events
            await events.by_event_id(event_id).cancel.post(CancelPostRequestBody(comment=reason))

    async def close(self) -> None:
        await self._credential.close()


@asynccontextmanager
async def _in_words() -> AsyncIterator[None]:
    """Graph's refusals as a CalendarUnavailable the chair can read. msgraph's retry handler
    has already retried 429, 503 and 504 (honouring Retry-After) before one reaches here."""
    from kiota_abstractions.api_error import APIError

    try:
        yield
    except APIError as error:
        status = error.response_status_code or 0
        log.warning("calendar.graph_refused", extra={"status": status})
        raise CalendarUnavailable(
            _REFUSALS.get(
                status,
                _REFUSALS[500]
                if status >= 500
                else f"Microsoft Graph refused the change (HTTP {status}). Nothing was changed; "
                "the secretariat can check the forum's calendar app.",
            )
        ) from error
    except httpx.HTTPError as error:
        log.warning("calendar.graph_unreachable", extra={"error": type(error).__name__})
        raise CalendarUnavailable(
            "I couldn't reach Microsoft Graph to book the meeting. Nothing was changed: please "
            "try again in a few minutes."
        ) from error


_REFUSALS = {
    403: "The forum's calendar app is not allowed to book meetings in the organiser's "
    "calendar (Graph said 403: the Calendars.ReadWrite application permission or the "
    "mailbox's access policy is missing). Nothing was changed: please tell the secretariat.",
    404: "The meeting's calendar event was not found in the organiser's calendar (it may have "
    "been deleted in Outlook). Nothing was changed: please tell the secretariat.",
    429: "Microsoft Graph is busy (it asked me to slow down, and I tried again). Nothing was "
    "changed: please try again in a few minutes.",
    500: "Microsoft Graph had a problem of its own and the meeting could not be booked. Nothing "
    "was changed: please try again in a few minutes.",
}


def _event(meeting: Meeting) -> Any:
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.attendee_type import AttendeeType
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType

    def wall_clock(at: datetime) -> DateTimeTimeZone:
        local = at.astimezone(LONDON).replace(tzinfo=None)
        return DateTimeTimeZone(
            date_time=local.isoformat(timespec="seconds"), time_zone=LONDON_ZONE
        )

    return Event(
        subject=meeting.subject,
        body=ItemBody(content_type=BodyType.Text, content=meeting.body),
        start=wall_clock(meeting.start),
        end=wall_clock(meeting.end),
        attendees=[
            Attendee(email_address=EmailAddress(address=email), type=AttendeeType.Required)
            for email in meeting.invitees
        ],
        is_online_meeting=True,
        online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
        transaction_id=meeting.transaction_id or None,
    )


def _booked(event: Any) -> BookedMeeting:
    if event is None or not event.id:
        raise RuntimeError("Graph answered without an event id")
    join = event.online_meeting.join_url if event.online_meeting else None
    return BookedMeeting(str(event.id), join)


class IcsCalendar:
    """Local mode: each meeting is an RFC 5545 calendar file, `<event id>.ics` in `directory`,
    handed to whoever scheduled it (the card links it); nothing is sent to anyone.

    The file is an iTIP PUBLISH (RFC 5546 section 3.2.1), not a REQUEST: it is opened and
    imported by one person, not mailed by an organiser to attendees, and a REQUEST a chair
    opens reads as an invitation from someone else that they can only accept. PUBLISH needs
    an ORGANIZER as REQUEST does (the mailbox configured, else whoever booked it) and carries
    no ATTENDEE. Moving publishes it again under the same UID with a higher SEQUENCE, so
    opening it updates the imported event; cancelling publishes it with STATUS:CANCELLED. There
    is no online meeting, so no join link."""

    def __init__(self, directory: Path, organiser: str = "") -> None:
        self.directory = directory
        self._organiser = organiser

    def path_of(self, event_id: str) -> Path:
        if not event_id.isalnum():
            raise ValueError("not an event id of this calendar")
        return self.directory / f"{event_id}.ics"

    async def create(self, meeting: Meeting) -> BookedMeeting:
        event_id = meeting.transaction_id if meeting.transaction_id.isalnum() else uuid.uuid4().hex
        organiser = self._organiser or meeting.organiser
        calendar = _published(event_id, meeting, organiser, 0)
        return BookedMeeting(event_id, None, await self._write(event_id, calendar))

    async def move(self, event_id: str, meeting: Meeting) -> BookedMeeting:
        before = await self._read(event_id)
        sequence = int(before.get("SEQUENCE", 0)) + 1
        organiser = self._organiser or meeting.organiser or _organiser_of(before)
        calendar = _published(event_id, meeting, organiser, sequence)
        return BookedMeeting(event_id, None, await self._write(event_id, calendar))

    async def cancel(self, event_id: str, reason: str = "") -> bytes | None:
        event = await self._read(event_id)
        calendar = _calendar()
        event["SEQUENCE"] = int(event.get("SEQUENCE", 0)) + 1
        event["STATUS"] = "CANCELLED"
        event["DTSTAMP"] = vDatetime(datetime.now(UTC))
        if reason:
            event["COMMENT"] = vText(reason)
        calendar.add_component(event)
        calendar.add_missing_timezones()
        return await self._write(event_id, calendar)

    async def _read(self, event_id: str) -> IEvent:
        data = await asyncio.to_thread(self.path_of(event_id).read_bytes)
        event = ICalendar.from_ical(data).walk("VEVENT")[0]
        assert isinstance(event, IEvent)
        return event

    async def _write(self, event_id: str, calendar: ICalendar) -> bytes:
        path, data = self.path_of(event_id), calendar.to_ical()
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, data)
        return data


def _calendar() -> ICalendar:
    calendar = ICalendar()
    calendar.add("prodid", "-//Pan-London SEND Commissioning Forum//forumbot//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def _organiser_of(event: IEvent) -> str:
    return str(event.get("ORGANIZER", "")).removeprefix("mailto:")


def _published(event_id: str, meeting: Meeting, organiser: str, sequence: int) -> ICalendar:
    calendar = _calendar()
    event = IEvent()
    event.add("uid", f"{event_id}@forumbot")
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meeting.london_start)  # TZID=Europe/London, with its VTIMEZONE
    event.add("dtend", meeting.london_end)
    event.add("summary", meeting.subject)
    if meeting.body:
        event.add("description", meeting.body)
    # RFC 5546 requires an ORGANIZER in a PUBLISH; the registry gives every member an email
    event.add("organizer", vCalAddress(f"mailto:{organiser or 'forumbot@invalid'}"))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def calendar_from_settings(settings: Settings) -> Calendar:
    """Graph when its app and organiser are configured, else .ics files in local mode."""
    if not settings.graph_configured:
        return IcsCalendar(Path(settings.forum_calendar_dir), settings.forum_graph_organiser)
    from azure.identity.aio import ClientSecretCredential

    credential = ClientSecretCredential(
        settings.forum_graph_tenant_id,
        settings.forum_graph_client_id,
        settings.forum_graph_client_secret,
    )
    return GraphCalendar(settings.forum_graph_base_url, credential, settings.forum_graph_organiser)
