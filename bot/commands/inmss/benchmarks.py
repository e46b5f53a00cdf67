"""`benchmark <filters>`, `benchmark provider <name>`, `top10 [borough]`, `returns` (SPEC 6.2).

Asked in a channel or group chat, the answer there holds only what everyone may see, and a
borough's own figures (its top 10, the "Yours" column, what it pays) go to the asker's 1:1 chat.
"""

from __future__ import annotations

import uuid

from bot.command_table import CommandRequest
from bot.commands.inmss.returns import releases_card, returns_command
from cards import Card, render_card
from cards.benchmarks import benchmark_view, provider_choices_view, provider_view, top10_view
from cards.views.benchmarks import NeedBenchmark, ProviderBenchmark, ProviderChoices
from cards.views.common import NoticeView
from forum_ops.benchmarks.private import send_privately
from forum_ops.errors import ForumError
from forum_ops.outbox.activity import card_payload

PERSONAL = "personal"

MAX_WORDS_CHARS = 300


async def show_benchmark(request: CommandRequest) -> Card:
    services, words = request.services, request.args[:MAX_WORDS_CHARS]
    if words.strip().casefold() == "releases":
        return await releases_card(services, request.member)
    first, _, rest = words.partition(" ")
    if first.casefold() == "provider":
        ask, view, words = services.benchmarks.provider, _provider_card, rest
    else:
        ask, view = services.benchmarks.benchmark, _benchmark_card  # type: ignore[assignment]
    member = request.member
    if request.conversation_kind == PERSONAL or member.borough is None:
        return view(await services.run(ask, member, words))
    london = await services.run(ask, member, words, False)
    shared = view(london)
    if shared.template == "choices":  # which provider? nobody's own figures in it
        return shared
    own = view(await services.run(ask, member, words, True))
    if await _send_privately(request, own):
        return shared
    return view(london, sent_privately=False)  # London's figures are anyone's: not refused


def _benchmark_card(answer: NeedBenchmark, sent_privately: bool = True) -> Card:
    return render_card("report", benchmark_view(answer, sent_privately))


def _provider_card(
    answer: ProviderBenchmark | ProviderChoices, sent_privately: bool = True
) -> Card:
    if isinstance(answer, ProviderChoices):
        return render_card("choices", provider_choices_view(answer))
    return render_card("report", provider_view(answer, sent_privately))


async def show_top10(request: CommandRequest) -> Card:
    services = request.services
    answer = await services.run(services.benchmarks.top10, request.member, request.args[:100])
    card = render_card("report", top10_view(answer))
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
                services.clock.now(),
            )

    sent = await services.run(queue)
    services.doorbell.ring()
    return sent


async def show_returns(request: CommandRequest) -> Card:
    return await returns_command(request.services, request.member, request.args[:100])
