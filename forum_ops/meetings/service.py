"""Meetings: the forward plan (seeded from SPEC section 2, then every 8 weeks), the secretariat's
edits (in chat and `forumbot meetings import`), chairs, and the figures the quarterly report
reads (`meeting_figures`).

Authority comes from the registry's Member: only the secretariat edits the plan, assigns or
releases a chair; a member volunteers only themself, one chair per meeting.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from cards.views.common import LONDON
from cards.views.meetings import ChairInfo, ChairSuggestion, MeetingInfo
from forum_ops.csv_files import Checked, CsvFile
from forum_ops.dates import london_moment, parse_day, parse_time, split_day_and_time
from forum_ops.db import Database
from forum_ops.db.schema import (
    ChairOfferRow,
    MeetingRow,
    MemberRow,
    OrganisationRow,
    OutboxRow,
    TakeawayRow,
)
from forum_ops.errors import (
    BadDate,
    ForumError,
    NoMeetingThatDay,
    NotAllowed,
    NotReachable,
    Problem,
)
from forum_ops.meetings.plan import (
    DEFAULT_START,
    MAX_THEME_CHARS,
    MEETING_MINUTES,
    YEAR_ONE,
    cadence_after,
    off_holidays,
    theme_or_none,
    warnings_for,
)
from forum_ops.meetings.presenter import MeetingCards
from forum_ops.members.model import Member, Role
from forum_ops.members.registry import find_member, members_by_id
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock, Delivery

PLAN_AHEAD = timedelta(days=365)  # the cadence keeps a year of meetings planned
CADENCE = "cadence"  # the origin of a meeting the cadence added; "cadence-7": moved 7 days
SETTLED = timedelta(weeks=4)  # a cadence meeting this close keeps its day: people plan on it
RECENT_CHAIRS = 3  # organisations that chaired one of the last 3 meetings are not suggested
MOST_SUGGESTIONS = 5


@dataclass(frozen=True)
class PlanChange:
    """What an edit of the plan did, for the card."""

    title: str
    meeting: MeetingInfo
    # a booked meeting that moved or was cancelled: the calendar event must follow
    calendar: str = ""  # "", "move" or "cancel"


@dataclass(frozen=True)
class MeetingFigure:
    day: date
    theme: str
    status: str
    chair_organisation: str | None
    takeaway_title: str | None  # a published takeaway's title
    starts_at: datetime | None = None  # aware: whether it has been held yet is the reader's now


@dataclass(frozen=True)
class MeetingFigures:
    """The meetings between two days, for the quarterly report."""

    start: date
    end: date
    meetings: tuple[MeetingFigure, ...]

    @property
    def held(self) -> int:
        return sum(1 for m in self.meetings if m.status != "cancelled")

    @property
    def takeaways(self) -> int:
        return sum(1 for m in self.meetings if m.takeaway_title)


# --- reading -------------------------------------------------------------------------------


def _info(session: Session, row: MeetingRow) -> MeetingInfo:
    return _infos(session, [row])[0]


def _infos(
    session: Session, rows: Sequence[MeetingRow | Row[*tuple[Any, ...]]]
) -> tuple[MeetingInfo, ...]:
    """The meetings `rows` (soonest first) as cards show them, in three queries whatever their
    number: a meeting's number counts the meetings held or planned up to it, cancelled ones not;
    a meeting with no chair says whether an offer to chair waits for the secretariat."""
    if not rows:
        return ()
    first = min(r.starts_at for r in rows)
    earlier = session.scalar(
        select(func.count())
        .select_from(MeetingRow)
        .where(MeetingRow.starts_at < first, MeetingRow.status != "cancelled")
    )
    chairs = members_by_id(session, {r.chair_aad for r in rows if r.chair_aad})
    offered = set(
        session.scalars(
            select(ChairOfferRow.meeting_id).where(
                ChairOfferRow.meeting_id.in_([r.id for r in rows if not r.chair_aad])
            )
        )
    )
    held = sorted(r.starts_at for r in rows if r.status != "cancelled")
    return tuple(
        MeetingInfo(
            id=row.id,
            number=int(earlier or 0) + bisect_right(held, row.starts_at),
            day=date.fromisoformat(row.day),
            starts_at=row.starts_at,
            minutes=row.minutes,
            theme=theme_or_none(row.theme),
            status=row.status,
            chair=_chair(chairs.get(row.chair_aad or "")),
            join_url=row.join_url,
            booked=row.booking == "booked",
            warnings=warnings_for(date.fromisoformat(row.day)),
            offered=row.id in offered,
        )
        for row in rows
    )


def _chair(member: Member | None) -> ChairInfo | None:
    if member is None:
        return None
    return ChairInfo(member.name, member.organisation.name, member.aad_object_id)


def meeting_info(session: Session, meeting_id: int) -> MeetingInfo:
    row = session.get(MeetingRow, meeting_id)
    if row is None:
        raise ForumError("That meeting is no longer in the plan.")
    return _info(session, row)


def upcoming(session: Session, now: datetime, most: int = 6) -> tuple[MeetingInfo, ...]:
    """The meetings not yet over, cancelled ones included (the card says so), soonest first."""
    meetings = MeetingRow.__table__  # Core: the ORM's loading cost more than the query
    session.flush()  # a plan the unit of work changed is listed as changed
    rows = session.connection().execute(
        select(meetings)
        .where(meetings.c.starts_at > now - timedelta(minutes=MEETING_MINUTES))
        .order_by(meetings.c.starts_at)
        .limit(most)
    )
    return _infos(session, rows.all())


def list_meetings(db: Database, clock: Clock) -> tuple[MeetingInfo, ...]:
    """`meetings`: the next meetings of the plan."""
    with db.transaction() as session:
        return upcoming(session, clock.now())


def find_meeting_row(session: Session, text: str, now: datetime) -> MeetingRow:
    """The meeting a person means: "next" (or nothing) is the next one not cancelled; a date
    is that day's meeting. A date with no meeting raises NoMeetingThatDay with the list."""
    words = text.strip().casefold()
    if words in ("", "next"):
        row = session.scalars(
            select(MeetingRow)
            .where(
                MeetingRow.starts_at > now - timedelta(minutes=MEETING_MINUTES),
                MeetingRow.status != "cancelled",
            )
            .order_by(MeetingRow.starts_at)
            .limit(1)
        ).first()
        if row is None:
            raise NoMeetingThatDay("No meeting is planned yet.", ())
        return row
    day = parse_day(text, now.astimezone(LONDON).date())
    row = session.scalars(select(MeetingRow).where(MeetingRow.day == day.isoformat())).first()
    if row is None:
        raise NoMeetingThatDay(
            f"There is no meeting on {day:%A} {day.day} {day:%B %Y}. These are the next ones.",
            upcoming(session, now),
        )
    return row


