"""Reading Teams activities: tenant, sender, conversation kind, command text."""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from azure.core.exceptions import DeserializationError  # what msrest raises
from botbuilder.core import TurnContext
from botbuilder.core.serializer_helper import deserializer_helper
from botbuilder.schema import Activity
from botbuilder.schema.teams import MessagingExtensionQuery

from forum_ops.readable import readable


def tenant_id(activity: Activity) -> str | None:
    """The tenant is in channelData.tenant.id (the schema drops conversation.tenantId)."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) if conversation else None


def sender_aad_id(activity: Activity) -> str | None:
    """The sender's Entra object id. The Bot Framework Emulator has none, so there its user id
    stands in (set it to a demo member's id); emulator tokens are only accepted with no app id."""
    sender = activity.from_property
    if sender is None:
        return None
    aad_id = getattr(sender, "aad_object_id", None)
    if not aad_id and activity.channel_id == "emulator":
        return getattr(sender, "id", None)
    return aad_id


def conversation_kind(activity: Activity) -> str:
    conversation = activity.conversation
    return (
        (getattr(conversation, "conversation_type", None) or "personal")
        if conversation
        else "personal"
    )


def team_id(activity: Activity) -> str | None:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team")
    return str(team["id"]) if isinstance(team, dict) and team.get("id") else None


def command_text(activity: Activity) -> str:
    """The message text with the bot's @mention taken out, trimmed, without bidi controls and
    invisible characters (forum_ops/readable.py)."""
    text = TurnContext.remove_recipient_mention(activity) or ""
    return readable(text.replace("\u00a0", " ")).strip()


CARD_TYPES = "application/vnd.microsoft.card."  # adaptive, hero, thumbnail, ...
_TAG = re.compile(r"<[^>]*>")


class _AroundCards(HTMLParser):
    """What a message's html says outside the placeholders of cards it carries: Agents
    Playground's `<span class="inline-compose-card">` (whatever it holds) and Teams'
    `<attachment id=…>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._depth = 0  # inside a placeholder: how many elements deep

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = next((value or "" for name, value in attrs if name == "class"), "").split()
        if self._depth or tag == "attachment" or "inline-compose-card" in classes:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._depth:
            self.words.append(data)


def carries_a_card(activity: Activity) -> bool:
    return any(
        str(attachment.content_type or "").startswith(CARD_TYPES)
        for attachment in activity.attachments or []
    )


def beside_cards(text: str) -> str:
    """A message's text without the placeholders of the cards it carries, as plain text."""
    if "<" not in text:
        return " ".join(html.unescape(text).split())
    reader = _AroundCards()
    reader.feed(text)
    reader.close()
    return " ".join(_TAG.sub(" ", "".join(reader.words)).split())


def action_data(value: Any) -> dict[str, Any] | None:
    """The data of an Action.Submit (message.value) or Action.Execute (invoke value.action.data),
    every text in it readable (forum_ops/readable.py)."""
    return _readable(value) if isinstance(value, dict) else None


def _readable(value: Any) -> Any:
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, dict):
        return {key: _readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_readable(item) for item in value]
    return value


def extension_query(value: Any) -> MessagingExtensionQuery | None:
    """A messaging extension's query, or None when the value is not of that shape."""
    if not isinstance(value, dict):
        return None
    try:  # the SDK's own reading (msrest checks each field's type); it edits what it reads
        query: MessagingExtensionQuery = deserializer_helper(
            MessagingExtensionQuery, copy.deepcopy(value)
        )
    except DeserializationError:
        return None
    if any(parameter is None for parameter in query.parameters or []):  # msrest lets null through
        return None
    return query


FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


@dataclass(frozen=True)
class FileUpload:
    """A file a user sent the bot in a 1:1 chat: Teams gives a short-lived, pre-authenticated
    download URL (content.downloadUrl: fetch it at once, never log it) and the file's
    lasting place in the sender's OneDrive (contentUrl: opens for whoever it is shared with)."""

    name: str
    download_url: str
    file_type: str
    content_url: str = ""


def file_upload(activity: Activity) -> FileUpload | None:
    for attachment in activity.attachments or []:
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl")
        if attachment.content_type == FILE_DOWNLOAD_INFO and isinstance(url, str) and url:
            place = attachment.content_url if isinstance(attachment.content_url, str) else ""
            return FileUpload(
                readable(str(attachment.name or "return")),
                url,
                str(content.get("fileType") or ""),
                place,
            )
    return None
