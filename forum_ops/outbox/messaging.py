"""The Messenger port (forum_ops/ports.py) over the durable outbox, for one unit of work.

Services and scheduled jobs are given a MessengerFactory (one, built at start-up by
bot/services.py: `outbox_messengers(settings.forum_channel_id)`) and make a messenger per
transaction, so a message is written with the domain change that causes it and goes only if
that change commits. Each send writes an outbox row holding the card as a JSON activity
(forum_ops/outbox/activity.py); the outbox worker (bot/) delivers it, and a doorbell rung after
the commit sends it at once. Nothing here calls into bot/.

Apart from ports.py because it names the storage's Session, which the presentation layer (cards
import ports for RenderedCard) must not reach.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import TypeAlias

from sqlalchemy.orm import Session

from forum_ops.errors import NotReachable
from forum_ops.outbox.activity import card_payload
from forum_ops.outbox.conversations import (
    OPENING_PREFIX,
    ConversationPlace,
    find_conversation,
    forum_channel,
    member_chat,
    members_with_chats,
    opening_place,
)
from forum_ops.outbox.queue import Operation, Outgoing, enqueue, queued_place
from forum_ops.ports import Delivery, Messenger, RenderedCard

# (session, now) -> the messenger for that transaction: `outbox_messengers(channel)` in the app;
# tests may pass `lambda session, now: fake`. The one name for it everywhere: `messengers`.
MessengerFactory: TypeAlias = Callable[[Session, datetime], Messenger]


class OutboxMessenger:
    def __init__(self, session: Session, now: datetime, channel_id: str = "") -> None:
        self._session = session
        self._now = now
        self._channel_id = channel_id  # the configured forum channel; empty = the latest team

    def to_member(self, aad_object_id: str, card: RenderedCard, delivery: Delivery) -> str:
        chat = member_chat(self._session, aad_object_id)
        if chat is not None:
            return self._queue(delivery, chat, card, Operation.SEND)
        team = forum_channel(self._session, self._channel_id)
        if team is None:
            raise NotReachable("That member has no chat with the bot and no team to open one.")
        return self._queue(delivery, opening_place(team, aad_object_id), card, Operation.OPEN)

    def reachable(self, aad_object_ids: Collection[str]) -> frozenset[str]:
        if forum_channel(self._session, self._channel_id) is not None:
            return frozenset(aad_object_ids)  # a chat can be opened from the team
        return members_with_chats(self._session, aad_object_ids)

    def to_channel(self, card: RenderedCard, delivery: Delivery) -> str:
        channel = forum_channel(self._session, self._channel_id)
        if channel is None:
            raise NotReachable("The bot is not in the forum's team yet.")
        return self._queue(delivery, channel, card, Operation.SEND)

    def to_conversation(self, conversation_id: str, card: RenderedCard, delivery: Delivery) -> str:
        place = find_conversation(self._session, conversation_id)
        if place is None:
            raise NotReachable("The bot does not know that conversation.")
        return self._queue(delivery, place, card, Operation.SEND)

    def update(self, sent_key: str, card: RenderedCard, delivery: Delivery) -> str:
        return self._queue(delivery, self._sent_to(sent_key), card, Operation.UPDATE, sent_key)

    def withdraw(self, sent_key: str, delivery: Delivery) -> str:
        return self._queue(delivery, self._sent_to(sent_key), None, Operation.DELETE, sent_key)

    def reply_to(self, sent_key: str, card: RenderedCard, delivery: Delivery) -> str:
        return self._queue(delivery, self._sent_to(sent_key), card, Operation.REPLY, sent_key)

    def _sent_to(self, sent_key: str) -> ConversationPlace:
        place = queued_place(self._session, sent_key)
        if place is not None and place.conversation_id.startswith(OPENING_PREFIX):
            # sent by opening the member's chat: the chat has an id of its own now
            place = member_chat(self._session, place.aad_object_id or "")
        if place is None:
            raise NotReachable("No message was sent under that key.")
        return place

    def _queue(
        self,
        delivery: Delivery,
        place: ConversationPlace,
        card: RenderedCard | None,
        operation: Operation,
        target_key: str | None = None,
    ) -> str:
        activity = card_payload(card) if card is not None else {}
        message = Outgoing(delivery.key, delivery.purpose, place, activity, operation, target_key)
        enqueue(self._session, message, self._now)
        return delivery.key


_PORT: type[Messenger] = OutboxMessenger  # mypy holds the class to the port's shape


def outbox_messengers(channel_id: str = "") -> MessengerFactory:
    """The MessengerFactory of the app (bot/services.py builds it once from the settings)."""

    def messenger(session: Session, now: datetime) -> Messenger:
        return OutboxMessenger(session, now, channel_id)

    return messenger
