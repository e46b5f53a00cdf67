"""`benchmark <filters>`, `benchmark provider <name>`, `top10 [borough]`, `returns` (SPEC 6.2)."""

from __future__ import annotations

from bot.benchmarks import Placements, benchmark_card, provider_card, top10_card
from bot.commands.table import CommandRequest
from bot.returns import returns_card
from bot.senddata import ChartPublisher
from bot.services import Services
from cards import Card
from forum_ops.errors import ForumError

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
    return await services.run(
        card, ChartPublisher.of(services), data, args, request.member, services.settings
    )


async def show_top10(request: CommandRequest) -> Card:
    services = request.services
    data = await _placements(services)
    return await services.run(
        top10_card, ChartPublisher.of(services), data, request.args[:100], request.member
    )


async def show_returns(request: CommandRequest) -> Card:
    return await request.services.run(returns_card, request.services, request.member)
