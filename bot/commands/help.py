"""`help`: a menu of what this member can do; `help <command>`: that command's syntax."""

from __future__ import annotations

from bot.command_table import CommandRequest, split_command
from cards import Card, render_card
from cards.notices import command_help, help_view, how_to_talk
from cards.views.common import NoticeView
from cards.views.meetings import MeetingInfo
from forum_ops.errors import NotAllowed

__all__ = ["how_to_talk", "show_help"]  # how_to_talk: the welcome card says it too


async def show_help(request: CommandRequest) -> Card:
    commands, member = request.commands, request.member
    if request.args:
        name, _ = split_command(request.args)
        command = commands.get(name)
        if command is None:
            return render_card(
                "notice",
                NoticeView(
                    f"I have no command called {name[:40]}",
                    "Type help for what I can do.",
                ),
            )
        if not command.allowed(member):
            raise NotAllowed(command.refusal())
        return render_card("notice", command_help(command, member))
    chairing = await request.services.run(_chairing, request)
    visible = commands.visible_to(member)
    return render_card("help", help_view(member, visible, request.conversation_kind, chairing))


def _chairing(request: CommandRequest) -> MeetingInfo | None:
    """The next meeting this member chairs, among the coming ones `meetings` lists."""
    services, aad = request.services, request.member.aad_object_id
    coming = services.meetings.list_meetings()
    return next((m for m in coming if m.chair is not None and m.chair.aad == aad), None)
