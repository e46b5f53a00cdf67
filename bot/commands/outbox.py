"""`outbox` (secretariat): delivery counts by status, and the messages that could not be delivered."""

from __future__ import annotations

from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.notices import outbox_view
from forum_ops.delivery import delivery_report


async def show_outbox(request: CommandRequest) -> Card:
    services = request.services
    report = await services.run(delivery_report, services.db)
    return render_card("outbox", outbox_view(report.counts.items(), report.dead))
