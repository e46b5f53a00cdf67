"""The Useful Commissioning Takeaway: after a meeting the chair fills in a form (title, the key
insight, a practical tool or link, up to 3 actions); publishing posts it to the forum's channel
and to every member 1:1. Unpublished, it is posted anyway 2 working days after the meeting
(forum_ops/meetings/cycle.py), so it arrives even when the chair is busy.

    (none) ──save──> draft ──publish (chair, secretariat)──> published
                       └──2 working days after the meeting, not empty──> published
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cards.views.common import LONDON
from cards.views.meetings import Takeaway, TakeawayAction
from forum_ops.db import Database
from forum_ops.db.schema import MeetingRow, MemberRow, TakeawayRow, may_be_an_id
from forum_ops.errors import ForumError, NoTakeawayYet, NotAllowed, NotReachable
from forum_ops.meetings.presenter import MeetingCards
from forum_ops.meetings.service import find_meeting_row, meeting_info, upcoming
from forum_ops.members.model import Member, Role
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock, Delivery, Messenger, RenderedCard

LINK_LIFETIME = timedelta(days=30)  # like the charts'
MAX_FIELD_CHARS = {"title": 200, "insight": 2000, "tool": 500, "what": 300, "who": 200}
MOST_ACTIONS = 3


def _text(data: Mapping[str, object], name: str) -> str:
    value = data.get(name, "")
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if len(text) > MAX_FIELD_CHARS.get(name.rstrip("123"), 300):
        raise ForumError(
            f"The {name.rstrip('123')} can be at most "
            f"{MAX_FIELD_CHARS[name.rstrip('123')]} characters."
        )
    return text


def takeaway_of(session: Session, row: MeetingRow, now: datetime | None = None) -> Takeaway | None:
    found = session.get(TakeawayRow, row.id)
    if found is None:
        return None
    live = found.link_expires_at is not None and (now is None or found.link_expires_at > now)
    actions = tuple(TakeawayAction(a["what"], a["who"]) for a in json.loads(found.actions))
    return Takeaway(
        meeting_info(session, row.id),
        found.title,
        found.insight,
        found.tool,
        actions,
        found.status,
        found.published_at,
        found.link_token if live else None,
    )


def _may_write(member: Member, row: MeetingRow, now: datetime) -> None:
    """The chair or the secretariat, once the meeting's scheduled end has passed: a takeaway
    is of a meeting held, never a broadcast for one to come."""
    if not (member.is_secretariat or row.chair_aad == member.aad_object_id):
        raise NotAllowed("Only the meeting's chair or the secretariat can write its takeaway.")
    ends = row.starts_at + timedelta(minutes=row.minutes)
    if now < ends:
        day = ends.astimezone(LONDON)
        raise ForumError(
            f"A takeaway is written after its meeting: this one ends {day:%A} {day.day} "
            f"{day:%B %Y}, {day:%H:%M}."
        )


def _secretariat_first(
    session: Session, row: MeetingRow, messenger: Messenger, card: RenderedCard
) -> None:
    """A takeaway a chair publishes goes to the channel and every member: the secretariat's
    copies are queued before all others (under the keys `post` uses, so each is sent once),
    so the secretariat sees first, in the outbox's order, what a chair broadcast."""
    for member in session.scalars(select(MemberRow).order_by(MemberRow.name)):
        if Role.SECRETARIAT.value in member.roles.split(";"):
            aad = member.aad_object_id
            with contextlib.suppress(NotReachable):
                messenger.to_member(
                    aad, card, Delivery(f"takeaway:{row.id}:member:{aad}", "takeaway")
                )


def save(
    session: Session, member: Member, meeting_id: object, data: Mapping[str, object], now: datetime
) -> tuple[MeetingRow, TakeawayRow]:
    """Keep what the form holds (a draft); a published takeaway is not changed."""
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
        raise ForumError("That card is not one of mine.")
    row = session.get(MeetingRow, meeting_id) if may_be_an_id(meeting_id) else None
    if row is None:
        raise ForumError("That meeting is no longer in the plan.")
    _may_write(member, row, now)
    found = session.get(TakeawayRow, row.id)
    if found is not None and found.status == "published":
        raise ForumError("That takeaway is published already.")
    actions = []
    for n in range(1, MOST_ACTIONS + 1):
        what, who = _text(data, f"what{n}"), _text(data, f"who{n}")
        if what:
            actions.append({"what": what, "who": who})
    if found is None:
        found = TakeawayRow(meeting_id=row.id, status="draft")
        session.add(found)
    found.title, found.insight = _text(data, "title"), _text(data, "insight")
    found.tool, found.actions = _text(data, "tool"), json.dumps(actions)
    found.author_aad, found.updated_at = member.aad_object_id, now
    session.flush()
    return row, found


