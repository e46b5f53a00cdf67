"""A member's own figures asked for in a shared conversation go to their 1:1 chat instead.

Through the outbox like any proactive message: to the member's 1:1 chat with the bot, or, if they
have none yet, opening it from the forum's team (as announcements do).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from forum_ops.members.model import Member
from forum_ops.outbox.conversations import forum_channel, member_places, opening_place
from forum_ops.outbox.queue import Operation, Outgoing, enqueue


def send_privately(
    session: Session,
    member: Member,
    activity: dict[str, Any],
    key: str,
    channel_id: str,
    now: datetime,
) -> bool:
    """Queue `activity` for the member's 1:1 chat; False if there is no way to reach them
    privately (no 1:1 chat and no team to open one from)."""
    chat = next(
        (p for p in member_places(session) if p.aad_object_id == member.aad_object_id), None
    )
    if chat is not None:
        return enqueue(session, Outgoing(key, "private", chat, activity), now) or True
    team = forum_channel(session, channel_id)
    if team is None:
        return False
    place = opening_place(team, member.aad_object_id)
    enqueue(session, Outgoing(key, "private", place, activity, Operation.OPEN), now)
    return True
