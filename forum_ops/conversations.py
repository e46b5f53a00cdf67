"""Conversation references: where the bot may post proactively (team channels, 1:1 chats).

The reference itself is the transport's JSON, opaque to the domain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum_ops.db.schema import ConversationRow


@dataclass(frozen=True)
class ConversationPlace:
    conversation_id: str
    kind: str  # personal, channel, groupChat
    tenant_id: str
    aad_object_id: str | None  # the member, for a personal chat
    team_id: str | None
    reference: dict[str, Any]


def remember_conversation(session: Session, place: ConversationPlace, now: datetime) -> None:
    row = session.scalars(
        select(ConversationRow).where(ConversationRow.conversation_id == place.conversation_id)
    ).first()
    if row is None:
        row = ConversationRow(conversation_id=place.conversation_id)
        session.add(row)
    row.kind, row.tenant_id = place.kind, place.tenant_id
    row.aad_object_id, row.team_id = place.aad_object_id, place.team_id
    row.reference = json.dumps(place.reference, separators=(",", ":"))
    row.updated_at = now


def find_conversation(session: Session, conversation_id: str) -> ConversationPlace | None:
    row = session.scalars(
        select(ConversationRow).where(ConversationRow.conversation_id == conversation_id)
    ).first()
    if row is None:
        return None
    return ConversationPlace(
        row.conversation_id,
        row.kind,
        row.tenant_id,
        row.aad_object_id,
        row.team_id,
        json.loads(row.reference),
    )
