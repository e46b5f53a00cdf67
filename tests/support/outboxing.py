"""Helpers for outbox tests: places pointing at the fake connector, and waiting for delivery."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.testing import FakeConnector
from forum_ops.db import Database
from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.queue import Operation, Outgoing, Status, counts, enqueue
from tests.conftest import NOW, TENANT

FAST = {
    "forum_outbox_backoff_seconds": 0.05,
    "forum_outbox_backoff_max_seconds": 0.5,
    "forum_outbox_poll_seconds": 0.05,
    "forum_outbox_max_attempts": 4,
    "forum_warm_at_start": False,  # the tests time sends: no imports holding the interpreter
}


def place(
    connector: FakeConnector,
    conversation_id: str,
    kind: str = "personal",
    aad_object_id: str | None = None,
) -> ConversationPlace:
    reference = {
        "bot": {"id": "28:forum-bot", "name": "SEND Forum"},
        "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": TENANT},
        "channelId": "msteams",
        "serviceUrl": connector.service_url,
    }
    if aad_object_id:
        reference["user"] = {"id": f"29:{aad_object_id}", "aadObjectId": aad_object_id}
    return ConversationPlace(conversation_id, kind, TENANT, aad_object_id, None, reference)


def remember(db: Database, *places: ConversationPlace) -> None:
    with db.transaction() as session:
        for p in places:
            remember_conversation(session, p, NOW)


def text_message(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text}


def put(
    db: Database,
    connector: FakeConnector,
    key: str,
    conversation_id: str,
    *,
    operation: Operation = Operation.SEND,
    target_key: str | None = None,
) -> None:
    with db.transaction() as session:
        enqueue(
            session,
            Outgoing(
                key,
                "test",
                place(connector, conversation_id),
                text_message(key),
                operation,
                target_key,
            ),
            NOW,
        )


async def settled(db: Database, within: float = 20.0) -> dict[Status, int]:
    """Wait until nothing is queued or sending; returns the counts by status."""
    deadline = time.monotonic() + within
    while True:
        with db.transaction() as session:
            found = counts(session)
        if found[Status.QUEUED] == 0 and found[Status.SENDING] == 0:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox did not settle: {found}")
        await asyncio.sleep(0.05)