def give_link(found: TakeawayRow, now: datetime) -> None:
    """The PDF's unguessable link, for 30 days from now (a card sent carries it)."""
    found.link_token = secrets.token_urlsafe(24)
    found.link_expires_at = now + LINK_LIFETIME


def takeaway_for_link(session: Session, token: str, now: datetime) -> Takeaway | None:
    """The published takeaway behind a PDF link still alive, or None."""
    found = session.scalars(select(TakeawayRow).where(TakeawayRow.link_token == token)).first()
    if found is None or found.link_expires_at is None or found.link_expires_at <= now:
        return None
    row = session.get(MeetingRow, found.meeting_id)
    return takeaway_of(session, row, now) if row is not None else None


def is_empty(found: TakeawayRow | None) -> bool:
    return found is None or not (
        found.title or found.insight or found.tool or found.actions != "[]"
    )


def post(
    session: Session,
    row: MeetingRow,
    found: TakeawayRow,
    messenger: Messenger,
    cards: MeetingCards,
    now: datetime,
    secretariat_first: bool = True,
) -> None:
    """Publish and queue it for the channel and every member, each once (keyed by meeting).
    The card is drawn from the takeaway once it is published (and has its PDF link), so what
    people receive says published, not the draft it was a moment before. What a chair
    broadcasts (their own publishing, or their draft posted by the clock) goes to the
    secretariat first."""
    give_link(found, now)
    found.status, found.published_at, found.updated_at = "published", now, now
    session.flush()
    published = takeaway_of(session, row, now)
    assert published is not None
    card = cards.takeaway(published)
    if secretariat_first:
        _secretariat_first(session, row, messenger, card)
    with_key = f"takeaway:{row.id}"
    with contextlib.suppress(NotReachable):
        messenger.to_channel(card, Delivery(f"{with_key}:channel", "takeaway"))
    for aad in session.scalars(select(MemberRow.aad_object_id).order_by(MemberRow.name)):
        try:
            messenger.to_member(aad, card, Delivery(f"{with_key}:member:{aad}", "takeaway"))
        except NotReachable:
            continue


def write(
    db: Database,
    clock: Clock,
    member: Member,
    meeting_id: object,
    data: Mapping[str, object],
    publish: bool,
    messengers: MessengerFactory,
    cards: MeetingCards,
) -> Takeaway:
    """The form's Save (a draft) or Publish (posted to the channel and members 1:1)."""
    now = clock.now()
    with db.transaction() as session:
        row, found = save(session, member, meeting_id, data, now)
        if publish:
            if not found.title or not found.insight:
                raise ForumError("A takeaway needs at least a title and the key insight.")
            messenger = messengers(session, now)
            post(session, row, found, messenger, cards, now, not member.is_secretariat)
        shown = takeaway_of(session, row, now)
        assert shown is not None
        return shown


def show_takeaway(db: Database, clock: Clock, text: str) -> Takeaway:
    """`takeaway [latest|<date>]`: a published takeaway."""
    now = clock.now()
    with db.transaction() as session:
        if text.strip().casefold() in ("", "latest"):
            row = session.scalars(
                select(MeetingRow)
                .join(TakeawayRow, TakeawayRow.meeting_id == MeetingRow.id)
                .where(TakeawayRow.status == "published")
                .order_by(MeetingRow.starts_at.desc())
                .limit(1)
            ).first()
            if row is None:
                planned = [m for m in upcoming(session, now) if not m.cancelled]
                raise NoTakeawayYet("No takeaway has been published yet", next(iter(planned), None))
        else:
            row = find_meeting_row(session, text, now)
        found = takeaway_of(session, row, now)
        if found is None or found.status != "published":
            day: date = row.starts_at.astimezone(LONDON).date()
            on = f"{day:%A} {day.day} {day:%B %Y}"  # the British way, as on the cards
            raise ForumError(f"The takeaway of the meeting on {on} is not published yet.")
        return found
