"""`meetings` (the forward plan; the secretariat's `meetings add|move|cancel|theme ...`),
`chair <date>` (volunteer; the secretariat's confirm, decline, assign and release) and
`schedule <date> [<time>]` (the Teams meeting through the Calendar port: Graph, or an .ics
invitation locally); the job that settles offers to chair nobody answered."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.command_table import CommandRequest
from bot.services import Services
from cards import Card, render_card
from cards.meetings import meeting_view, meetings_view
from cards.views.meetings import MeetingInfo
from forum_ops.errors import NoMeetingThatDay
from forum_ops.meetings import schedule as meeting_schedule
from forum_ops.meetings import service as meetings
from forum_ops.report_files import file_url, keep_file
from forum_ops.scheduler import JobRun

NOTHING_SENT = (
    "Nothing was sent to the members: no Teams calendar is connected (local mode), so there "
    "is no Teams link."
)


def settle_offers(session: Session, run: JobRun) -> None:
    """Every 15 minutes: an offer to chair the secretariat left unanswered for the quiet period
    is taken up (they were told when it was made)."""
    quiet = timedelta(hours=run.settings.chair_quiet_hours)
    from cards.meeting_cards import MeetingCards  # on the job's first run: cards bring pandas

    cards = MeetingCards(run.settings.public_url)
    offers = meetings.ChairOffers(quiet, lambda _session, _now: run.messenger, cards)
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
    services = request.services
    if not request.args:
        found = await services.run(services.meetings.list_meetings)
        return render_card("meetings", meetings_view(found))
    return await listing_if_no_meeting(_edit(request))


async def _edit(request: CommandRequest) -> Card:
    services = request.services
    change = await services.run(services.meetings.edit_plan, request.member, request.args)
    if not change.calendar:
        return render_card("meetings", meeting_view(change.title, change.meeting))
    done = await services.meetings.follow_plan_change(change)
    if done.file is None:
        return render_card(
            "meetings", meeting_view(change.title, done.meeting, "Invitees are told.")
        )
    link = await _keep_calendar_file(services, done.meeting, done.file)
    message = f"{NOTHING_SENT} Open the changed calendar file below to update your calendar, and tell the members."
    return render_card("meetings", meeting_view(change.title, done.meeting, message, link))


async def volunteer_to_chair(request: CommandRequest) -> Card:
    services = request.services
    change = services.run(services.meetings.chair, request.member, request.args)
    done = await listing_if_no_meeting(_chaired(change))
    services.doorbell.ring()
    return done


async def _chaired(change: Awaitable[meetings.ChairChange]) -> Card:
    done = await change
    return render_card("meetings", meeting_view(done.title, done.meeting, done.message))


async def schedule_meeting(request: CommandRequest) -> Card:
    services = request.services
    booking = services.meetings.schedule(request.member, request.args)
    try:
        return await listing_if_no_meeting(_scheduled(services, booking))
    finally:
        services.doorbell.ring()  # a chair's booking told to the secretariat goes now


async def _keep_calendar_file(services: Services, meeting: MeetingInfo, body: bytes) -> str:
    """The calendar file at an unguessable link for a week (/reports/<token>/<name>)."""
    name = f"forum-meeting-{meeting.day.isoformat()}.ics"
    token = await services.run(keep_file, services.db, name, body, services.clock.now())
    return file_url(services.settings.forum_public_url, token, name)


async def _scheduled(services: Services, booking: Awaitable[meeting_schedule.Scheduled]) -> Card:
    done = await booking
    if done.meeting.join_url or done.file is None:
        title = "Teams meeting booked" if done.created else "Teams meeting moved"
        message = "Members have the invitation in Outlook" + (
            "; the join link is below." if done.meeting.join_url else "."
        )
        return render_card("meetings", meeting_view(title, done.meeting, message))
    title = "Calendar file ready" if done.created else "Calendar file updated"
    message = (
        f"{NOTHING_SENT} Open the calendar file below to put the meeting in your calendar, "
        "then invite the members from there."
    )
    link = await _keep_calendar_file(services, done.meeting, done.file)
    return render_card("meetings", meeting_view(title, done.meeting, message, link))
