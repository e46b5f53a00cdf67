"""Turning cards into Teams activities and Universal Action responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.connector import JsonReady
from cards import Card
from forum_ops.ports import RenderedCard

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


class SharedContent(JsonReady):
    """Card JSON that is never changed once rendered, so copies may share it, and that the
    connector sends as it is (bot/connector.py).

    botbuilder's TurnContext.send_activities deep-copies every outgoing activity; for a card
    that is a few hundred needless copies a reply.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedContent:
        return self


def card_payload(card: RenderedCard) -> dict[str, Any]:
    """A card as a Bot Framework message activity in JSON, for the outbox."""
    return {
        "type": "message",
        "summary": card.fallback.split("\n", 1)[0][:200],
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card.content}],
    }


def card_message(card: Card) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=card.fallback.split("\n", 1)[0][:200],
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=SharedContent(card.content))],
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
