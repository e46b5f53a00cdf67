"""`help`: what the bot can do for this member's roles."""

from __future__ import annotations

from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.notices import help_view, how_to_talk

__all__ = ["how_to_talk", "show_help"]  # how_to_talk: the welcome card says it too


async def show_help(request: CommandRequest) -> Card:
    visible = request.services.commands.visible_to(request.member)
    return render_card("help", help_view(request.member, visible, request.conversation_kind))
