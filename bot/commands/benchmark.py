"""`benchmark <filters>`, `benchmark provider <name>`, `top10 [borough]`, `returns` (SPEC 6.2).

Asked in a channel or group chat, the answer there holds only what everyone may see, and a
borough's own figures (its top 10, the "Yours" column, what it pays) go to the asker's 1:1 chat.
"""

from __future__ import annotations

import uuid

from bot.benchmarks import Placements, benchmark_card, provider_card, top10_card, viewer_of
from bot.commands.table import CommandRequest
from bot.replies import card_payload
from bot.returns import returns_card
from bot.senddata import ChartPublisher
from bot.services import Services
from cards import Card, render_card
from cards.views import NoticeView
from forum_ops.errors import ForumError
from forum_ops.private import send_privately

PERSONAL = "personal"

MAX_WORDS_CHARS = 300


async def _placements(services: Services) -> Placements:
    data = await services.run(services.placements.load, services.db)
    if data is None:
        raise ForumError(
            "No INMSS returns have been imported yet: boroughs' data submitters can send theirs "
            "(type returns to get the template)."
        )
    return data


async def show_benchmark(request: CommandRequest) -> Card:
    services, words = request.services, request.args[:MAX_WORDS_CHARS]
    data = await _placements(services)
    first, _, rest = words.partition(" ")
    card = provider_card if first.casefold() == "provider" else benchmark_card
    args = rest if card is provider_card else words
    charts, member, settings = ChartPublisher.of(services), request.member, services.settings
    if request.conversation_kind == PERSONAL or viewer_of(member) is None:
        return await services.run(card, charts, data, args, member, settings)
    shared = await services.run(card, charts, data, args, member, settings, False)
    own = await services.run(card, charts, data, args, member, settings, True)
    if not await _send_privately(request, own):
        raise ForumError(_NO_CHAT)
    return shared


async def show_top10(request: CommandRequest) -> Card:
    services = request.services
    data = await _placements(services)
    card = await services.run(
        top10_card, ChartPublisher.of(services), data, request.args[:100], request.member
    )
    if request.conversation_kind == PERSONAL:
        return card
    if not await _send_privately(request, card):
        raise ForumError(_NO_CHAT)
    return render_card(
        "notice",
        NoticeView(
            "Sent to you privately",
            "A borough's top 10 providers are its own figures, so I've sent them to your 1:1 "
            "chat with me rather than here.",
        ),
    )


_NO_CHAT = (
    "That answer holds your borough's own figures, which I only show you privately, and I "
    "can't reach you 1:1 yet: ask me in our 1:1 chat."
)


async def _send_privately(request: CommandRequest, card: Card) -> bool:
    """Queue the card for the asker's 1:1 chat (opened from the forum's team if need be)."""
    services = request.services

    def queue() -> bool:
        with services.db.transaction() as session:
            return send_privately(
                session,
                request.member,
                card_payload(card),
                f"private:{uuid.uuid4().hex}",
                services.settings.forum_channel_id,
                services.clock(),
            )

    sent = await services.run(queue)
    services.doorbell.ring()
    return sent


async def show_returns(request: CommandRequest) -> Card:
    return await request.services.run(returns_card, request.services, request.member)
