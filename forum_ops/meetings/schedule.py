"""`schedule <date> [<time>]`: book (or re-time) the meeting's Teams meeting through the Calendar
port, and keep the meeting row and the calendar event in step.

Nothing is half-created: before asking the calendar, the row is marked `booking = "pending"`
with a transaction id of its own (Graph's `transactionId`); the answer is written after. If the
process dies in between, the row stays pending and the next `schedule` asks again with the same
transaction id, and Graph hands back the event it made the first time instead of a second one.
If the calendar refuses, the row is put back as it was and the chair is told in words.

A chair's booking is a broadcast (the calendar invites every member), so the secretariat is
told first: its card is queued in the outbox in the same transaction that marks the row
pending, before the calendar is asked, and a refusal is told after it (issue 24 item 3).

    (none) ──schedule──> pending ──event made──> booked ──schedule / move──> pending ──> booked
                            └──refused──> (as before)              └──cancel──> cancelled
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cards.views.common import LONDON
from cards.views.meetings import ChairBooking, MeetingInfo
from forum_ops.dates import london_moment, split_day_and_time
from forum_ops.db import Database
from forum_ops.db.schema import AgendaItemRow, MeetingRow, MemberRow
from forum_ops.errors import CalendarUnavailable, ForumError, NotAllowed, NotReachable
from forum_ops.meetings.plan import theme_or_none
from forum_ops.meetings.presenter import MeetingCards
from forum_ops.meetings.service import PlanChange, find_meeting_row, meeting_info
from forum_ops.members.model import Member, Role
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import BookedMeeting, Calendar, Clock, Delivery, Meeting

SUBJECT = "Pan-London SEND Commissioning Forum"


def subject_of(theme: str) -> str:
    """The calendar event's title: the forum and the theme, or "... Forum meeting" without one."""
    theme = theme_or_none(theme)
    return f"{SUBJECT}: {theme}"[:250] if theme else f"{SUBJECT} meeting"


@dataclass(frozen=True)
class Booking:
    """What to ask the calendar for, read in the first transaction."""

    meeting_id: int
    event_id: str | None  # the event to move; None: create one
    meeting: Meeting
    was: str  # the row's booking before: "" or "booked"


@dataclass(frozen=True)
class Secretariat:
    """How the secretariat is told of a chair's booking: the outbox and the presenter."""

    messengers: MessengerFactory
    cards: MeetingCards


@dataclass(frozen=True)
class Told:
    """A chair's booking the secretariat was told of: what to tell them if it is refused."""

    secretariat: Secretariat
    booking: ChairBooking
    key: str  # the outbox keys' stem


@dataclass(frozen=True)
class Scheduled:
    meeting: MeetingInfo
    created: bool  # a new event, rather than the same event moved
    # local mode: the calendar file written (nothing was sent); None when Graph sent invitations
    file: bytes | None = None


def may_schedule(member: Member, row: MeetingRow) -> bool:
    return member.is_secretariat or row.chair_aad == member.aad_object_id


def _invitees(session: Session) -> tuple[str, ...]:
    return tuple(session.scalars(select(MemberRow.email).order_by(MemberRow.email)))


def _body(session: Session, row: MeetingRow) -> str:
    accepted = session.scalars(
        select(AgendaItemRow.text)
        .where(AgendaItemRow.meeting_id == row.id, AgendaItemRow.status == "accepted")
        .order_by(AgendaItemRow.id)
    ).all()
    theme = theme_or_none(row.theme)
    lines = [*([f"Theme: {theme}"] if theme else []), *(f"- {text}" for text in accepted)]
    paragraphs = ["\n".join(lines)] if lines else []
    return "\n\n".join([*paragraphs, "The agenda comes from the forum's assistant 7 days before."])


def _prepare(
    session: Session, row: MeetingRow, start: datetime, now: datetime, organiser: str = ""
) -> Booking:
    """Mark the row pending under its transaction id, the same for every try until the event
    is cancelled: a try refused with a 5xx may have made the event all the same."""
    was = "booked" if row.event_id else ""
    if not row.booking_id:
        row.booking_id = uuid.uuid4().hex
    row.booking, row.updated_at = "pending", now
    meeting = Meeting(
        subject=subject_of(row.theme),
        start=start,
        end=start + timedelta(minutes=row.minutes),
        invitees=_invitees(session),
        body=_body(session, row),
        transaction_id=row.booking_id,
        organiser=organiser,
    )
    return Booking(row.id, row.event_id, meeting, was)


def _secretariat_aads(session: Session) -> list[str]:
    rows = session.scalars(select(MemberRow).order_by(MemberRow.name))
    return [r.aad_object_id for r in rows if Role.SECRETARIAT.value in r.roles.split(";")]


def _tell(session: Session, told: Told, now: datetime, suffix: str = "") -> None:
    """Queue the booking's card to each of the secretariat 1:1, in the caller's transaction."""
    messenger = told.secretariat.messengers(session, now)
    card = told.secretariat.cards.chair_booking(told.booking)
    for aad in _secretariat_aads(session):
        with contextlib.suppress(NotReachable):
            messenger.to_member(aad, card, Delivery(f"{told.key}{suffix}:{aad}", "meeting"))


