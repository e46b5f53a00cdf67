"""Multi-turn conversations: a question, the person's answer, the next step.

A dialog is a named object with one method, `resume`, given each message the person sends while
the dialog is open in that conversation. Its state (name, step, what it gathered) is in the
database (forum_ops/dialogs.py), so it survives a restart and any replica can take the next turn.
Dialogs only gather input; the work is done by forum_ops services. Adding one: the dialog class and its state diagram in its feature's package (bot/commands/<feature>/), named in
its feature's `dialogs=` in bot/features.py.

While a dialog is open: "cancel" ends it; an answer the dialog does not take (`resume` returns
None) is handled as an ordinary command, and the dialog stays open for a later answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.command_table import CommandTable
from bot.lazy import resolved
from cards.views.common import NoticeView
from forum_ops.dialogs import DialogState, finish_dialog
from forum_ops.members.model import Member

if TYPE_CHECKING:
    from bot.actions import ActionRequest
    from bot.services import Services
    from cards import Card  # the renderer loads with the first card, not with the table

CANCEL_WORDS = frozenset({"cancel", "stop", "quit"})


@dataclass(frozen=True)
class DialogTurn:
    member: Member  # from the registry, never from the message
    state: DialogState
    text: str  # what was typed, the @mention taken out; "" for a card's button
    data: Mapping[str, Any]  # a card button's data; {} for typed text
    conversation_kind: str
    services: Services
    commands: CommandTable  # a dialog may leave a command to run as one

    @property
    def answer(self) -> str:
        value = self.data.get("answer") if self.data else self.text
        return value.strip() if isinstance(value, str) else ""


class Dialog(Protocol):
    name: str

    async def resume(self, turn: DialogTurn) -> Card | None:
        """The reply to this turn, or None when the message is not an answer to the dialog."""
        ...


class LazyDialog:
    """A feature's dialog as bot/features.py declares it: its name, and its class (a `Lazy`
    reference, bot/lazy.py), made on the first turn that reaches it."""

    def __init__(self, name: str, factory: Callable[[], Dialog]) -> None:
        self.name, self.factory = name, factory
        self._dialog: Dialog | None = None

    async def resume(self, turn: DialogTurn) -> Card | None:
        if self._dialog is None:
            dialog = (await resolved(self.factory))()
            if dialog.name != self.name:
                raise ValueError(f"{self.factory} is the dialog {dialog.name!r}, not {self.name!r}")
            self._dialog = dialog
        return await self._dialog.resume(turn)


class DialogTable:
    def __init__(self) -> None:
        self._dialogs: dict[str, Dialog] = {}

    def register(self, dialog: Dialog) -> None:
        if dialog.name in self._dialogs:
            raise ValueError(f"dialog {dialog.name} is registered twice")
        self._dialogs[dialog.name] = dialog

    async def resume(self, turn: DialogTurn) -> Card | None:
        """Give the turn to its dialog; "cancel" ends any dialog."""
        if turn.answer.casefold() in CANCEL_WORDS:
            ended = await turn.services.run(finish, turn.services, turn.state)
            title = "Stopped" if ended else "Nothing to stop"
            from cards import render_card

            return render_card(
                "notice", NoticeView(title, "Nothing was changed. Start again whenever you like.")
            )
        dialog = self._dialogs.get(turn.state.name)
        return None if dialog is None else await dialog.resume(turn)


async def answer_without_dialog(request: ActionRequest) -> Card:
    """verb `dialog.answer` with no open dialog: the question expired or was answered."""
    from cards import render_card

    return render_card(
        "notice",
        NoticeView(
            "That question has closed",
            "It was answered already, or an hour has passed. Please start again.",
        ),
    )


def finish(services: Services, state: DialogState) -> bool:
    """End the dialog as this turn read it; False if another turn got there first."""
    with services.db.transaction() as session:
        return finish_dialog(session, state)
