"""The command table: text commands and card actions are routed here by name, never by substring."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from forum_ops.members.model import Member, Role

if TYPE_CHECKING:
    from bot.services import Services
    from cards import Card  # jinja2: loaded with the handlers, not with the table


@dataclass(frozen=True)
class CommandRequest:
    """What a command handler gets: who asks (from the registry), the words after the command."""

    member: Member
    args: str
    conversation_kind: str  # personal, channel, groupChat
    services: Services
    commands: CommandTable  # every command (help lists them)


ROLE_NAMES = {
    Role.SECRETARIAT: "the forum's secretariat",
    Role.CHAIR: "the forum's chair",
    Role.DATA_SUBMITTER: "a borough's data submitters",
}

Handler = Callable[[CommandRequest], Awaitable["Card"]]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    section: str
    handler: Handler
    button: str = ""  # the label when offered as a quick action
    roles: frozenset[Role] = field(default_factory=frozenset)  # empty: every member
    secretariat: str = ""  # the secretariat's own forms of an everyone's command (help lists them)

    def allowed(self, member: Member) -> bool:
        return not self.roles or bool(self.roles & member.roles)

    def refusal(self) -> str:
        """What a member without the role is told: who may use it, not "I didn't understand"."""
        who = " or ".join(ROLE_NAMES.get(r, str(r)) for r in sorted(self.roles))
        return f"Only {who} can use {self.name}. Type help for what you can do."


class CommandTable:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def register(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"command {command.name} is registered twice")
        self._commands[command.name] = command

    def get(self, name: str) -> Command | None:
        return self._commands.get(name.casefold())

    def listed(self) -> list[Command]:
        """Every command, in the order registered (for the manifest's command list)."""
        return list(self._commands.values())

    def visible_to(self, member: Member) -> list[Command]:
        return [c for c in self._commands.values() if c.allowed(member)]

    def closest(self, said: str, member: Member, most: int = 3) -> list[Command]:
        """The commands nearest to what was typed; the member's everyday commands if none is near."""
        return [command for command, _ in self.suggestions(said, member, most)]

    def suggestions(self, said: str, member: Member, most: int = 3) -> list[tuple[Command, str]]:
        """What a mistyped command may have meant, each with the words to run it with: a near
        name keeps the rest of what was typed (`benchmrk SEMH` -> `benchmark`, "SEMH"); with no
        near name, the member's everyday commands, with nothing."""
        visible = {c.name: c for c in self.visible_to(member)}
        word, rest = split_command(said)
        near = difflib.get_close_matches(word, visible, n=most, cutoff=0.6)
        if near:
            return [(visible[name], rest) for name in near]
        return [(visible[name], "") for name in list(visible)[:most]]


def split_command(text: str) -> tuple[str, str]:
    """`Help me` -> ("help", "me"): the first word, case-folded, and the rest as typed."""
    head, _, rest = text.strip().partition(" ")
    return head.casefold(), rest.strip()
