"""The search messaging extension's answer: schools as cards, each with a Teams preview.
The search is forum_ops/suppliers/search.py; the cards' views are cards/suppliers.py; the
manifest's `suppliers` search command is routed here by bot/features.py (`searches=`)."""

from __future__ import annotations

from botbuilder.schema import Attachment, ThumbnailCard
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)

from bot.searches import SearchRequest, extension_message
from cards import render_card
from cards.suppliers import school_line, school_view
from cards.views.suppliers import SchoolsPage
from forum_ops.errors import ForumError
from forum_ops.outbox.activity import ADAPTIVE_CARD


async def search_schools(request: SearchRequest) -> MessagingExtensionResponse:
    """Specialist schools as cards to drop into a chat."""
    services = request.services
    try:
        page = await services.run(services.suppliers.find, request.words, request.member)
    except ForumError as empty:  # NoDirectory: nothing imported yet
        return extension_message(str(empty))
    return extension_results(page)


def extension_results(page: SchoolsPage) -> MessagingExtensionResponse:
    attachments = [
        MessagingExtensionAttachment(
            content_type=ADAPTIVE_CARD,
            content=render_card("suppliers", school_view(school)).content,
            preview=Attachment(
                content_type="application/vnd.microsoft.card.thumbnail",
                content=ThumbnailCard(title=school.name, text=school_line(school).summary),
            ),
        )
        for school in page.schools
    ]
    return MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(
            type="result", attachment_layout="list", attachments=attachments
        )
    )
