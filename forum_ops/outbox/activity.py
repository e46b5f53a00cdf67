"""A card as the Bot Framework message activity the outbox keeps and the worker sends: plain
JSON, so the domain queues cards without the transport's types (bot/replies.py builds the
transport's own Activity objects for replies in a turn from the same pieces)."""

from __future__ import annotations

from typing import Any

from cards.views.common import FileOffer
from forum_ops.ports import RenderedCard

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


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


def summary_of(card: RenderedCard) -> str:
    """What Teams shows for the message in notifications: the fallback's first line."""
    return card.fallback.split("\n", 1)[0][:200]


def card_payload(card: RenderedCard) -> dict[str, Any]:
    """A card as a Bot Framework message activity in JSON, for the outbox; the files it offers
    follow it as file consent cards."""
    return {
        "type": "message",
        "summary": summary_of(card),
        "attachments": [
            {"contentType": ADAPTIVE_CARD, "content": card.content},
            *(consent_attachment(f) for f in offered_files(card)),
        ],
    }
