"""A meeting's agenda: the plan's themes, the standing items from the second meeting on ("SEND
Data", "Useful Commissioning Takeaway"), and members' proposals the chair accepted.

`propose <item>` files a proposal for the next meeting and sends the chair (the secretariat
while there is none) a card to accept or decline it; the decision updates that card in place
and tells the proposer. Authority comes from the registry: the item id in a card's data only
says which proposal, never who may decide it.

    proposed ──chair or secretariat accepts──> accepted (on the agenda)
        └──────────────────────declines──────> declined
"""

from __future__ import annotations

import contextlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from cards.views.meetings import Agenda, Proposal
from forum_ops.db import Database
from forum_ops.db.schema import AgendaItemRow, MeetingRow, MemberRow, may_be_an_id
from forum_ops.errors import ForumError, NotAllowed, NotReachable
from forum_ops.meetings.plan import STANDING_ITEMS, theme_or_none
from forum_ops.meetings.presenter import MeetingCards
from forum_ops.meetings.service import find_meeting_row, meeting_info
from forum_ops.members.model import Member, Role
from forum_ops.members.registry import find_member
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock, Delivery

MAX_ITEM_CHARS = 300
MOST_PENDING = 20  # proposals waiting per member and meeting: enough, and no flood


def _who(session: Session, aad: str) -> str:
    found = find_member(session, aad)
    return f"{found.name} ({found.organisation.name})" if found else "a former member"


def agenda_of(session: Session, row: MeetingRow) -> Agenda:
    meeting = meeting_info(session, row.id)
    proposals = session.scalars(
        select(AgendaItemRow).where(AgendaItemRow.meeting_id == row.id).order_by(AgendaItemRow.id)
    ).all()
    themes = [t for t in (theme_or_none(part) for part in row.theme.split(";")) if t]
    accepted = [
        f"{p.text} (proposed by {_who(session, p.proposer_aad)})"
        for p in proposals
        if p.status == "accepted"
    ]
    standing = meeting.number >= 2
    items = (
        *themes,
        *((STANDING_ITEMS[0],) if standing else ()),
        *accepted,
        *((STANDING_ITEMS[1],) if standing else ()),
    )
    waiting = sum(1 for p in proposals if p.status == "proposed")
    return Agenda(meeting, tuple(items), standing, waiting)


def show_agenda(db: Database, clock: Clock, text: str) -> Agenda:
    """`agenda [next|<date>]`."""
    with db.transaction() as session:
        return agenda_of(session, find_meeting_row(session, text, clock.now()))


def _proposal(session: Session, item: AgendaItemRow) -> Proposal:
    return Proposal(
        item.id,
        item.text,
        _who(session, item.proposer_aad),
        item.status,
        meeting_info(session, item.meeting_id),
    )


def _decider(session: Session, row: MeetingRow) -> str | None:
    """Who decides proposals: the chair, else the first of the secretariat."""
    if row.chair_aad:
        return row.chair_aad
    return session.scalars(
        select(MemberRow.aad_object_id)
        .where(MemberRow.roles.contains(Role.SECRETARIAT.value))
        .order_by(MemberRow.name)
        .limit(1)
    ).first()


def propose(
    db: Database,
    clock: Clock,
    member: Member,
    text: str,
    messengers: MessengerFactory,
    cards: MeetingCards,
) -> Proposal:
    """`propose <item>`: for the next meeting; the chair gets the card to decide it."""
    item_text = " ".join(text.split())
    if not item_text:
        raise ForumError("Say what to propose, for example: propose Transport framework renewal.")
    if len(item_text) > MAX_ITEM_CHARS:
        raise ForumError(f"An agenda item can be at most {MAX_ITEM_CHARS} characters.")
    now = clock.now()
    with db.transaction() as session:
        row = find_meeting_row(session, "next", now)
        pending = session.scalars(
            select(AgendaItemRow.id).where(
                AgendaItemRow.meeting_id == row.id,
                AgendaItemRow.proposer_aad == member.aad_object_id,
                AgendaItemRow.status == "proposed",
            )
        ).all()
        if len(pending) >= MOST_PENDING:
            raise ForumError("You have many proposals waiting for this meeting already.")
        item = AgendaItemRow(
            meeting_id=row.id,
            text=item_text,
            proposer_aad=member.aad_object_id,
            status="proposed",
            created_at=now,
            updated_at=now,
        )
        session.add(item)
        session.flush()
        proposal = _proposal(session, item)
        decider = _decider(session, row)
        if decider:  # unreachable: the chair sees the count waiting on `agenda`
            with contextlib.suppress(NotReachable):
                messengers(session, now).to_member(
                    decider,
                    cards.proposal(proposal),
                    Delivery(f"proposal:{item.id}:decide", "proposal"),
                )
        return proposal


def decide(
    db: Database,
    clock: Clock,
    member: Member,
    item_id: object,
    accept: bool,
    messengers: MessengerFactory,
    cards: MeetingCards,
) -> Proposal:
    """Accept or decline a proposal (the meeting's chair or the secretariat); the proposer is
    told. Deciding again the same way changes nothing."""
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise ForumError("That card is not one of mine.")
    now = clock.now()
    with db.transaction() as session:
        item = session.get(AgendaItemRow, item_id) if may_be_an_id(item_id) else None
        meeting = session.get(MeetingRow, item.meeting_id) if item else None
        if item is None or meeting is None:
            raise ForumError("That proposal is no longer there.")
        if not (member.is_secretariat or meeting.chair_aad == member.aad_object_id):
            raise NotAllowed("Only the meeting's chair or the secretariat can decide proposals.")
        status = "accepted" if accept else "declined"
        if item.status != status:
            item.status, item.decided_by, item.updated_at = status, member.aad_object_id, now
            proposal = _proposal(session, item)
            messenger = messengers(session, now)
            with contextlib.suppress(NotReachable):
                messenger.to_member(
                    item.proposer_aad,
                    cards.proposal_decided(proposal),
                    Delivery(f"proposal:{item.id}:{status}", "proposal"),
                )
        return _proposal(session, item)
