"""What the secretariat is told when a message could not be delivered: once an hour at most."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cards import render_card
from cards.views.common import NoticeView
from forum_ops.members.model import Role
from forum_ops.outbox.activity import card_payload
from forum_ops.outbox.conversations import member_places
from forum_ops.outbox.queue import Claimed, Outgoing

NOTICE = "outbox-notice"


def dead_letter_notices(
    session: Session, message: Claimed, error: str, now: datetime
) -> list[Outgoing]:
    """One notice per secretariat member per hour, whatever the number of dead letters."""
    if message.purpose == NOTICE:
        return []  # a notice that cannot be delivered tells nobody
    card = render_card(
        "notice",
        NoticeView(
            "Some messages could not be delivered",
            "A message could not be delivered after every retry. Type outbox to see what and why.",
        ),
    )
    hour = now.strftime("%Y-%m-%dT%H")
    return [
        Outgoing(f"{NOTICE}:{hour}:{place.conversation_id}", NOTICE, place, card_payload(card))
        for place in member_places(session, Role.SECRETARIAT)
    ]
