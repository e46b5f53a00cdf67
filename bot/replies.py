"""Turning cards into Teams activities and Universal Action responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, Attachment

from cards import Card

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_message(card: Card) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=card.fallback.split("\n", 1)[0][:200],
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card.content)],
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
