"""`help`: what the bot can do for this member's roles."""

from __future__ import annotations

from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.views import CommandLine, HelpSection, HelpView, QuickAction


def how_to_talk(conversation_kind: str) -> str:
    if conversation_kind == "personal":
        return "Type a command here, for example: help"
    return "In a channel, @mention me before the command, for example: @SEND Forum help"


async def show_help(request: CommandRequest) -> Card:
    member = request.member
    visible = request.services.commands.visible_to(member)
    sections: dict[str, list[CommandLine]] = {}
    for command in visible:
        sections.setdefault(command.section, []).append(CommandLine(command.usage, command.summary))
    roles = ", ".join(sorted(role.label for role in member.roles))
    view = HelpView(
        for_whom=f"For {member.name} ({member.organisation.name}), as {roles}.",
        sections=tuple(HelpSection(title, tuple(lines)) for title, lines in sections.items()),
        quick_actions=tuple(
            QuickAction(c.name, c.button) for c in visible if c.button and c.name != "help"
        )[:5],
        how_to_talk=how_to_talk(request.conversation_kind),
    )
    return render_card("help", view)
