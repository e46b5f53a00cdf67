"""Turning cards into Teams activities and Universal Action responses, for replies in a turn
(the outbox's JSON activities are forum_ops/outbox/activity.py's)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.connector import JsonReady
from cards import Card
from forum_ops.outbox.activity import ADAPTIVE_CARD, consent_attachment, summary_of

FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


class SharedContent(JsonReady):
    """Card JSON that is never changed once rendered, so copies may share it, and that the
    connector sends as it is (bot/connector.py).

    botbuilder's TurnContext.send_activities deep-copies every outgoing activity; for a card
    that is a few hundred needless copies a reply.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedContent:
        return self


def card_message(card: Card) -> Activity:
    consents = [consent_attachment(f) for f in card.files]
    return Activity(
        type=ActivityTypes.message,
        summary=summary_of(card),
        attachments=[
            Attachment(content_type=ADAPTIVE_CARD, content=SharedContent(card.content)),
            *(
                Attachment(content_type=c["contentType"], name=c["name"], content=c["content"])
                for c in consents
            ),
        ],
    )


def file_info_message(name: str, content_url: str, unique_id: str, file_type: str) -> Activity:
    """The file the member allowed, now in their OneDrive, shown as Teams shows a file."""
    return Activity(
        type=ActivityTypes.message,
        summary=name[:200],
        attachments=[
            Attachment(
                content_type=FILE_INFO,
                name=name,
                content_url=content_url,
                content={"uniqueId": unique_id, "fileType": file_type},
            )
        ],
    )


def card_invoke_response(card: Card) -> InvokeResponse:
    """An `adaptiveCard/action` answer: the card replaces the one the button was on."""
    body: dict[str, Any] = {"statusCode": 200, "type": ADAPTIVE_CARD, "value": card.content}
    return InvokeResponse(status=HTTPStatus.OK, body=body)


def error_invoke_response(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    body = {
        "statusCode": int(status),
        "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message},
    }
    return InvokeResponse(status=HTTPStatus.OK, body=body)