def _begin(
    db: Database, member: Member, text: str, now: datetime, secretariat: Secretariat | None = None
) -> tuple[Booking, Told | None]:
    """Mark the row pending; a chair's booking is told to the secretariat in the same
    transaction, so it is in their log before the calendar invites anyone."""
    today = now.astimezone(LONDON).date()
    day, at = split_day_and_time(text, today)
    with db.transaction() as session:
        row = find_meeting_row(session, day.isoformat(), now)
        if not may_schedule(member, row):
            raise NotAllowed(
                "Only the meeting's chair or the secretariat can schedule it. "
                "Type chair followed by the date to volunteer."
            )
        if row.status == "cancelled":
            raise ForumError("That meeting is cancelled: the secretariat can add it again.")
        start = london_moment(day, at or row.starts_at.astimezone(LONDON).time())
        if start <= now:
            raise ForumError("A meeting can only be scheduled for a time still to come.")
        booking = _prepare(session, row, start, now, member.email)
        if secretariat is None or member.is_secretariat:  # the secretariat need not tell itself
            return booking, None
        chair = f"{member.name} ({member.organisation.name})"
        seen = ChairBooking(
            meeting_info(session, row.id), chair, start, len(booking.meeting.invitees),
            booking.event_id is not None, now,
        )  # fmt: skip
        told = Told(
            secretariat, seen, f"chair-booking:{row.id}:{start:%Y%m%dT%H%M}:{now.isoformat()}"
        )
        session.flush()
        _tell(session, told, now)
        return booking, told


def _finish(db: Database, booking: Booking, booked: BookedMeeting, now: datetime) -> MeetingInfo:
    with db.transaction() as session:
        row = session.get(MeetingRow, booking.meeting_id)
        if row is None:  # deleted meanwhile: nothing of ours points at the event
            raise ForumError("That meeting left the plan while it was being booked.")
        row.starts_at = booking.meeting.start
        row.day = booking.meeting.start.astimezone(LONDON).date().isoformat()
        row.event_id, row.booking, row.updated_at = booked.event_id, "booked", now
        row.join_url = booked.join_url or row.join_url
        return meeting_info(session, row.id)


def _undo(
    db: Database, booking: Booking, now: datetime, told: Told | None = None, why: str = ""
) -> None:
    with db.transaction() as session:
        row = session.get(MeetingRow, booking.meeting_id)
        if row is not None:
            row.booking, row.updated_at = booking.was, now
        if told is not None:  # they were told it was under way: now that it is not
            refused = Told(told.secretariat, replace(told.booking, refused=why), told.key)
            _tell(session, refused, now, ":refused")


async def _book(
    db: Database, calendar: Calendar, clock: Clock, booking: Booking, told: Told | None = None
) -> tuple[MeetingInfo, bytes | None]:
    try:
        if booking.event_id is None:
            booked = await calendar.create(booking.meeting)
        else:
            booked = await calendar.move(booking.event_id, booking.meeting)
    except CalendarUnavailable as refused:
        await asyncio.to_thread(_undo, db, booking, clock.now(), told, str(refused))
        raise
    meeting = await asyncio.to_thread(_finish, db, booking, booked, clock.now())
    return meeting, booked.file


async def schedule(
    db: Database,
    calendar: Calendar,
    clock: Clock,
    member: Member,
    text: str,
    secretariat: Secretariat | None = None,
) -> Scheduled:
    """`schedule <date> [<time>]` (the meeting's chair or the secretariat). With `secretariat`
    (the bot's), a chair's booking or move is told to the secretariat before the calendar
    invites anyone."""
    if not text.strip():
        raise ForumError("Say which meeting: schedule 22 Jan, or schedule 22/01/2026 10:30.")
    booking, told = await asyncio.to_thread(_begin, db, member, text, clock.now(), secretariat)
    meeting, file = await _book(db, calendar, clock, booking, told)
    return Scheduled(meeting, booking.event_id is None, file)


def _rebook(db: Database, meeting_id: int, now: datetime) -> Booking:
    with db.transaction() as session:
        row = session.get(MeetingRow, meeting_id)
        if row is None:
            raise ForumError("That meeting is no longer in the plan.")
        return _prepare(session, row, row.starts_at, now)


def _event_of(db: Database, meeting_id: int) -> str | None:
    with db.transaction() as session:
        row = session.get(MeetingRow, meeting_id)
        return row.event_id if row is not None else None


def _cancelled(db: Database, meeting_id: int, now: datetime) -> MeetingInfo:
    with db.transaction() as session:
        row = session.get(MeetingRow, meeting_id)
        if row is None:
            raise ForumError("That meeting is no longer in the plan.")
        row.booking, row.join_url, row.updated_at = "", None, now
        row.event_id = row.booking_id = None
        return meeting_info(session, row.id)


async def follow_plan_change(
    db: Database, calendar: Calendar, clock: Clock, change: PlanChange
) -> Scheduled:
    """After the secretariat moved or cancelled a booked meeting: the same event follows. A
    cancelled meeting keeps its event id until the calendar has cancelled it. In local mode
    the result carries the changed calendar file (nothing was sent)."""
    if change.calendar == "move":
        booking = await asyncio.to_thread(_rebook, db, change.meeting.id, clock.now())
        meeting, file = await _book(db, calendar, clock, booking)
        return Scheduled(meeting, False, file)
    event_id = await asyncio.to_thread(_event_of, db, change.meeting.id)
    file = None
    if event_id:
        file = await calendar.cancel(event_id, "The forum's secretariat cancelled this meeting.")
    meeting = await asyncio.to_thread(_cancelled, db, change.meeting.id, clock.now())
    return Scheduled(meeting, False, file)
