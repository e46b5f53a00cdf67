"""Turning cards into Teams activities and Universal Action responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.connector import JsonReady
from cards import Card
from cards.views.common import FileOffer
from forum_ops.ports import RenderedCard

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


class SharedContent(JsonReady):
    """Card JSON that is never changed once rendered, so copies may share it, and that the
    connector sends as it is (bot/connector.py).

    botbuilder's TurnContext.send_activities deep-copies every outgoing activity; for a card
    that is a few hundred needless copies a reply.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedContent:
        return self


def offered_files(card: object) -> tuple[FileOffer, ...]:
    """The files a card offers beside it (cards.Card.files; a job's own card may have them)."""
    files = getattr(card, "files", ())
    return tuple(f for f in files if isinstance(f, FileOffer)) if isinstance(files, tuple) else ()


def consent_attachment(offer: FileOffer) -> dict[str, Any]:
    """A Teams file consent card: on Allow, Teams makes an upload session in the member's
    OneDrive and sends `fileConsent/invoke` with it; the contexts carry only the kept file's
    key (bot/file_offers.py checks who may have it). Personal chats only."""
    context = {"file": offer.token}
    return {
        "contentType": FILE_CONSENT,
        "name": offer.filename,
        "content": {
            "description": offer.description,
            "sizeInBytes": offer.size,
            "acceptContext": context,
            "declineContext": context,
        },
    }


def card_payload(card: RenderedCard) -> dict[str, Any]:
    """A card as a Bot Framework message activity in JSON, for the outbox; the files it offers
    follow it as file consent cards."""
    return {
        "type": "message",
        "summary": card.fallback.split("\n", 1)[0][:200],
        "attachments": [
            {"contentType": ADAPTIVE_CARD, "content": card.content},
            *(consent_attachment(f) for f in offered_files(card)),
        ],
    }


def card_message(card: Card) -> Activity:
    consents = [consent_attachment(f) for f in card.files]
    return Activity(
        type=ActivityTypes.message,
        summary=card.fallback.split("\n", 1)[0][:200],
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