# --- the plan ------------------------------------------------------------------------------


def _new_row(day: date, at: time, theme: str, origin: str, now: datetime) -> MeetingRow:
    return MeetingRow(
        day=day.isoformat(),
        starts_at=london_moment(day, at),
        minutes=MEETING_MINUTES,
        theme=theme,
        status="planned",
        origin=origin,
        booking="",
        created_at=now,
        updated_at=now,
    )


def seed_year_one(session: Session, now: datetime) -> int:
    """The Year 1 forward plan of SPEC section 2, where its days are not in the plan yet; then
    the cadence a year ahead. Returns how many meetings were added."""
    known = set(session.scalars(select(MeetingRow.day)))
    added = 0
    for planned in YEAR_ONE:
        if planned.day.isoformat() not in known:
            session.add(_new_row(planned.day, planned.start, planned.theme, "plan", now))
            added += 1
    session.flush()
    return added + extend_plan(session, now)


def extend_plan(session: Session, now: datetime) -> int:
    """Meetings every 8 weeks after the last one in the plan, a year ahead of `now`, at the
    last meeting's time, none in the Christmas break or on or next to a bank holiday (moved a
    week earlier, `off_holidays`). Cadence meetings planned before that rule, still unbooked,
    unchaired and more than 4 weeks away, are moved the same way. Returns how many were added."""
    _move_off_holidays(session, now)
    last = session.scalars(
        select(MeetingRow).order_by(MeetingRow.starts_at.desc()).limit(1)
    ).first()
    if last is None:
        return 0
    until = (now + PLAN_AHEAD).astimezone(LONDON).date()
    at = last.starts_at.astimezone(LONDON).time()
    moved = last.origin.removeprefix(CADENCE) if last.origin.startswith(CADENCE) else ""
    shift = int(moved) if moved.lstrip("+-").isdigit() else 0
    days = cadence_after(date.fromisoformat(last.day), until, shift)
    for day, shifted in days:
        origin = f"{CADENCE}{shifted:+d}" if shifted else CADENCE
        session.add(_new_row(day, at, "", origin, now))
    session.flush()
    return len(days)


