"""`takeaway [latest|<date>]`, and the chair's takeaway form (verbs takeaway.save and
takeaway.publish: the form is updated in place with what was kept)."""

from __future__ import annotations

from bot.actions import ActionRequest
from bot.command_table import CommandRequest
from bot.commands.meetings.commands import listing_if_no_meeting
from bot.services import Services
from cards import Card, render_card
from cards.takeaway import no_takeaway_view, takeaway_form_view, takeaway_view
from cards.views.meetings import Takeaway
from forum_ops.errors import NoTakeawayYet


def takeaway_card(services: Services, shown: Takeaway) -> Card:
    return render_card("takeaway", takeaway_view(shown, services.settings.forum_public_url))


async def show_takeaway(request: CommandRequest) -> Card:
    return await listing_if_no_meeting(_shown(request))


async def _shown(request: CommandRequest) -> Card:
    services = request.services
    try:
        shown = await services.run(services.meetings.show_takeaway, request.args)
    except NoTakeawayYet as none:  # not a mistake: said plainly, with what comes next
        return render_card("notice", no_takeaway_view(str(none), none.next_meeting))
    return takeaway_card(services, shown)


async def _write(request: ActionRequest, publish: bool) -> Card:
    services = request.services
    written = await services.run(
        services.meetings.write_takeaway,
        request.member,
        request.data.get("meeting"),
        request.data,
        publish,
    )
    services.doorbell.ring()
    if written.status == "published":
        return takeaway_card(services, written)
    saved = services.clock.now()
    return render_card("takeaway_form", takeaway_form_view(written.meeting, written, saved))


async def save_takeaway(request: ActionRequest) -> Card:
    return await _write(request, False)


async def publish_takeaway(request: ActionRequest) -> Card:
    return await _write(request, True)
