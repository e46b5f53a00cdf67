"""`suppliers <filters>`: find specialist schools by need, phase, area and space (SPEC 6.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.table import CommandRequest
from bot.errors import UnknownAction
from bot.services import Services
from bot.suppliers import Directory, suppliers_card
from cards import Card
from forum_ops.errors import ForumError
from forum_ops.model import Member

if TYPE_CHECKING:  # an annotation only: bot.actions imports the command table
    from bot.actions import ActionRequest

MAX_QUERY_CHARS = 500
MAX_OFFSET = 5000


async def _directory(services: Services) -> Directory:
    directory = await services.run(services.suppliers.load, services.db)
    if directory is None:
        raise ForumError(
            "The supplier directory is empty: the secretariat can import the GIAS extract."
        )
    return directory


async def _card(services: Services, words: str, member: Member, offset: int) -> Card:
    directory = await _directory(services)
    return await services.run(suppliers_card, directory, words[:MAX_QUERY_CHARS], member, offset)


async def find_suppliers(request: CommandRequest) -> Card:
    return await _card(request.services, request.args, request.member, 0)


async def more_suppliers(request: ActionRequest) -> Card:
    """verb `suppliers.more`: the next page; the data is checked, as any card data must be."""
    query, offset = request.data.get("query"), request.data.get("offset")
    if not isinstance(query, str) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise UnknownAction()
    return await _card(request.services, query, request.member, offset)
