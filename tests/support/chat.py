"""Talking to the real app over HTTP as a member would: say a command in 1:1, send a file,
fetch what a card links to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.teams import FILE_DOWNLOAD_INFO
from bot.testing import BotClient, FakeConnector
from tests.conftest import activity
from tests.support.cardcheck import assert_valid_card


def in_chat(
    connector: FakeConnector,
    who: str,
    text: str = "",
    *,
    id: str,
    conversation_id: str = "",
    payload: str = "message_channel_mention",
    **more: Any,
) -> dict[str, object]:
    """A message from `who` in their 1:1 chat with the bot (`a:chat-<who>` unless named)."""
    return activity(
        payload,
        connector,
        text=text,
        id=id,
        **{
            "from.aadObjectId": who,
            "conversation.conversationType": "personal",
            "conversation.id": conversation_id or f"a:chat-{who}",
            "conversation.isGroup": False,
            "entities": [],
        },
        **more,
    )


async def say(
    bot: BotClient, connector: FakeConnector, who: str, text: str, **more: Any
) -> dict[str, Any]:
    """The card the bot answered with in this chat: the latest card sent to this conversation,
    not the latest sent anywhere (the outbox may post a welcome or a notice meanwhile)."""
    before = len(connector.sent_cards())
    message = in_chat(connector, who, text, id=f"m{before}-{who[:4]}", **more)
    await bot.post(message)
    chat = message["conversation"]["id"]  # type: ignore[index]
    [*_, card] = [card for c in connector.sent() if c.conversation_id == chat for card in c.cards]
    assert_valid_card(card)
    return card


async def install_in_team(bot: BotClient, connector: FakeConnector, who: str) -> str:
    """`who` adds the bot to a team; the team's General channel's conversation id."""
    install = activity(
        "conversationUpdate_membersAdded_team", connector, **{"from.aadObjectId": who}
    )
    assert (await bot.post(install))[0] == 200
    return str(install["conversation"]["id"])  # type: ignore[index]


def upload(
    connector: FakeConnector, body: bytes, name: str, file_type: str = "xlsx"
) -> dict[str, Any]:
    """A file sent in chat (Teams' file download info): the `say` keywords that attach it."""
    url = connector.offer_file(body)
    return {
        "attachments": [
            {
                "contentType": FILE_DOWNLOAD_INFO,
                "contentUrl": url,
                "name": name,
                "content": {"downloadUrl": url, "uniqueId": "1b2c3d", "fileType": file_type},
            }
        ]
    }


async def fetch(bot: BotClient, url: str) -> tuple[int, str, bytes]:
    local = bot.messages_url.replace("/api/messages", urlsplit(url).path)
    async with bot._http.get(local) as response:
        return response.status, response.content_type, await response.read()


GREENWICH = "0c0c0c0c-1d1d-4e2e-8f3f-505050505050"  # a Greenwich member, not a data submitter


def table_cells(card: dict[str, Any]) -> list[list[str]]:
    return [
        [cell["items"][0]["text"] for cell in row["cells"]]
        for element in card["body"]
        if element["type"] == "Table"
        for row in element["rows"]
    ]


def image(card: dict) -> dict:
    return next(e for e in card["body"] if e["type"] == "Image")


FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


def offered(connector: FakeConnector, who: str) -> list[dict[str, Any]]:
    """The file consent cards the bot sent to `who`'s 1:1 chat, oldest first."""
    chat = f"a:chat-{who}"
    return [
        a
        for c in connector.sent()
        if c.conversation_id == chat
        for a in (c.body or {}).get("attachments") or []
        if a.get("contentType") == FILE_CONSENT
    ]


def file_infos(connector: FakeConnector, who: str) -> list[dict[str, Any]]:
    """The file info cards (a file put in their OneDrive) sent to `who`'s 1:1 chat."""
    chat = f"a:chat-{who}"
    return [
        a
        for c in connector.sent()
        if c.conversation_id == chat
        for a in (c.body or {}).get("attachments") or []
        if a.get("contentType") == FILE_INFO
    ]


async def answer_consent(
    bot: BotClient,
    connector: FakeConnector,
    who: str,
    consent: dict[str, Any],
    action: str = "accept",
) -> tuple[int, Any]:
    """`who` presses Allow (accept) or Decline on a file consent card in their 1:1 chat."""
    return await bot.post(consent_invoke(connector, who, consent, action))


def consent_invoke(
    connector: FakeConnector, who: str, consent: dict[str, Any], action: str = "accept"
) -> dict[str, object]:
    """The `fileConsent/invoke` Teams sends when `who` answers a file consent card, with an
    upload session on the fake when allowed."""
    content = consent["content"]
    value: dict[str, Any] = {
        "type": "fileUpload",
        "action": action,
        "context": content["acceptContext" if action == "accept" else "declineContext"],
    }
    if action == "accept":
        value["uploadInfo"] = connector.upload_info(consent["name"])
    return activity(
        "invoke_adaptiveCard_action",
        connector,
        name="fileConsent/invoke",
        value=value,
        **{
            "from.aadObjectId": who,
            "conversation.id": f"a:chat-{who}",
            "conversation.conversationType": "personal",
        },
    )
