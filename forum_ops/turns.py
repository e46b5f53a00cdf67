"""The start of every inbound turn: drop redeliveries and find who is speaking, in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum_ops.db.engine import Database
from forum_ops.db.schema import ProcessedActivityRow
from forum_ops.dialogs import DialogKey, DialogState, open_dialog
from forum_ops.members import find_member
from forum_ops.model import Member

PROCESSED = ProcessedActivityRow.metadata.tables[ProcessedActivityRow.__tablename__]
KEEP_PROCESSED_FOR = timedelta(days=2)  # Teams redelivers within minutes; two days is ample


@dataclass(frozen=True)
class TurnStart:
    duplicate: bool
    member: Member | None
    dialog: DialogState | None = None  # the sender's open dialog in this conversation


def activity_key(channel_id: str, conversation_id: str, activity_id: str) -> str:
    raw = f"{channel_id}\x1f{conversation_id}\x1f{activity_id}".encode()
    return hashlib.sha256(raw).hexdigest()


def begin_turn(
    session: Session,
    key: str | None,
    aad_object_id: str | None,
    now: datetime,
    conversation_id: str | None = None,
) -> TurnStart:
    """Record the activity key (if any), look up the sender and their open dialog here.

    `duplicate` is True when the key was recorded before: the caller then does nothing more.
    """
    if key is not None and not _record(session, key, now):
        return TurnStart(duplicate=True, member=None)
    member = find_member(session, aad_object_id) if aad_object_id else None
    dialog = (
        open_dialog(session, DialogKey(conversation_id, member.aad_object_id), now)
        if member is not None and conversation_id
        else None
    )
    return TurnStart(duplicate=False, member=member, dialog=dialog)


def _record(session: Session, key: str, now: datetime) -> bool:
    """Record the activity key in one Core statement on the table (not the ORM's bulk insert:
    every turn pays for this); False if it was recorded before. A concurrent redelivery waits on
    the key until the first commits, then finds it there."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(PROCESSED)
        .values(key=key, received_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(PROCESSED.c.key)
    )
    return session.connection().execute(statement).scalar_one_or_none() is not None


def start_turn(
    db: Database,
    key: str | None,
    aad_object_id: str | None,
    now: datetime,
    conversation_id: str | None = None,
) -> TurnStart:
    """`begin_turn` in its own transaction; a redelivery racing this one counts as a duplicate."""
    try:
        with db.transaction() as session:
            return begin_turn(session, key, aad_object_id, now, conversation_id)
    except IntegrityError:
        return TurnStart(duplicate=True, member=None)


def forget_old_activities(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(ProcessedActivityRow).where(
            ProcessedActivityRow.received_at < now - KEEP_PROCESSED_FOR
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
