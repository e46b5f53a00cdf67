"""`announce <text>` (secretariat): a card to the forum's channel and to every member 1:1."""

from __future__ import annotations

from datetime import datetime

from bot.clock import CallableClock
from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.notices import announced_view, announcement_view
from forum_ops.announcements import service as announcements


async def make_announcement(request: CommandRequest) -> Card:
    services, member = request.services, request.member

    def card_for(text: str, now: datetime) -> Card:
        return render_card("announcement", announcement_view(text, member, now))

    report = await services.run(
        announcements.make_announcement,
        services.db,
        CallableClock(services.clock),
        services.messengers,
        member,
        request.args,
        card_for,
    )
    services.doorbell.ring()
    return render_card("notice", announced_view(report))