def _move_off_holidays(session: Session, now: datetime) -> None:
    rows = session.scalars(
        select(MeetingRow).where(
            MeetingRow.origin == CADENCE,
            MeetingRow.starts_at > now + SETTLED,
            MeetingRow.status == "planned",
            MeetingRow.booking == "",
            MeetingRow.chair_aad.is_(None),
        )
    ).all()
    taken = set(session.scalars(select(MeetingRow.day)))
    for row in rows:
        due = date.fromisoformat(row.day)
        day = off_holidays(due)
        if day != due and day.isoformat() not in taken:
            taken.discard(row.day)
            taken.add(day.isoformat())
            row.day, row.origin, row.updated_at = (
                day.isoformat(),
                f"{CADENCE}{(day - due).days:+d}",
                now,
            )
            row.starts_at = london_moment(day, row.starts_at.astimezone(LONDON).time())


def _secretariat(member: Member, what: str) -> None:
    if not member.is_secretariat:
        raise NotAllowed(f"Only the forum's secretariat can {what}.")


def _theme(text: str) -> str:
    """The theme as kept: empty when there is none yet ("To be decided" and the like)."""
    theme = theme_or_none(text)
    if len(theme) > MAX_THEME_CHARS:
        raise ForumError(f"A theme can be at most {MAX_THEME_CHARS} characters.")
    return theme


PLAN_USAGE = (
    "meetings add <date> [<time>][: <theme>], meetings move <date> to <date> [<time>], "
    "meetings cancel <date>, meetings theme <date>: <theme>"
)


def edit_plan(db: Database, clock: Clock, member: Member, text: str) -> PlanChange:
    """`meetings add|move|cancel|theme ...` (secretariat), in one transaction."""
    _secretariat(member, "change the forward plan")
    verb, _, rest = text.strip().partition(" ")
    verb = verb.casefold()
    now = clock.now()
    today = now.astimezone(LONDON).date()
    head, _, theme = rest.partition(": ")
    with db.transaction() as session:
        if verb == "add":
            words = head.split()
            day, at = split_day_and_time(" ".join(words), today)
            if session.scalars(select(MeetingRow).where(MeetingRow.day == day.isoformat())).first():
                raise ForumError(f"There is a meeting on {day:%d/%m/%Y} already.")
            row = _new_row(day, at or DEFAULT_START, _theme(theme), "secretariat", now)
            session.add(row)
            session.flush()
            return PlanChange("Meeting added", _info(session, row))
        if verb == "move":
            old, sep, new = head.partition(" to ")
            if not sep:
                raise ForumError(f"Say where to move it: {PLAN_USAGE}.")
            row = find_meeting_row(session, old, now)
            day, at = split_day_and_time(new, today)
            return _move(session, row, day, at, now)
        if verb == "cancel":
            row = find_meeting_row(session, head, now)
            if row.status == "cancelled":
                raise ForumError("That meeting is cancelled already.")
            row.status, row.updated_at = "cancelled", now
            calendar = "cancel" if row.booking == "booked" else ""
            return PlanChange("Meeting cancelled", _info(session, row), calendar)
        if verb == "theme":
            row = find_meeting_row(session, head, now)
            row.theme, row.updated_at = _theme(theme), now
            return PlanChange("Theme changed", _info(session, row))
    raise ForumError(f"To change the plan: {PLAN_USAGE}.")


