"""`suppliers <filters>`: find specialist schools by need, phase, area and space (SPEC 6.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.suppliers import suppliers_view
from forum_ops.errors import UnknownAction

if TYPE_CHECKING:  # an annotation only: bot.actions imports the command table
    from bot.actions import ActionRequest

MAX_OFFSET = 5000


async def find_suppliers(request: CommandRequest) -> Card:
    services = request.services
    page = await services.run(services.suppliers.find, request.args, request.member)
    return render_card("suppliers", suppliers_view(page))


async def more_suppliers(request: ActionRequest) -> Card:
    """verb `suppliers.more`: the next page; the data is checked, as any card data must be."""
    query, offset = request.data.get("query"), request.data.get("offset")
    if not isinstance(query, str) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise UnknownAction()
    services = request.services
    page = await services.run(services.suppliers.find, query, request.member, offset)
    return render_card("suppliers", suppliers_view(page))
