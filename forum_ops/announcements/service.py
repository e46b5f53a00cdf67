"""Announcements from the secretariat to the forum's channel and to every member 1:1.

Queued through the Messenger port (forum_ops/ports.py), in one transaction: a member without a
1:1 chat yet gets one opened from the forum's team, as the messenger does for anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from forum_ops.db import Database
from forum_ops.errors import ForumError, NotAllowed, NotReachable
from forum_ops.members.model import Member, Role
from forum_ops.outbox.conversations import OPENING_PREFIX, member_places, members_without_chat
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock, Delivery, Messenger, RenderedCard

MAX_ANNOUNCEMENT_CHARS = 4000


class AnnouncementCards(Protocol):
    """The announcements' presenter (cards/notices.py's AnnouncementCards)."""

    def announcement(self, text: str, author: Member, at: datetime) -> RenderedCard: ...


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
    messenger: Messenger,
    author: Member,
    card: RenderedCard,
    announcement_id: str,
) -> AnnouncementReport:
    """Queue the announcement's card for the channel and each member's 1:1 chat, opening the
    chat from the forum's team for members who have none yet. Each message's key says where it
    goes: `announce:<id>:channel`, `announce:<id>:<chat id>`, `announce:<id>:open:<member>`."""
    if not author.has(Role.SECRETARIAT):
        raise NotAllowed("Only the forum's secretariat can make announcements.")

    def delivery(where: str) -> Delivery:
        return Delivery(f"announce:{announcement_id}:{where}", "announce")

    try:
        messenger.to_channel(card, delivery("channel"))
        channel = True
    except NotReachable:
        channel = False
    chats = {p.aad_object_id: p.conversation_id for p in member_places(session) if p.aad_object_id}
    for aad_object_id, chat_id in chats.items():
        messenger.to_member(aad_object_id, card, delivery(chat_id))
    without_chat = members_without_chat(session)
    opening = 0
    for aad_object_id in without_chat:
        try:
            messenger.to_member(aad_object_id, card, delivery(OPENING_PREFIX + aad_object_id))
            opening += 1
        except NotReachable:  # no chat, and no team to open one from
            pass
    return AnnouncementReport(channel, len(chats), opening, len(without_chat) - opening)


def make_announcement(
    db: Database,
    clock: Clock,
    messengers: MessengerFactory,
    author: Member,
    text: str,
    cards: AnnouncementCards,
) -> AnnouncementReport:
    """The `announce` command's unit of work: check the text, have the presenter render its
    card, and queue it for everyone in one transaction. The caller rings the outbox's doorbell
    after."""
    text = check_announcement(author, text)
    now = clock.now()
    card = cards.announcement(text, author, now)
    with db.transaction() as session:
        return announce(session, messengers(session, now), author, card, uuid.uuid4().hex)


@dataclass(frozen=True)
class Announcements:
    """The announcements as one service object, built once by bot/services.py."""

    db: Database
    clock: Clock
    messengers: MessengerFactory
    cards: AnnouncementCards

    def announce(self, author: Member, text: str) -> AnnouncementReport:
        return make_announcement(self.db, self.clock, self.messengers, author, text, self.cards)