def _move(
    session: Session, row: MeetingRow, day: date, at: time | None, now: datetime
) -> PlanChange:
    if day.isoformat() != row.day:
        taken = session.scalars(select(MeetingRow).where(MeetingRow.day == day.isoformat())).first()
        if taken is not None:
            raise ForumError(f"There is a meeting on {day:%d/%m/%Y} already.")
    start = london_moment(day, at or row.starts_at.astimezone(LONDON).time())
    if start <= now:
        raise ForumError("A meeting can only move to a time still to come.")
    row.day, row.starts_at, row.updated_at = day.isoformat(), start, now
    if row.origin.startswith(CADENCE):  # the secretariat's day now: the rhythm restarts from it
        row.origin = "secretariat"
    calendar = "move" if row.booking == "booked" else ""
    return PlanChange("Meeting moved", _info(session, row), calendar)


IMPORT_COLUMNS = ("date", "time", "theme")


@dataclass(frozen=True)
class PlanLine:
    day: date
    at: time
    theme: str
    status: str


def import_plan(db: Database, text: str, now: datetime) -> tuple[int, int]:
    """`forumbot meetings import <file.csv>`: columns date, time, theme (and optionally
    status: planned or cancelled). Upserts by day; any bad line rejects the file. Returns
    (added, updated)."""
    today = now.astimezone(LONDON).date()

    def check(value: Mapping[str, str]) -> Checked[PlanLine]:
        try:
            day = parse_day(value["date"], today)
            at = parse_time(value["time"]) if value["time"] else DEFAULT_START
            london_moment(day, at)
        except BadDate as bad:
            return None, [Problem(0, "date/time", str(bad))]
        problems: list[Problem] = []
        status = value.get("status", "").casefold() or "planned"
        if status not in ("planned", "cancelled"):
            problems.append(Problem(0, "status", "is not planned or cancelled"))
        if len(value["theme"]) > MAX_THEME_CHARS:
            problems.append(Problem(0, "theme", f"is over {MAX_THEME_CHARS} characters"))
        return PlanLine(day, at, value["theme"], status), problems

    def day_of(value: Mapping[str, str]) -> date | None:
        with contextlib.suppress(BadDate):
            return parse_day(value["date"], today)
        return None

    plan = CsvFile("The plan", IMPORT_COLUMNS, check, key=day_of, key_column="date")
    added = updated = 0
    with db.transaction() as session:
        for line in plan.read(text):
            theme = _theme(line.theme)
            row = session.scalars(
                select(MeetingRow).where(MeetingRow.day == line.day.isoformat())
            ).first()
            if row is None:
                row = _new_row(line.day, line.at, theme, "import", now)
                session.add(row)
                added += 1
            else:
                row.starts_at, row.theme = london_moment(line.day, line.at), theme
                row.updated_at = now
                updated += 1
            row.status = line.status
    return added, updated


# --- chairs --------------------------------------------------------------------------------

CHAIR_USAGE = (
    "chair <date>, and for the secretariat chair <date> confirm, chair <date> decline, "
    "chair <date> assign <name or email> or chair <date> release"
)


@dataclass(frozen=True)
class ChairOffers:
    """How a member's offer to chair is settled: the secretariat is told and confirms or
    declines; with no answer for `quiet`, the member chairs (`settle_chair_offers`)."""

    quiet: timedelta
    messengers: MessengerFactory
    cards: MeetingCards  # the notices to the secretariat and the volunteer


@dataclass(frozen=True)
class ChairChange:
    title: str
    meeting: MeetingInfo
    message: str = ""


