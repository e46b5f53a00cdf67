"""`senddata [borough]`: DfE EHC plan trends for a borough against London (SPEC 6.3)."""

from __future__ import annotations

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.senddata import senddata_view


async def show_senddata(request: CommandRequest) -> Card:
    services = request.services
    figures = await services.run(services.senddata.for_area, request.args, request.member)
    return render_card("senddata", senddata_view(figures))
