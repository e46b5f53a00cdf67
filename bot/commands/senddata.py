"""`senddata [borough]`: DfE EHC plan trends for a borough against London (SPEC 6.3)."""

from __future__ import annotations

from bot.commands.table import CommandRequest
from bot.senddata import ChartPublisher, choose_area, senddata_card
from cards import Card
from forum_ops.errors import ForumError


async def show_senddata(request: CommandRequest) -> Card:
    services = request.services
    frames = await services.run(services.sen2.load, services.db)
    if frames is None:
        raise ForumError(
            "No SEND data has been imported yet: the secretariat can import the DfE release."
        )
    area = choose_area(request.args, request.member)
    return await services.run(senddata_card, ChartPublisher.of(services), frames, area)
