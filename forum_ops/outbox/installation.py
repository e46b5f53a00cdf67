"""The bot installed in a team, a group chat or a member's 1:1 chat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.queue import Outgoing, enqueue


def installed(
    session: Session,
    place: ConversationPlace,
    welcome: dict[str, Any],
    install_id: str,
    now: datetime,
) -> bool:
    """Remember where the bot now is and queue its welcome, in one transaction; False if this
    installation was welcomed before."""
    remember_conversation(session, place, now)
    key = f"welcome:{place.conversation_id}:{install_id}"
    return enqueue(session, Outgoing(key, "welcome", place, welcome), now)
