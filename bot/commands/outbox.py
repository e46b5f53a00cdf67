"""`outbox` (secretariat): delivery counts by status, and the messages that could not be delivered."""

from __future__ import annotations

from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.dates import british_datetime
from cards.views import DeadLetterLine, Fact, OutboxView
from forum_ops import outbox


async def show_outbox(request: CommandRequest) -> Card:
    services = request.services

    def read() -> tuple[dict[outbox.Status, int], list[outbox.DeadLetter]]:
        with services.db.transaction() as session:
            return outbox.counts(session), outbox.dead_letters(session)

    counts, dead = await services.run(read)
    view = OutboxView(
        counts=tuple(Fact(status.value, str(n)) for status, n in counts.items()),
        dead=tuple(
            DeadLetterLine(
                d.purpose,
                f"{d.conversation_kind} chat" if d.conversation_kind != "channel" else "channel",
                d.attempts,
                d.last_error,
                british_datetime(d.updated_at),
            )
            for d in dead
        ),
    )
    return render_card("outbox", view)
