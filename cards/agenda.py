"""Agenda and proposal cards' view models, from forum_ops/meetings/agenda.py's values; the SEND Data
standing item from forum_ops/senddata/figures.py's figures."""

from __future__ import annotations

from dataclasses import dataclass

from cards.format import british_datetime
from cards.meetings import MeetingLine, meeting_line
from cards.senddata import senddata_view
from cards.views.common import SendDataView
from cards.views.meetings import Agenda, Proposal
from cards.views.senddata import SendDataFigures


@dataclass(frozen=True)
class AgendaView:
    title: str
    meeting: MeetingLine
    items: tuple[str, ...]
    note: str
    send_data: SendDataView | None


@dataclass(frozen=True)
class ProposalView:
    title: str
    text: str
    proposer: str
    when: str
    status: str
    item: int
    decide: bool  # buttons while it waits


def agenda_view(
    agenda: Agenda, figures: SendDataFigures | None, title: str = "", show_waiting: bool = False
) -> AgendaView:
    meeting = agenda.meeting
    notes = []
    if agenda.send_data and figures is None:
        notes.append("SEND Data: the DfE figures are not imported yet (forumbot sen2 import).")
    if show_waiting and agenda.waiting:
        notes.append(f"{agenda.waiting} proposal(s) wait for the chair's decision.")
    if meeting.cancelled:
        notes.append("This meeting is cancelled.")
    return AgendaView(
        title or "Agenda of the forum's meeting",  # the line below it says when
        meeting_line(meeting),
        agenda.items,
        " ".join(notes),
        senddata_view(figures) if figures is not None and agenda.send_data else None,
    )


def proposal_view(proposal: Proposal, title: str = "", decides: bool = True) -> ProposalView:
    """`decides` False: the card of someone who may not decide it (the proposer's
    confirmation), so no Accept and Decline."""
    waiting = proposal.status == "proposed"
    return ProposalView(
        title or ("An agenda item is proposed" if waiting else f"Proposal {proposal.status}"),
        proposal.text,
        proposal.proposer,
        british_datetime(proposal.meeting.starts_at),
        {"proposed": "waiting for the chair", "accepted": "accepted: on the agenda"}.get(
            proposal.status, proposal.status
        ),
        proposal.id,
        waiting and decides,
    )
