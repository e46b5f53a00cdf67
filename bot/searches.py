"""The message extension's searches, routed by the feature table (bot/features.py, `searches=`):
each command of the app manifest's composeExtensions (appmanifest/manifest.json) by its id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botbuilder.schema.teams import MessagingExtensionResponse, MessagingExtensionResult

from forum_ops.members.model import Member

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class SearchRequest:
    member: Member  # from the registry
    words: str  # the searchQuery parameter; "" for the initial run
    services: Services


SearchHandler = Callable[[SearchRequest], Awaitable[MessagingExtensionResponse]]


def extension_message(text: str) -> MessagingExtensionResponse:
    """A search's answer that is a sentence, not results (not a member, nothing imported yet)."""
    return MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(type="message", text=text)
    )
