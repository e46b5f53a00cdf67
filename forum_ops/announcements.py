"""Announcements from the secretariat to the forum's channel and to every member 1:1."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from forum_ops.conversations import (
    forum_channel,
    member_places,
    members_without_chat,
    opening_place,
)
from forum_ops.db import Database
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.model import Member, Role
from forum_ops.outbox import Operation, Outgoing, enqueue_all
from forum_ops.ports import Clock

MAX_ANNOUNCEMENT_CHARS = 4000


@dataclass(frozen=True)
class AnnouncementReport:
    channel: bool  # whether the forum's channel is known and was included
    members: int  # members reached in their 1:1 chat with the bot
    opening: int  # members with no 1:1 chat yet, whose chat is opened from the forum's team
    unreachable: int  # members with no 1:1 chat and no team to open one from


def check_announcement(author: Member, text: str) -> str:
    if not author.has(Role.SECRETARIAT):
        raise NotAllowed("Only the forum's secretariat can make announcements.")
    text = text.strip()
    if not text:
        raise ForumError(
            "Say what to announce, for example: announce The March meeting moves to 10:30."
        )
    if len(text) > MAX_ANNOUNCEMENT_CHARS:
        raise ForumError(f"An announcement can be at most {MAX_ANNOUNCEMENT_CHARS} characters.")
    return text


def announce(
    session: Session,
    author: Member,
    activity: dict[str, Any],
    announcement_id: str,
    channel_id: str,
    now: datetime,
) -> AnnouncementReport:
    """Queue the announcement's card for the channel and each member's 1:1 chat, opening the
    chat from the forum's team for members who have none yet."""
    if not author.has(Role.SECRETARIAT):
        raise NotAllowed("Only the forum's secretariat can make announcements.")
    channel = forum_channel(session, channel_id)
    people = member_places(session)
    without_chat = members_without_chat(session)
    opening = [opening_place(channel, aad) for aad in without_chat] if channel else []
    messages = [
        Outgoing(f"announce:{announcement_id}:{p.conversation_id}", "announce", p, activity)
        for p in ([channel] if channel else []) + people
    ] + [
        Outgoing(
            f"announce:{announcement_id}:{p.conversation_id}",
            "announce",
            p,
            activity,
            Operation.OPEN,
        )
        for p in opening
    ]
    enqueue_all(session, messages, now)
    return AnnouncementReport(
        channel is not None, len(people), len(opening), len(without_chat) - len(opening)
    )


def make_announcement(
    db: Database,
    clock: Clock,
    author: Member,
    text: str,
    channel_id: str,
    activity_for: Callable[[str, datetime], dict[str, Any]],
) -> AnnouncementReport:
    """The `announce` command's unit of work: check the text, have the caller render it as an
    activity (`activity_for(text, now)`: the card is the presentation's business), and queue
    it for everyone in one transaction. The caller rings the outbox's doorbell after."""
    text = check_announcement(author, text)
    now = clock.now()
    activity = activity_for(text, now)
    with db.transaction() as session:
        return announce(session, author, activity, uuid.uuid4().hex, channel_id, now)