def chair(
    db: Database, clock: Clock, member: Member, text: str, offers: ChairOffers | None = None
) -> ChairChange:
    """`chair <date>` volunteers; `chair <date> release` (the chair or the secretariat),
    `chair <date> assign <name or email>`, `confirm` and `decline` (the secretariat).

    With `offers` (the bot's), a member's volunteering is an offer the secretariat is told of
    and confirms or declines; without (tools and tests setting a plan up), they chair at once.
    """
    words = text.split()
    lowered = [w.casefold() for w in words]
    verbs = ("assign", "release", "confirm", "decline")
    verb = next((w for w in lowered if w in verbs), "")
    cut = lowered.index(verb) if verb else len(words)
    day_words, rest = words[:cut], " ".join(words[cut + 1 :])
    if not day_words:
        raise ForumError(f"Say which meeting: {CHAIR_USAGE}.")
    now = clock.now()
    with db.transaction() as session:
        row = find_meeting_row(session, " ".join(day_words), now)
        if row.status == "cancelled" or row.starts_at <= now:
            raise ForumError("That meeting is cancelled or over: choose one still to come.")
        if verb == "release":
            if not (member.is_secretariat or row.chair_aad == member.aad_object_id):
                raise NotAllowed("Only the meeting's chair or the secretariat can release it.")
            if row.chair_aad is None:
                raise ForumError("That meeting has no chair to release.")
            row.chair_aad, row.chair_org, row.updated_at = None, None, now
            return ChairChange("Chair released", _info(session, row))
        offer = session.get(ChairOfferRow, row.id)
        if verb in ("confirm", "decline"):
            _secretariat(member, f"{verb} a chair")
            if offer is None:
                raise ForumError("No one has offered to chair that meeting.")
            offered = find_member(session, offer.aad_object_id)
            session.delete(offer)
            if offered is None or verb == "decline":
                session.flush()
                _tell_offer(session, offers, now, row, offer.aad_object_id, verb)
                return ChairChange("Offer declined", _info(session, row), "They are told.")
            chosen = offered
        elif verb == "assign":
            _secretariat(member, "assign a chair")
            chosen = _member_named(session, rest)
        else:
            chosen = member
        if verb == "":
            _one_future_chair(session, row, member, now)
        if row.chair_aad and row.chair_aad != chosen.aad_object_id:
            current = _info(session, row).chair
            who = f"{current.name} ({current.organisation})" if current else "someone"
            raise ForumError(
                f"{who} chairs that meeting already: one chair per meeting. "
                "The secretariat can release it."
            )
        if verb == "" and offers is not None and not member.is_secretariat and not row.chair_aad:
            if offer is not None and offer.aad_object_id != member.aad_object_id:
                raise ForumError(
                    "Someone has offered to chair that meeting already: the secretariat decides."
                )
            if offer is None:
                session.add(
                    ChairOfferRow(
                        meeting_id=row.id, aad_object_id=member.aad_object_id, offered_at=now
                    )
                )
                session.flush()
                _tell_secretariat_of_offer(session, offers, now, row, member)
            hours = offers.quiet.total_seconds() / 3600
            return ChairChange(
                "Thank you for offering to chair",
                _info(session, row),
                f"The secretariat confirms chairs: you chair this meeting when they do, or in "
                f"{hours:g} hours if they say nothing.",
            )
        if offer is not None:  # assigned or confirmed: the offer is settled
            session.delete(offer)
        row.chair_aad, row.chair_org = chosen.aad_object_id, chosen.organisation.code
        row.updated_at = now
        if verb == "confirm":
            session.flush()
            _tell_offer(session, offers, now, row, chosen.aad_object_id, verb)
            return ChairChange(f"{chosen.name} will chair", _info(session, row), "They are told.")
        title = "Thank you for chairing" if chosen is member else f"{chosen.name} will chair"
        return ChairChange(title, _info(session, row))


