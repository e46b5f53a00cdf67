"""The meetings' presenter (forum_ops/meetings/presenter.py's MeetingCards): the cards the
meetings' services and their cycle send, from values only. bot/services.py gives one to the
meetings service; the cycle job is given one with the links of the app's FORUM_PUBLIC_URL.
The agenda's module is imported when an agenda or a proposal is drawn: its SEND Data item
brings pandas, which `help` and `meetings` need not wait for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cards.format import british_date, british_datetime
from cards.render import Card, render_card
from cards.takeaway import (
    chair_wanted_view,
    nothing_to_post_view,
    takeaway_form_view,
    takeaway_nudge_view,
    takeaway_view,
)
from cards.views.common import Fact, NoticeView
from cards.views.meetings import (
    Agenda,
    ChairBooking,
    ChairSuggestion,
    MeetingInfo,
    Proposal,
    Takeaway,
)

if TYPE_CHECKING:
    from cards.views.senddata import SendDataFigures


class MeetingCards:
    def __init__(self, public_url: str) -> None:
        self._public_url = public_url  # the takeaway's PDF link

    def agenda(self, agenda: Agenda, figures: SendDataFigures | None, reminder: bool) -> Card:
        from cards.agenda import agenda_view  # here: the SEND Data item brings pandas

        title = (
            f"Reminder: the forum meets tomorrow, {british_date(agenda.meeting.day)}"
            if reminder
            else ""
        )
        return render_card("agenda", agenda_view(agenda, figures, title))

    def chair_wanted(self, meeting: MeetingInfo, suggestions: tuple[ChairSuggestion, ...]) -> Card:
        return render_card("notice", chair_wanted_view(meeting, suggestions))

    def takeaway_form(self, meeting: MeetingInfo, draft: Takeaway | None) -> Card:
        return render_card("takeaway_form", takeaway_form_view(meeting, draft))

    def takeaway_nudge(self, meeting: MeetingInfo) -> Card:
        return render_card("notice", takeaway_nudge_view(meeting))

    def takeaway(self, takeaway: Takeaway) -> Card:
        return render_card("takeaway", takeaway_view(takeaway, self._public_url))

    def nothing_to_post(self, meeting: MeetingInfo) -> Card:
        return render_card("notice", nothing_to_post_view(meeting))

    def proposal(self, proposal: Proposal) -> Card:
        from cards.agenda import proposal_view

        return render_card("proposal", proposal_view(proposal))

    def proposal_decided(self, proposal: Proposal) -> Card:
        from cards.agenda import proposal_view

        return render_card(
            "proposal", proposal_view(proposal, f"Your proposal was {proposal.status}")
        )

    def notice(self, title: str, message: str) -> Card:
        return render_card("notice", NoticeView(title, message))

    def chair_booking(self, booking: ChairBooking) -> Card:
        return render_card("notice", chair_booking_view(booking))


def chair_booking_view(booking: ChairBooking) -> NoticeView:
    """To the secretariat: who is booking (or moving) which Teams meeting, for when, inviting
    how many; or that the calendar refused it and nothing was sent."""
    day = british_date(booking.meeting.day)
    verb = "move" if booking.moving else "book"
    facts = (
        Fact("Meeting", f"{british_datetime(booking.meeting.starts_at)}, as planned"),
        Fact("For", british_datetime(booking.starts_at)),
        Fact("By", f"{booking.chair}, its chair"),
        Fact("Invited", f"{booking.invited} member{'s' if booking.invited != 1 else ''}"),
        Fact("Asked", british_datetime(booking.asked_at)),
    )
    if booking.refused:
        return NoticeView(
            "A chair's booking did not go through",
            f"The calendar refused {booking.chair}'s request to {verb} the Teams meeting of "
            f"{day}, so nothing was sent to the members and the meeting is as it was.",
            (*facts, Fact("Why", booking.refused)),
        )
    return NoticeView(
        f"A chair is {'moving' if booking.moving else 'booking'} a Teams meeting",
        f"{booking.chair} asked to {verb} the Teams meeting of {day} for "
        f"{british_datetime(booking.starts_at)}; its invitation is for every member "
        f"({booking.invited}). "
        "Say meetings for the plan.",
        facts,
    )
