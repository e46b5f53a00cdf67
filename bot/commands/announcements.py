"""`announce <text>` (secretariat): a card to the forum's channel and to every member 1:1."""

from __future__ import annotations

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.notices import announced_view


async def make_announcement(request: CommandRequest) -> Card:
    services = request.services
    report = await services.run(services.announcements.announce, request.member, request.args)
    services.doorbell.ring()
    return render_card("notice", announced_view(report))