def _when(row: MeetingRow) -> str:
    day = row.starts_at.astimezone(LONDON)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _tell_secretariat_of_offer(
    session: Session, offers: ChairOffers, now: datetime, row: MeetingRow, volunteer: Member
) -> None:
    messenger = offers.messengers(session, now)
    day = row.starts_at.astimezone(LONDON).date().isoformat()
    hours = offers.quiet.total_seconds() / 3600
    card = offers.cards.notice(
        "An offer to chair",
        f"{volunteer.name} ({volunteer.organisation.name}) offers to chair the meeting on "
        f"{_when(row)}. Type chair {day} confirm or chair {day} decline; with no answer in "
        f"{hours:g} hours, they chair it.",
    )
    for aad in _secretariat_aads(session):
        with contextlib.suppress(NotReachable):
            key = f"chair-offer:{row.id}:{volunteer.aad_object_id}:{now.isoformat()}:{aad}"
            messenger.to_member(aad, card, Delivery(key, "meeting"))


def _tell_offer(
    session: Session,
    offers: ChairOffers | None,
    now: datetime,
    row: MeetingRow,
    aad: str,
    outcome: str,
) -> None:
    """The volunteer hears what became of their offer: confirm, decline or quiet."""
    if offers is None:
        return
    said = {
        "confirm": "The secretariat confirmed it: you chair the meeting on {when}. Thank you.",
        "quiet": "No one objected: you chair the meeting on {when}. Thank you.",
        "decline": "The secretariat has asked someone else to chair the meeting on {when}.",
    }[outcome]
    card = offers.cards.notice("Your offer to chair", said.format(when=_when(row)))
    with contextlib.suppress(NotReachable):
        key = f"chair-offer:{row.id}:{aad}:{now.isoformat()}:{outcome}"
        offers.messengers(session, now).to_member(aad, card, Delivery(key, "meeting"))


def _secretariat_aads(session: Session) -> list[str]:
    rows = session.scalars(select(MemberRow).order_by(MemberRow.name))
    return [r.aad_object_id for r in rows if Role.SECRETARIAT.value in r.roles.split(";")]


def settle_chair_offers(session: Session, now: datetime, offers: ChairOffers) -> int:
    """Offers the secretariat has not answered within the quiet period: the volunteer chairs
    (the secretariat was told when the offer was made). Offers for meetings gone are dropped."""
    settled = 0
    for offer in session.scalars(select(ChairOfferRow).order_by(ChairOfferRow.offered_at)).all():
        row = session.get(MeetingRow, offer.meeting_id)
        volunteer = find_member(session, offer.aad_object_id)
        if row is None or volunteer is None or row.status == "cancelled" or row.starts_at <= now:
            session.delete(offer)
            continue
        if offer.offered_at + offers.quiet > now:
            continue
        session.delete(offer)
        if row.chair_aad is None:
            row.chair_aad, row.chair_org = volunteer.aad_object_id, volunteer.organisation.code
            row.updated_at = now
            session.flush()
            _tell_offer(session, offers, now, row, volunteer.aad_object_id, "quiet")
            settled += 1
    return settled


def _one_future_chair(session: Session, row: MeetingRow, member: Member, now: datetime) -> None:
    """A member volunteers for one meeting to come at a time; the secretariat can assign more
    (`chair <date> assign`), so nobody takes the whole plan in a few messages."""
    other = session.scalars(
        select(MeetingRow)
        .where(
            MeetingRow.chair_aad == member.aad_object_id,
            MeetingRow.status != "cancelled",
            MeetingRow.starts_at > now,
            MeetingRow.id != row.id,
        )
        .order_by(MeetingRow.starts_at)
        .limit(1)
    ).first()
    if other is None:
        other = session.scalars(
            select(MeetingRow)
            .join(ChairOfferRow, ChairOfferRow.meeting_id == MeetingRow.id)
            .where(
                ChairOfferRow.aad_object_id == member.aad_object_id,
                MeetingRow.starts_at > now,
                MeetingRow.id != row.id,
            )
            .limit(1)
        ).first()
    if other is not None:
        day = other.starts_at.astimezone(LONDON)
        raise ForumError(
            f"You chair (or offered to chair) the meeting on {day:%A} {day.day} {day:%B %Y} "
            "already: volunteer for one "
            "meeting to come at a time. The secretariat can assign you more."
        )


