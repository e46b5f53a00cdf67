"""`meetings` (the forward plan; the secretariat's `meetings add|move|cancel|theme ...`),
`chair <date>` (volunteer; the secretariat's assign and release) and `schedule <date> [<time>]`
(the Teams meeting through the Calendar port: Graph, or an .ics invitation locally)."""

from __future__ import annotations

from collections.abc import Awaitable

from bot.clock import CallableClock
from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.meetings import NO_LINK_YET, meeting_view, meetings_view
from forum_ops import meeting_schedule, meetings
from forum_ops.meetings import NoMeetingThatDay


async def listing_if_no_meeting(answer: Awaitable[Card]) -> Card:
    """A date with no meeting gets the list of meetings there are, and why."""
    try:
        return await answer
    except NoMeetingThatDay as none:
        return render_card(
            "meetings", meetings_view(none.meetings, "No meeting that day", str(none))
        )


async def show_meetings(request: CommandRequest) -> Card:
    services, clock = request.services, CallableClock(request.services.clock)
    if not request.args:
        found = await services.run(meetings.list_meetings, services.db, clock)
        return render_card("meetings", meetings_view(found))
    return await listing_if_no_meeting(_edit(request))


async def _edit(request: CommandRequest) -> Card:
    services = request.services
    change = await services.run(
        meetings.edit_plan, services.db, CallableClock(services.clock), request.member, request.args
    )
    if not change.calendar:
        return render_card("meetings", meeting_view(change.title, change.meeting))
    meeting = await meeting_schedule.follow_plan_change(
        services.db, services.calendar, CallableClock(services.clock), change
    )
    return render_card("meetings", meeting_view(change.title, meeting, "Invitees are told."))


async def volunteer_to_chair(request: CommandRequest) -> Card:
    services = request.services
    change = services.run(
        meetings.chair, services.db, CallableClock(services.clock), request.member, request.args
    )
    return await listing_if_no_meeting(_chaired(change))


async def _chaired(change: Awaitable[meetings.ChairChange]) -> Card:
    done = await change
    return render_card("meetings", meeting_view(done.title, done.meeting))


async def schedule_meeting(request: CommandRequest) -> Card:
    services = request.services
    booking = meeting_schedule.schedule(
        services.db, services.calendar, CallableClock(services.clock), request.member, request.args
    )
    return await listing_if_no_meeting(_scheduled(booking))


async def _scheduled(booking: Awaitable[meeting_schedule.Scheduled]) -> Card:
    done = await booking
    if done.meeting.join_url:
        title = "Teams meeting booked" if done.created else "Teams meeting moved"
        message = "Members have the invitation in Outlook; the join link is below."
    else:
        title = "Invitation written" if done.created else "Invitation updated"
        message = f"An .ics invitation is ready for the members; {NO_LINK_YET}."
    return render_card("meetings", meeting_view(title, done.meeting, message))
