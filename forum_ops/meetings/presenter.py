"""The meetings' presenter port: the cards the meetings' services and their cycle send.

Given to them at construction (bot/services.py gives cards/meetings.py's MeetingCards): the
domain decides what goes to whom and when, and hands the presenter values only, never a
Session, so a card is the same whoever asks for it and nothing in a card reaches the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from cards.views.meetings import (
    Agenda,
    ChairBooking,
    ChairSuggestion,
    MeetingInfo,
    Proposal,
    Takeaway,
)
from forum_ops.ports import RenderedCard

if TYPE_CHECKING:
    from cards.views.senddata import SendDataFigures


class MeetingCards(Protocol):
    def agenda(
        self, agenda: Agenda, figures: SendDataFigures | None, reminder: bool
    ) -> RenderedCard:
        """The agenda (the cycle's, 7 days before; or the reminder the day before), with the
        SEND Data standing item's figures when it has them."""
        ...

    def chair_wanted(
        self, meeting: MeetingInfo, suggestions: tuple[ChairSuggestion, ...]
    ) -> RenderedCard: ...

    def takeaway_form(self, meeting: MeetingInfo, draft: Takeaway | None) -> RenderedCard: ...

    def takeaway_nudge(self, meeting: MeetingInfo) -> RenderedCard: ...

    def takeaway(self, takeaway: Takeaway) -> RenderedCard: ...

    def nothing_to_post(self, meeting: MeetingInfo) -> RenderedCard: ...

    def proposal(self, proposal: Proposal) -> RenderedCard:
        """A proposed agenda item, to the chair (or the secretariat) who decides it."""
        ...

    def proposal_decided(self, proposal: Proposal) -> RenderedCard:
        """The proposer told what became of their item."""
        ...

    def notice(self, title: str, message: str) -> RenderedCard:
        """A plain notice (offers to chair, and their answers)."""
        ...

    def chair_booking(self, booking: ChairBooking) -> RenderedCard:
        """The secretariat told of a chair's `schedule` before the calendar invites anyone (or
        that the calendar then refused it)."""
        ...
