"""Conversation references: where the bot may post proactively (team channels, 1:1 chats).

The reference itself is the transport's JSON, opaque to the domain.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum_ops.db.schema import ConversationRow, MemberRow
from forum_ops.members.model import Role


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
    return _place(row) if row else None


def _place(row: ConversationRow) -> ConversationPlace:
    return ConversationPlace(
        row.conversation_id,
        row.kind,
        row.tenant_id,
        row.aad_object_id,
        row.team_id,
        json.loads(row.reference),
    )


def forum_channel(session: Session, configured_id: str = "") -> ConversationPlace | None:
    """The forum's channel: the configured conversation, else where the bot was last installed
    in a team."""
    query = select(ConversationRow).where(ConversationRow.kind == "channel")
    if configured_id:
        query = query.where(ConversationRow.conversation_id == configured_id)
    row = session.scalars(query.order_by(ConversationRow.updated_at.desc()).limit(1)).first()
    return _place(row) if row else None


def member_chat(session: Session, aad_object_id: str) -> ConversationPlace | None:
    """The member's 1:1 chat with the bot, if they have one."""
    row = session.scalars(
        select(ConversationRow)
        .where(ConversationRow.kind == "personal", ConversationRow.aad_object_id == aad_object_id)
        .order_by(ConversationRow.updated_at.desc())
        .limit(1)
    ).first()
    return _place(row) if row else None


def members_with_chats(session: Session, aad_object_ids: Collection[str]) -> frozenset[str]:
    """Those of these members who have a 1:1 chat with the bot."""
    if not aad_object_ids:
        return frozenset()
    rows = session.scalars(
        select(ConversationRow.aad_object_id).where(
            ConversationRow.kind == "personal",
            ConversationRow.aad_object_id.in_(list(aad_object_ids)),
        )
    )
    return frozenset(aad for aad in rows if aad is not None)


def member_places(session: Session, role: Role | None = None) -> list[ConversationPlace]:
    """The 1:1 chats of registered members (of one role, if given), by member name."""
    query = (
        select(ConversationRow)
        .join(MemberRow, MemberRow.aad_object_id == ConversationRow.aad_object_id)
        .where(ConversationRow.kind == "personal")
        .order_by(MemberRow.name)
    )
    rows = session.scalars(query).all()
    if role is not None:
        member_roles = {
            m.aad_object_id: m.roles.split(";")
            for m in session.scalars(
                select(MemberRow).where(
                    MemberRow.aad_object_id.in_([r.aad_object_id for r in rows])
                )
            )
        }
        rows = [r for r in rows if role.value in member_roles.get(r.aad_object_id or "", [])]
    return [_place(row) for row in rows]


OPENING_PREFIX = "open:"


def opening_place(team_place: ConversationPlace, aad_object_id: str) -> ConversationPlace:
    """Where to open a member's 1:1 chat: the service and tenant of a team the bot is installed
    in, and the member. The conversation id is a stand-in until the chat exists."""
    stand_in = OPENING_PREFIX + aad_object_id
    reference = {
        "bot": team_place.reference.get("bot"),
        "channelId": team_place.reference.get("channelId", "msteams"),
        "serviceUrl": team_place.reference.get("serviceUrl"),
        "conversation": {
            "id": stand_in,
            "conversationType": "personal",
            "tenantId": team_place.tenant_id,
        },
        "user": {"id": aad_object_id, "aadObjectId": aad_object_id},
    }
    return ConversationPlace(
        stand_in, "personal", team_place.tenant_id, aad_object_id, team_place.team_id, reference
    )


def members_without_chat(session: Session) -> list[str]:
    """The Entra object ids of registered members the bot has no 1:1 chat with, by name."""
    with_chat = select(ConversationRow.aad_object_id).where(
        ConversationRow.kind == "personal", ConversationRow.aad_object_id.is_not(None)
    )
    query = (
        select(MemberRow.aad_object_id)
        .where(MemberRow.aad_object_id.not_in(with_chat))
        .order_by(MemberRow.name)
    )
    return list(session.scalars(query))


def opened_place(opening_reference: dict[str, Any], conversation_id: str) -> ConversationPlace:
    """The member's 1:1 chat once opened: the opening reference with the chat's real id."""
    conversation = {**opening_reference["conversation"], "id": conversation_id}
    reference = {**opening_reference, "conversation": conversation}
    return ConversationPlace(
        conversation_id,
        "personal",
        conversation["tenantId"],
        opening_reference["user"]["aadObjectId"],
        None,
        reference,
    )
