"""`whoami`: the member's organisation and roles, as the registry has them."""

from __future__ import annotations

from bot.command_table import CommandRequest
from cards import Card, render_card
from cards.notices import whoami_view


async def show_whoami(request: CommandRequest) -> Card:
    return render_card("whoami", whoami_view(request.member))
