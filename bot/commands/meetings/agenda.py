"""`agenda [next|<date>]`, `propose <item>`, and the chair's Accept and Decline on a proposal's
card (verbs agenda.accept, agenda.decline: the card is updated in place)."""

from __future__ import annotations

from datetime import date

from bot.actions import ActionRequest
from bot.command_table import CommandRequest
from bot.commands.meetings.commands import listing_if_no_meeting
from bot.services import Services
from cards import Card, render_card
from cards.agenda import agenda_view, proposal_view
from cards.views.meetings import MeetingInfo
from cards.views.senddata import SendDataFigures
from forum_ops.errors import ForumError
from forum_ops.members.model import Member


def send_data_item(services: Services, day: date) -> SendDataFigures | None:
    """The SEND Data standing item's figures, or None before any SEN2 release is imported."""
    try:
        return services.senddata.agenda_item(day)
    except ForumError:
        return None


async def show_agenda(request: CommandRequest) -> Card:
    return await listing_if_no_meeting(_agenda_card(request))


async def _agenda_card(request: CommandRequest) -> Card:
    services, member = request.services, request.member
    shown = await services.run(services.meetings.show_agenda, request.args)
    figures = None
    if shown.send_data:
        figures = await services.run(send_data_item, services, shown.meeting.day)
    deciding = may_decide(member, shown.meeting)
    return render_card("agenda", agenda_view(shown, figures, show_waiting=deciding))


def may_decide(member: Member, meeting: MeetingInfo) -> bool:
    """The meeting's chair and the secretariat decide its proposals (as forum_ops.meetings.agenda.decide
    checks): only they are shown Accept and Decline."""
    chair = meeting.chair
    return member.is_secretariat or (chair is not None and chair.aad == member.aad_object_id)


async def propose_item(request: CommandRequest) -> Card:
    services = request.services
    proposal = await services.run(services.meetings.propose, request.member, request.args)
    services.doorbell.ring()
    decides = may_decide(request.member, proposal.meeting)
    return render_card(
        "proposal", proposal_view(proposal, "Proposed: the chair will decide", decides)
    )


async def _decide(request: ActionRequest, accept: bool) -> Card:
    services = request.services
    proposal = await services.run(
        services.meetings.decide, request.member, request.data.get("item"), accept
    )
    services.doorbell.ring()
    return render_card("proposal", proposal_view(proposal))


async def accept_item(request: ActionRequest) -> Card:
    return await _decide(request, True)


async def decline_item(request: ActionRequest) -> Card:
    return await _decide(request, False)