def _member_named(session: Session, text: str) -> Member:
    words = text.strip()
    if not words:
        raise ForumError("Say whom to assign: a member's name or email address.")
    rows = session.scalars(
        select(MemberRow).where(
            (func.lower(MemberRow.email) == words.casefold())
            | (func.lower(MemberRow.name) == words.casefold())
        )
    ).all()
    if len(rows) != 1:
        raise ForumError(
            "No one in the registry has that name or email."
            if not rows
            else "More than one member has that name: use their email address."
        )
    found = find_member(session, rows[0].aad_object_id)
    assert found is not None
    return found


def chair_suggestions(session: Session, meeting: MeetingRow) -> tuple[ChairSuggestion, ...]:
    """Members who have chaired least, from organisations that chaired none of the last
    meetings before this one, longest since their last chair first."""
    earlier = session.scalars(
        select(MeetingRow)
        .where(MeetingRow.starts_at < meeting.starts_at, MeetingRow.status != "cancelled")
        .order_by(MeetingRow.starts_at.desc())
    ).all()
    recent_orgs = {m.chair_org for m in earlier[:RECENT_CHAIRS] if m.chair_org}
    chaired: dict[str, int] = {}
    for m in earlier:
        if m.chair_aad:
            chaired[m.chair_aad] = chaired.get(m.chair_aad, 0) + 1
    candidates = session.execute(
        select(MemberRow.aad_object_id, MemberRow.name, OrganisationRow.code, OrganisationRow.name)
        .join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
        .order_by(MemberRow.name)
    ).all()
    ranked = sorted(
        (c for c in candidates if c[2] not in recent_orgs),
        key=lambda c: (chaired.get(c[0], 0), c[1]),
    )
    return tuple(
        ChairSuggestion(c[1], c[3], chaired.get(c[0], 0)) for c in ranked[:MOST_SUGGESTIONS]
    )


# --- delivery per meeting (`outbox`) ------------------------------------------------------


@dataclass(frozen=True)
class MeetingDelivery:
    day: date
    counts: tuple[tuple[str, str, int], ...]  # (purpose, outbox status, messages), sorted


def meeting_deliveries(db: Database, clock: Clock) -> tuple[MeetingDelivery, ...]:
    """How the cycle's messages of the meetings of the last fortnight and the next ones
    stand in the outbox: agenda, reminder, chair, takeaway, by status."""
    now = clock.now()
    found = []
    with db.transaction() as session:
        for meeting in upcoming(session, now - timedelta(days=14), most=4):
            keyed = (OutboxRow.key.startswith(f"meeting:{meeting.id}:")) | (
                OutboxRow.key.startswith(f"takeaway:{meeting.id}:")
            )
            rows = session.execute(
                select(OutboxRow.purpose, OutboxRow.status, func.count())
                .where(keyed)
                .group_by(OutboxRow.purpose, OutboxRow.status)
                .order_by(OutboxRow.purpose, OutboxRow.status)
            ).all()
            found.append(MeetingDelivery(meeting.day, tuple((p, s, int(n)) for p, s, n in rows)))
    return tuple(found)


# --- figures for the quarterly report ------------------------------------------------------


def meeting_figures(session: Session, start: date, end: date) -> MeetingFigures:
    """The meetings on days from `start` to `end` inclusive: themes, chairs' organisations,
    status and published takeaways (for the quarterly report)."""
    rows = session.execute(
        select(MeetingRow, OrganisationRow.name, TakeawayRow.title, TakeawayRow.status)
        .outerjoin(OrganisationRow, OrganisationRow.code == MeetingRow.chair_org)
        .outerjoin(TakeawayRow, TakeawayRow.meeting_id == MeetingRow.id)
        .where(MeetingRow.day >= start.isoformat(), MeetingRow.day <= end.isoformat())
        .order_by(MeetingRow.starts_at)
    ).all()
    return MeetingFigures(
        start,
        end,
        tuple(
            MeetingFigure(
                date.fromisoformat(row.day),
                theme_or_none(row.theme),
                row.status,
                org,
                title if status == "published" else None,
                row.starts_at,
            )
            for row, org, title, status in rows
        ),
    )
