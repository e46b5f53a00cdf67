"""The Terms of Reference: versions, and their ratification by the boroughs' votes.

The rules (who votes, tally, result) are pure, in forum_ops/tor/ratification.py; the text (files,
sections, diff) in forum_ops/tor/text.py. This module owns the units of work. Cards are the
presentation's business: callers pass a `TorPresenter` (cards/tor.py) that turns a `Ballot` into
a card, so votes, reminders and the closing can queue them through the Messenger port.

    ratification:  open ──vote / change vote (until the deadline)──> open
                     └──deadline passed (tor.close job)──> closed: passed | failed
                                                               └─ passed: version ratified

A vote takes a row lock on its ratification first (an UPDATE of its revision), so votes are
serialised: two members of one borough voting at once leave one vote, the later; each vote
queues the shared card's update under the new revision, so the card's updates go in order.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cards.views.common import LONDON
from cards.views.tor import (
    ELIGIBLE_BOROUGHS,
    Ballot,
    BoroughVote,
    Choice,
    NumberedSection,
    OpenReport,
    Rules,
    Tally,
    TorReading,
    TorStatus,
    VersionInfo,
)
from forum_ops.db import Database
from forum_ops.db.schema import (
    ConversationRow,
    MemberRow,
    OrganisationRow,
    TorRatificationRow,
    TorVersionRow,
    TorVoteEventRow,
    TorVoteRow,
    may_be_an_id,
)
from forum_ops.errors import ForumError, NotAllowed, NotReachable, UnknownRatification, VoteRefused
from forum_ops.members.model import Member, OrganisationKind
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.members.registry import to_member
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock, Delivery
from forum_ops.scheduler import JobRun
from forum_ops.tor.ratification import (
    BOROUGH_NAMES,
    TorPresenter,
    check_choice,
    result,
)
from forum_ops.tor.text import (
    compare,
    content_hash,
    numbered_sections,
    read_tor_isolated,
    removed_sections,
    title_of,
)
from forum_ops.working_days import add_working_days

log = logging.getLogger(__name__)

MAX_REFRESH_USERS = 60  # Teams shows user-specific views to at most 60 users of a card


# -- results of the units of work ------------------------------------------------------


@dataclass(frozen=True)
class VoteOutcome:
    ballot: Ballot
    borough: str | None  # whose view to show
    refused: str  # "" when the vote stands


@dataclass(frozen=True)
class RatificationFigures:
    """For the quarterly report: ToR work in a period and the latest ratification."""

    versions_added: int
    ratifications_opened: int
    ratifications_closed: int
    latest_version: int | None
    latest_status: str  # "open", "passed", "failed" or "none"
    deadline: datetime | None
    voted: int
    approve: int
    amend: int
    abstain: int
    not_voted: int


# -- versions ----------------------------------------------------------------------------------


def add_version(
    db: Database, clock: Clock, added_by: str, filename: str, raw: bytes
) -> VersionInfo:
    """A new version from a file's content (read in a sandbox); refused if the same text is a
    version already."""
    text = read_tor_isolated(filename, raw)
    digest = content_hash(text)
    now = clock.now()
    with db.transaction() as session:
        existing = session.scalars(
            select(TorVersionRow).where(TorVersionRow.content_hash == digest)
        ).first()
        if existing is not None:
            raise ForumError(f"That text is version {existing.number} already: nothing changed.")
        number = (session.scalar(select(func.max(TorVersionRow.number))) or 0) + 1
        row = TorVersionRow(
            number=number,
            title=title_of(text, filename),
            text=text,
            content_hash=digest,
            filename=filename[:300],
            added_by=added_by[:64],
            added_at=now,
        )
        session.add(row)
        session.flush()
        log.info("tor.version_added", extra={"version": number})
        return _version_info(row)


def add_version_by(
    db: Database, clock: Clock, member: Member, filename: str, raw: bytes
) -> VersionInfo:
    if not member.is_secretariat:
        raise NotAllowed("Only the forum's secretariat can add a version of the ToR.")
    return add_version(db, clock, member.aad_object_id, filename, raw)


def _version_info(row: TorVersionRow) -> VersionInfo:
    return VersionInfo(
        row.number, row.title, row.content_hash, row.filename, row.added_at, row.ratified_at
    )


def status(db: Database, clock: Clock) -> TorStatus:
    """The latest version, its changes since the one before, and its latest ratification."""
    now = clock.now()
    with db.transaction() as session:
        latest = session.scalars(
            select(TorVersionRow).order_by(TorVersionRow.number.desc()).limit(2)
        ).all()
        if not latest:
            return TorStatus(None, None, (), None)
        current = latest[0]
        previous = latest[1] if len(latest) > 1 else None
        changes = compare(previous.text, current.text) if previous else ()
        ratification = session.scalars(
            select(TorRatificationRow)
            .where(TorRatificationRow.version_id == current.id)
            .order_by(TorRatificationRow.id.desc())
            .limit(1)
        ).first()
        ballot = _ballot(session, ratification, now) if ratification else None
        return TorStatus(
            _version_info(current), previous.number if previous else None, changes, ballot
        )


# -- opening -----------------------------------------------------------------------------------


def open_ratification(
    db: Database,
    clock: Clock,
    member: Member,
    version: int,
    deadline: datetime,
    rules: Rules,
    presenter: TorPresenter,
    messengers: MessengerFactory,
) -> OpenReport:
    """Open a ratification of `version` until `deadline`; the vote card goes to the forum's
    channel and 1:1 to every borough member, in the same transaction."""
    if not member.is_secretariat:
        raise NotAllowed("Only the forum's secretariat can open a ratification.")
    now = clock.now()
    if deadline <= now:
        raise ForumError("The deadline must be in the future.")
    try:
        with db.transaction() as session:
            row = session.scalars(
                select(TorVersionRow).where(TorVersionRow.number == version)
            ).first()
            if row is None:
                raise UnknownRatification(f"There is no version {version} of the ToR.")
            if row.ratified_at is not None:
                raise ForumError(f"Version {version} was ratified already.")
            ratification = TorRatificationRow(
                version_id=row.id,
                open_version_id=row.id,
                content_hash=row.content_hash,
                deadline=deadline,
                quorum=float(rules.quorum),
                majority=float(rules.majority),
                status="open",
                revision=0,
                opened_by=member.aad_object_id,
                opened_at=now,
            )
            session.add(ratification)
            session.flush()  # the unique open_version_id refuses a second open one here
            send = messengers(session, now)
            ballot = _ballot(session, ratification, now)
            channel = True
            try:
                ratification.card_key = send.to_channel(
                    presenter.ballot(ballot), Delivery(f"tor:{ratification.id}:channel", "vote")
                )
            except NotReachable:
                channel = False
            reached = unreachable = 0
            for voter in _borough_members(session):
                card = presenter.ballot(ballot, voter.borough)
                delivery = Delivery(f"tor:{ratification.id}:member:{voter.aad_object_id}", "vote")
                try:
                    send.to_member(voter.aad_object_id, card, delivery)
                    reached += 1
                except NotReachable:
                    unreachable += 1
    except IntegrityError:
        raise ForumError(
            f"A ratification of version {version} is open already: wait for its deadline."
        ) from None
    log.info(
        "tor.opened",
        extra={"version": version, "members": reached, "unreachable": unreachable},
    )
    return OpenReport(ballot, channel, reached, unreachable)


# -- voting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRequest:
    """A vote as a card sent it: data to check, never a claim to believe."""

    ratification_id: object
    content_hash: object
    choice: object
    comment: object
    borough: object  # the borough the card was shown for, if any

    @classmethod
    def of(cls, data: dict[str, Any]) -> VoteRequest:
        return cls(
            data.get("ratification"),
            data.get("hash"),
            data.get("choice"),
            data.get("comment"),
            data.get("borough"),
        )


def ratification_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UnknownRatification("That card names no ratification I know.")
    try:
        number = int(value)
    except ValueError:
        raise UnknownRatification("That card names no ratification I know.") from None
    if not may_be_an_id(number):
        raise UnknownRatification("That card names no ratification I know.")
    return number


def cast_vote(
    db: Database,
    clock: Clock,
    member: Member,
    request: VoteRequest,
    presenter: TorPresenter,
    messengers: MessengerFactory,
) -> VoteOutcome:
    """Cast or change the member's borough's vote; a refusal changes nothing and says why."""
    rid = ratification_id(request.ratification_id)
    try:
        with db.transaction() as session:
            now = clock.now()
            revision = session.execute(  # the row lock that serialises this ratification's votes
                update(TorRatificationRow)
                .where(TorRatificationRow.id == rid)
                .values(revision=TorRatificationRow.revision + 1)
                .returning(TorRatificationRow.revision)
            ).scalar_one_or_none()
            if revision is None:
                raise UnknownRatification("That card names no ratification I know.")
            ratification = session.get_one(TorRatificationRow, rid)
            borough = _check_vote(ratification, member, request, now)
            choice, comment = check_choice(request.choice, request.comment)
            _record_vote(session, ratification, member, borough, choice, comment, now)
            ballot = _ballot(session, ratification, now)
            if ratification.card_key:
                messengers(session, now).update(
                    ratification.card_key,
                    presenter.ballot(ballot),
                    Delivery(f"tor:{rid}:tally:{revision}", "vote"),
                )
    except VoteRefused as refused:
        log.info("tor.vote_refused", extra={"ratification": rid})
        return VoteOutcome(view_ballot(db, clock, rid), member.borough, str(refused))
    log.info("tor.voted", extra={"ratification": rid, "choice": choice.value})
    return VoteOutcome(ballot, borough, "")


def _check_vote(
    ratification: TorRatificationRow, member: Member, request: VoteRequest, now: datetime
) -> str:
    if member.borough is None:
        raise VoteRefused(
            "ICBs and LIIA do not vote on the ToR: each of the 33 boroughs casts one vote."
        )
    if request.borough not in (None, "", member.borough):
        raise VoteRefused(
            "You can vote only for your own borough "
            f"({BOROUGH_NAMES.get(member.borough, member.borough)}): nothing was changed."
        )
    if ratification.status != "open" or now >= ratification.deadline:
        raise VoteRefused("This ratification is closed: votes are no longer taken.")
    if request.content_hash != ratification.content_hash:
        raise VoteRefused(
            "This card is for a different text of the ToR than the one being ratified: "
            "nothing was changed. Type tor to see the current one."
        )
    return member.borough


def _record_vote(
    session: Session,
    ratification: TorRatificationRow,
    member: Member,
    borough: str,
    choice: Choice,
    comment: str,
    now: datetime,
) -> None:
    cast = {
        "choice": choice.value,
        "comment": comment,
        "cast_by": member.aad_object_id,
        "cast_by_name": member.name[:200],
        "cast_at": now,
    }  # the vote as it stands, and the event that records it
    vote = session.get(TorVoteRow, (ratification.id, borough))
    if vote is None:
        session.add(TorVoteRow(ratification_id=ratification.id, borough=borough, changes=0, **cast))
    else:
        for name, value in cast.items():
            setattr(vote, name, value)
        vote.changes += 1
    session.add(TorVoteEventRow(ratification_id=ratification.id, borough=borough, **cast))


def view_ballot(db: Database, clock: Clock, rid: int) -> Ballot:
    """A ratification as it stands (a card's refresh)."""
    with db.transaction() as session:
        ratification = session.get(TorRatificationRow, rid)
        if ratification is None:
            raise UnknownRatification("That card names no ratification I know.")
        return _ballot(session, ratification, clock.now())


# -- reminders and closing (scheduler jobs) ----------------------------------------------------


def send_reminders(session: Session, run: JobRun, presenter: TorPresenter) -> None:
    """Each morning: remind members of boroughs that have not voted, 3 working days before a
    ratification's deadline and on the deadline's day."""
    today = run.due_at.astimezone(LONDON).date()
    open_ones = session.scalars(
        select(TorRatificationRow).where(
            TorRatificationRow.status == "open", TorRatificationRow.deadline > run.now
        )
    ).all()
    sent = 0
    for ratification in open_ones:
        deadline_day = ratification.deadline.astimezone(LONDON).date()
        if today == deadline_day:
            when = "today"
        elif today == add_working_days(deadline_day, -3):
            when = "in 3 working days"
        else:
            continue
        ballot = _ballot(session, ratification, run.now)
        voted = {v.borough for v in ballot.votes}
        for voter in _borough_members(session):
            if voter.borough is None or voter.borough in voted:
                continue
            delivery = Delivery(
                f"tor:{ratification.id}:remind:{today.isoformat()}:{voter.aad_object_id}",
                "reminder",
            )
            try:
                run.messenger.to_member(
                    voter.aad_object_id, presenter.reminder(ballot, voter.borough, when), delivery
                )
                sent += 1
            except NotReachable:
                continue
    log.info("tor.reminders", extra={"sent": sent})


def close_due(session: Session, run: JobRun, presenter: TorPresenter) -> None:
    """Close every open ratification whose deadline has passed, once: the result on the shared
    card, a result post in the channel, the amendments for the secretariat, and the version
    marked ratified when it passed."""
    due = session.scalars(
        select(TorRatificationRow)
        .where(TorRatificationRow.status == "open", TorRatificationRow.deadline <= run.now)
        .with_for_update()
    ).all()
    for ratification in due:
        tally = _tally(session, ratification.id)
        outcome = result(tally, _rules(ratification))
        ratification.status, ratification.closed_at = "closed", run.now
        ratification.open_version_id = None
        ratification.result = "passed" if outcome.passed else "failed"
        if outcome.passed:
            version = session.get_one(TorVersionRow, ratification.version_id)
            version.ratified_at = run.now
        ballot = _ballot(session, ratification, run.now)
        rid = ratification.id
        try:
            if ratification.card_key:
                run.messenger.update(
                    ratification.card_key,
                    presenter.ballot(ballot),
                    Delivery(f"tor:{rid}:final", "vote"),
                )
            run.messenger.to_channel(
                presenter.result(ballot), Delivery(f"tor:{rid}:result", "vote")
            )
        except NotReachable:
            log.warning("tor.result_unposted", extra={"ratification": rid})
        if any(v.choice is Choice.AMEND for v in ballot.votes):
            for secretary in _secretariat(session):
                try:
                    run.messenger.to_member(
                        secretary,
                        presenter.amendments(ballot),
                        Delivery(f"tor:{rid}:amendments:{secretary}", "vote"),
                    )
                except NotReachable:
                    continue
        log.info("tor.closed", extra={"ratification": rid, "result": ratification.result})


# -- export and figures ------------------------------------------------------------------------

EXPORT_HEADER = ("borough", "borough_name", "member", "choice", "comment", "cast_at", "standing")


def export_votes(db: Database, version: int) -> bytes:
    """Every vote cast and changed in the ratifications of `version`, as a CSV safe to open in
    a spreadsheet; `standing` says which vote counted."""
    from analytics.spreadsheet_safety import csv_bytes  # analytics loads after start-up

    with db.transaction() as session:
        row = session.scalars(select(TorVersionRow).where(TorVersionRow.number == version)).first()
        if row is None:
            raise UnknownRatification(f"There is no version {version} of the ToR.")
        ratifications = select(TorRatificationRow.id).where(TorRatificationRow.version_id == row.id)
        events = session.scalars(
            select(TorVoteEventRow)
            .where(TorVoteEventRow.ratification_id.in_(ratifications))
            .order_by(TorVoteEventRow.id)
        ).all()
        standing = {
            (v.ratification_id, v.borough): v.cast_at
            for v in session.scalars(
                select(TorVoteRow).where(TorVoteRow.ratification_id.in_(ratifications))
            )
        }
    last_event = {(e.ratification_id, e.borough): e.id for e in events}
    rows = [
        (
            e.borough,
            BOROUGH_NAMES.get(e.borough, e.borough),
            e.cast_by_name,
            Choice(e.choice).label,
            e.comment,
            e.cast_at.astimezone(LONDON).isoformat(timespec="seconds"),
            "yes"
            if last_event[(e.ratification_id, e.borough)] == e.id
            and (e.ratification_id, e.borough) in standing
            else "no",
        )
        for e in events
    ]
    return csv_bytes(EXPORT_HEADER, rows)


def ratification_figures(session: Session, start: datetime, end: datetime) -> RatificationFigures:
    """ToR work between `start` and `end` (versions added, ratifications opened and closed),
    and the latest ratification's status and tally as of `end`."""
    versions = session.scalar(
        select(func.count())
        .select_from(TorVersionRow)
        .where(TorVersionRow.added_at >= start, TorVersionRow.added_at < end)
    )
    opened = session.scalar(
        select(func.count())
        .select_from(TorRatificationRow)
        .where(TorRatificationRow.opened_at >= start, TorRatificationRow.opened_at < end)
    )
    closed = session.scalar(
        select(func.count())
        .select_from(TorRatificationRow)
        .where(TorRatificationRow.closed_at >= start, TorRatificationRow.closed_at < end)
    )
    latest = session.scalars(
        select(TorRatificationRow)
        .where(TorRatificationRow.opened_at < end)
        .order_by(TorRatificationRow.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return RatificationFigures(
            int(versions or 0), int(opened or 0), int(closed or 0), None, "none", None,
            0, 0, 0, 0, ELIGIBLE_BOROUGHS,
        )  # fmt: skip
    tally = _tally(session, latest.id)
    version = session.get_one(TorVersionRow, latest.version_id)
    state = latest.result if latest.status == "closed" and latest.result else "open"
    return RatificationFigures(
        int(versions or 0),
        int(opened or 0),
        int(closed or 0),
        version.number,
        state,
        latest.deadline,
        tally.voted,
        tally.approve,
        tally.amend,
        tally.abstain,
        tally.not_voted,
    )


# -- reading -----------------------------------------------------------------------------------


def _rules(ratification: TorRatificationRow) -> Rules:
    return Rules.of(ratification.quorum, ratification.majority)


def _tally(session: Session, rid: int) -> Tally:
    choices = session.scalars(select(TorVoteRow.choice).where(TorVoteRow.ratification_id == rid))
    return Tally.of(Choice(c) for c in choices)


def _ballot(session: Session, ratification: TorRatificationRow, now: datetime) -> Ballot:
    version = session.get_one(TorVersionRow, ratification.version_id)
    rows = session.scalars(
        select(TorVoteRow).where(TorVoteRow.ratification_id == ratification.id)
    ).all()
    votes = tuple(
        sorted(
            (
                BoroughVote(
                    v.borough,
                    BOROUGH_NAMES.get(v.borough, v.borough),
                    Choice(v.choice),
                    v.comment,
                    v.cast_by_name,
                    v.cast_at,
                )
                for v in rows
            ),
            key=lambda v: v.name,
        )
    )
    voted = {v.borough for v in votes}
    before = _previous_version(session, version)
    rules = _rules(ratification)
    tally = Tally.of(v.choice for v in votes)
    closed = ratification.status == "closed"
    return Ballot(
        ratification_id=ratification.id,
        version=version.number,
        title=version.title,
        content_hash=ratification.content_hash,
        deadline=ratification.deadline,
        open=not closed and now < ratification.deadline,
        rules=rules,
        tally=tally,
        result=result(tally, rules) if closed else None,
        votes=votes,
        not_voted=tuple(la.name for la in LOCAL_AUTHORITIES if la.code not in voted),
        refresh_user_ids=_refresh_user_ids(session),
        previous=before.number if before else None,
        changes=compare(before.text, version.text) if before else (),
        borough_names=BOROUGH_NAMES,
    )


def _version_number(value: object) -> int:
    if not isinstance(value, bool) and isinstance(value, int | str):
        with contextlib.suppress(ValueError):
            number = int(value)
            if may_be_an_id(number):
                return number
    raise UnknownRatification("There is no such version of the ToR: say tor for the current one.")


def _previous_version(session: Session, version: TorVersionRow) -> TorVersionRow | None:
    return session.scalars(
        select(TorVersionRow)
        .where(TorVersionRow.number < version.number)
        .order_by(TorVersionRow.number.desc())
        .limit(1)
    ).first()


def read_version(db: Database, clock: Clock, number: object = None) -> TorReading:
    """A version's text to read (the latest when `number` is None), section by section, with
    what changed since the version before; and the open ratification of it, if any."""
    now = clock.now()
    with db.transaction() as session:
        query = select(TorVersionRow).order_by(TorVersionRow.number.desc()).limit(1)
        if number is not None:
            wanted = _version_number(number)  # a number a card or a person gave: checked
            query = select(TorVersionRow).where(TorVersionRow.number == wanted)
        row = session.scalars(query).first()
        if row is None:
            raise UnknownRatification(
                "No version of the ToR has been added yet."
                if number is None
                else f"There is no version {number} of the ToR."
            )
        before = _previous_version(session, row)
        previous = before.text if before else None
        ratification = session.scalars(
            select(TorRatificationRow).where(
                TorRatificationRow.version_id == row.id,
                TorRatificationRow.status == "open",
                TorRatificationRow.deadline > now,
            )
        ).first()
        numbered, removed = _reading(row.text, previous)
        return TorReading(
            _version_info(row),
            before.number if before else None,
            numbered,
            removed,
            ratification.id if ratification else None,
        )


@functools.lru_cache(maxsize=8)
def _reading(
    text: str, previous: str | None
) -> tuple[tuple[NumberedSection, ...], tuple[str, ...]]:
    """A version's sections with what changed since `previous`, and the sections it removed:
    worked out once per pair of texts (a version's text never changes; every member reads the
    same few while a vote is open)."""
    return numbered_sections(text, previous), removed_sections(text, previous)


def _borough_members(session: Session) -> list[Member]:
    rows = session.scalars(
        select(MemberRow)
        .join(OrganisationRow, MemberRow.organisation_id == OrganisationRow.id)
        .where(OrganisationRow.kind == OrganisationKind.LOCAL_AUTHORITY.value)
        .order_by(OrganisationRow.code, MemberRow.name)
    ).all()
    return [to_member(row) for row in rows]


def _secretariat(session: Session) -> list[str]:
    rows = session.scalars(select(MemberRow).where(MemberRow.roles.like("%secretariat%")))
    return [r.aad_object_id for r in rows if "secretariat" in r.roles.split(";")]


def _refresh_user_ids(session: Session) -> tuple[str, ...]:
    """Teams ids (29:…) of members with a 1:1 chat: the first 60 see their own view
    automatically (Teams' limit); everyone else sees the shared view and can refresh. Members
    without a vote come first (a few): their own view has no vote buttons, where the shared
    view's are for whichever borough member presses them; then borough members, by borough."""
    borough = OrganisationRow.kind == OrganisationKind.LOCAL_AUTHORITY.value
    rows = session.execute(  # one query, not the members as objects (every vote draws this)
        select(ConversationRow.aad_object_id, ConversationRow.reference)
        .join(MemberRow, MemberRow.aad_object_id == ConversationRow.aad_object_id)
        .join(OrganisationRow, MemberRow.organisation_id == OrganisationRow.id)
        .where(ConversationRow.kind == "personal")
        .order_by(borough, OrganisationRow.code, MemberRow.name)  # without a vote first
    ).all()
    ids: dict[str, str] = {}
    for row in rows:
        user = json.loads(row.reference).get("user") or {}
        teams_id = user.get("id")
        if isinstance(teams_id, str) and teams_id.startswith("29:") and row.aad_object_id:
            ids.setdefault(row.aad_object_id, teams_id)
    return tuple(ids.values())[:MAX_REFRESH_USERS]


def default_deadline(day: datetime | None, now: datetime, days: int = 10) -> datetime:
    """17:00 London `days` working days from now when no deadline is given."""
    if day is not None:
        return day
    london = now.astimezone(LONDON)
    target = add_working_days(london.date(), days)
    return datetime.combine(target, datetime.min.time(), LONDON) + timedelta(hours=17)


@dataclass(frozen=True)
class Tor:
    """The ToR feature as one service object, built once by bot/services.py with its database,
    clock, messenger factory, presenter and rules: handlers call `services.tor.<operation>`.
    The jobs (send_reminders, close_due) are given the same presenter by bot/commands/tor/."""

    db: Database
    clock: Clock
    messengers: MessengerFactory
    cards: TorPresenter
    rules: Rules  # quorum and majority of a ratification opened from now
    voting_days: int  # working days to vote when `tor open` names no deadline

    def status(self) -> TorStatus:
        return status(self.db, self.clock)

    def open_ratification(
        self, member: Member, version: int, deadline: datetime | None
    ) -> OpenReport:
        until = default_deadline(deadline, self.clock.now(), self.voting_days)
        return open_ratification(
            self.db, self.clock, member, version, until, self.rules, self.cards, self.messengers
        )

    def cast_vote(self, member: Member, request: VoteRequest) -> VoteOutcome:
        return cast_vote(self.db, self.clock, member, request, self.cards, self.messengers)

    def view_ballot(self, rid: int) -> Ballot:
        return view_ballot(self.db, self.clock, rid)

    def read_version(self, number: object = None) -> TorReading:
        return read_version(self.db, self.clock, number)

    def add_version_by(self, member: Member, filename: str, raw: bytes) -> VersionInfo:
        return add_version_by(self.db, self.clock, member, filename, raw)
