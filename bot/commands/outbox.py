"""`outbox` (secretariat): delivery counts by status, and the messages that could not be delivered."""

from __future__ import annotations

import dataclasses

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.meetings import delivery_facts
from cards.notices import outbox_view
from forum_ops.outbox.delivery import delivery_report


async def show_outbox(request: CommandRequest) -> Card:
    services = request.services
    report = await services.run(delivery_report, services.db)
    meetings = await services.run(services.meetings.deliveries)
    view = outbox_view(report.counts.items(), report.dead)
    return render_card("outbox", dataclasses.replace(view, meetings=delivery_facts(meetings)))
