"""Files sent in chat, routed by the feature table (bot/features.py, `uploads=`).

A feature says which files it takes: by the file name's suffix and the kind of conversation. A
file goes to each feature's uploads in the table's order, the catch-all (`otherwise=True`) last;
the first handler that answers (not None) replies. A handler may return None to leave the file to
the next one (an ask's reply leaves a file that answers no ask to the ToR and the returns).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from forum_ops.errors import ForumError
from forum_ops.members.model import Member

if TYPE_CHECKING:
    from bot.services import Services
    from bot.teams import FileUpload
    from cards import Card


@dataclass(frozen=True)
class UploadRequest:
    """What an upload handler gets: who sent the file (from the registry), the file's details,
    the words typed with it, and where it was sent."""

    member: Member
    upload: FileUpload
    text: str
    conversation_kind: str  # personal, channel, groupChat
    conversation_id: str
    services: Services


UploadHandler = Callable[[UploadRequest], Awaitable["Card | None"]]


@dataclass(frozen=True)
class Upload:
    handler: UploadHandler
    suffixes: tuple[str, ...] = ()  # ".docx"...: the file names it takes; () takes any
    conversations: tuple[str, ...] = ()  # "personal"...: where; () anywhere
    otherwise: bool = False  # the catch-all: offered a file after every other feature's

    def takes(self, upload: FileUpload, conversation_kind: str) -> bool:
        suffix = PurePath(upload.name).suffix.lower()
        return (not self.suffixes or suffix in self.suffixes) and (
            not self.conversations or conversation_kind in self.conversations
        )


class UploadTable:
    def __init__(self, uploads: Iterable[Upload] = ()) -> None:
        self._uploads: list[Upload] = []
        for upload in uploads:
            self.register(upload)

    def register(self, upload: Upload) -> None:
        if upload.otherwise and any(u.otherwise for u in self._uploads):
            raise ValueError("only one feature can take every file that no other takes")
        self._uploads.append(upload)

    def ordered(self) -> list[Upload]:
        """In the table's order, the catch-all last."""
        return sorted(self._uploads, key=lambda u: u.otherwise)

    async def receive(self, request: UploadRequest) -> Card:
        for upload in self.ordered():
            if upload.takes(request.upload, request.conversation_kind):
                card = await upload.handler(request)
                if card is not None:
                    return card
        raise ForumError(f"I don't know what to do with {request.upload.name}.")
