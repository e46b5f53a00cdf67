"""`meetings` (the forward plan; the secretariat's `meetings add|move|cancel|theme ...`),
`chair <date>` (volunteer; the secretariat's confirm, decline, assign and release) and
`schedule <date> [<time>]` (the Teams meeting through the Calendar port: Graph, or an .ics
invitation locally); the job that settles offers to chair nobody answered."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import CallableClock
from bot.commands.table import CommandRequest
from bot.messenger import OutboxMessenger
from bot.services import Services
from cards import Card, render_card
from cards.meetings import NO_LINK_YET, meeting_view, meetings_view
from cards.views import NoticeView
from forum_ops import meeting_schedule, meetings
from forum_ops.meetings import NoMeetingThatDay
from forum_ops.ports import Messenger
from forum_ops.scheduler import JobRun


def _notice(title: str, message: str) -> Card:
    return render_card("notice", NoticeView(title, message))


def chair_offers(services: Services) -> meetings.ChairOffers:
    """Offers to chair go to the secretariat (FORUM_CHAIR_QUIET_HOURS to answer)."""

    def messenger(session: Session, now: datetime) -> Messenger:
        return OutboxMessenger(session, now, services.settings.forum_channel_id)

    quiet = timedelta(hours=services.settings.forum_chair_quiet_hours)
    return meetings.ChairOffers(quiet, messenger, _notice)


def settle_offers(session: Session, run: JobRun) -> None:
    """Every 15 minutes: an offer to chair the secretariat left unanswered for the quiet period
    is taken up (they were told when it was made)."""
    quiet = timedelta(hours=run.settings.chair_quiet_hours)
    offers = meetings.ChairOffers(quiet, lambda _session, _now: run.messenger, _notice)
    meetings.settle_chair_offers(session, run.now, offers)


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
        meetings.chair,
        services.db,
        CallableClock(services.clock),
        request.member,
        request.args,
        chair_offers(services),
    )
    done = await listing_if_no_meeting(_chaired(change))
    services.doorbell.ring()
    return done


async def _chaired(change: Awaitable[meetings.ChairChange]) -> Card:
    done = await change
    return render_card("meetings", meeting_view(done.title, done.meeting, done.message))


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
