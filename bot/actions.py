"""Card actions (Action.Submit and Action.Execute) routed by the stable verb in their data.

The data is the user's to forge: handlers take authority only from the registry's member, and any
verb or shape we don't know is refused as an UnknownAction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.command_table import CommandRequest, CommandTable
from forum_ops.errors import NotAllowed, UnknownAction
from forum_ops.members.model import Member

if TYPE_CHECKING:
    from bot.services import Services
    from cards import Card  # the renderer loads with the first card, not with the table

MAX_ARG_CHARS = 2000


@dataclass(frozen=True)
class ActionRequest:
    member: Member
    data: dict[str, Any]
    conversation_kind: str
    services: Services
    commands: CommandTable  # a button may run a command


ActionHandler = Callable[[ActionRequest], Awaitable["Card"]]


class ActionTable:
    def __init__(self) -> None:
        self._handlers: dict[str, ActionHandler] = {}

    def register(self, verb: str, handler: ActionHandler) -> None:
        if verb in self._handlers:
            raise ValueError(f"verb {verb} is registered twice")
        self._handlers[verb] = handler

    async def dispatch(self, request: ActionRequest) -> Card:
        verb = request.data.get("verb")
        handler = self._handlers.get(verb) if isinstance(verb, str) else None
        if handler is None:
            raise UnknownAction()
        return await handler(request)


async def run_command(request: ActionRequest) -> Card:
    """verb `command.run`: a button that runs a text command, e.g. {"command": "help"}."""
    name, args = request.data.get("command"), request.data.get("args", "")
    command = request.commands.get(name) if isinstance(name, str) else None
    if command is None or not isinstance(args, str):
        raise UnknownAction()
    if not command.allowed(request.member):  # a replayed or forged secretariat button
        raise NotAllowed(command.refusal())
    return await command.handler(
        CommandRequest(
            request.member,
            args[:MAX_ARG_CHARS],
            request.conversation_kind,
            request.services,
            request.commands,
        )
    )
