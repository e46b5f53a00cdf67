"""Every inbound turn processed once, across crashes and replicas.

A turn reads, in one transaction, whether its activity was handled before and who is speaking.
Its key is then written in the same transaction as the first change the turn makes (the
`TurnLedger` is the database's hook for the turn: forum_ops/db/engine.py), or, for a turn that
changes nothing, just before it answers. So a kill -9 between the two leaves neither the key nor
the change, and Teams' redelivery runs again; a redelivery of a turn whose change committed
finds the key and changes nothing. The answer is claimed once (`replied_at`): a duplicate never
answers twice, and a card action's answer is kept to be given again to its redelivery.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from forum_ops.db.engine import Database
from forum_ops.db.schema import ProcessedActivityRow
from forum_ops.db.versions import versions
from forum_ops.dialogs import DialogKey, DialogState, open_dialog
from forum_ops.members.model import Member
from forum_ops.members.registry import find_member

PROCESSED = ProcessedActivityRow.metadata.tables[ProcessedActivityRow.__tablename__]
KEEP_PROCESSED_FOR = timedelta(days=2)  # Teams redelivers within minutes; two days is ample
# Core on the session's connection, as find_member: every turn asks it, and the ORM's execute
# costs twice the query
_SEEN = select(PROCESSED.c.received_at, PROCESSED.c.replied_at, PROCESSED.c.response).where(
    PROCESSED.c.key == bindparam("key")
)


class Redelivered(Exception):
    """Another delivery of this activity committed its change first: this one changes nothing.

    Deliberately not a ForumError: no handler answers it as a refusal."""


@dataclass(frozen=True)
class TurnStart:
    duplicate: bool  # the key was recorded before: the activity was handled (or is being)
    member: Member | None
    dialog: DialogState | None = None  # the sender's open dialog in this conversation
    answered: bool = False  # its answer was claimed
    response: dict[str, Any] | None = None  # a card action's answer as given: status and body
    received_at: datetime | None = None  # when the key was recorded: the first delivery's time
    versions: Mapping[str, int] = field(default_factory=dict)  # the tables' (db/versions.py)


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
    """Whether the activity key (if any) was recorded, the sender and their open dialog, and
    the tables' versions (what the turn's answer may be kept against: bot/kept_answers.py).

    `duplicate` is True when the key was recorded before. Nothing is written here.
    """
    connection = session.connection()
    seen = connection.execute(_SEEN, {"key": key}).first() if key is not None else None
    stored = versions(connection)
    member = find_member(session, aad_object_id) if aad_object_id else None
    dialog = (
        open_dialog(session, DialogKey(conversation_id, member.aad_object_id), now)
        if member is not None and conversation_id
        else None
    )
    if seen is None:
        return TurnStart(duplicate=False, member=member, dialog=dialog, versions=stored)
    response = json.loads(seen.response) if seen.response else None
    answered = seen.replied_at is not None
    return TurnStart(True, member, dialog, answered, response, seen.received_at, stored)


def start_turn(
    db: Database,
    key: str | None,
    aad_object_id: str | None,
    now: datetime,
    conversation_id: str | None = None,
) -> TurnStart:
    """`begin_turn` in its own (read-only) transaction."""
    with db.transaction(effect=False) as session:
        return begin_turn(session, key, aad_object_id, now, conversation_id)


def record_key(session: Session, key: str, now: datetime) -> bool:
    """Record the activity key in the caller's transaction, in one Core statement on the table
    (every changing turn pays for this); False if it was recorded before. A concurrent delivery
    waits on the key until the first commits, then finds it there."""
    statement = (
        _insert(session)
        .values(key=key, received_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(PROCESSED.c.key)
    )
    return session.connection().execute(statement).scalar_one_or_none() is not None


def claim_answer(
    db: Database, key: str, now: datetime, response: dict[str, Any] | None = None
) -> bool:
    """Claim the right to answer the activity (recording its key if no change of the turn's
    did), with a card action's answer to give again; False if a delivery answered it first."""
    kept = json.dumps(response, separators=(",", ":")) if response is not None else None
    with db.transaction(effect=False) as session:
        statement = _insert(session).values(key=key, received_at=now, replied_at=now, response=kept)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"replied_at": now, "response": kept},
            where=PROCESSED.c.replied_at.is_(None),
        ).returning(PROCESSED.c.key)
        return session.connection().execute(statement).scalar_one_or_none() is not None


def given_answer(db: Database, key: str) -> dict[str, Any] | None:
    """The answer kept for a card action's activity, if one was given."""
    with db.transaction(effect=False) as session:
        kept = session.execute(
            select(PROCESSED.c.response).where(PROCESSED.c.key == key)
        ).scalar_one_or_none()
    return json.loads(kept) if kept else None


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return pg_insert(PROCESSED) if dialect == "postgresql" else sqlite_insert(PROCESSED)


class TurnLedger:
    """The database hook for one turn's work (forum_ops/db/engine.TURN): the first transaction
    that changes something also records the activity key; if another delivery recorded it first,
    that transaction is rolled back and `Redelivered` raised. `replaying`: the turn's change is
    committed already and the turn runs again only for its answer, so every change is undone."""

    def __init__(self, key: str, now: datetime, *, replaying: bool = False) -> None:
        self.key, self.now, self.replaying = key, now, replaying
        self.recorded = False  # a committed change of this delivery's holds the key
        self.redelivered = False  # another delivery's change holds it
        self.answered = False  # this delivery claimed the answer
        self._recording = False
        self._lock = threading.Lock()  # the turn's work runs in the executor's threads

    def before_commit(self, session: Session, wrote: bool) -> bool:
        with self._lock:
            self._recording = False
            if not wrote or self.recorded:
                return True
            if self.replaying or self.redelivered:
                return False
            if not record_key(session, self.key, self.now):
                self.redelivered = True
                raise Redelivered()
            self._recording = True
            return True

    def after_commit(self) -> None:
        with self._lock:
            if self._recording:
                self.recorded, self._recording = True, False


def forget_old_activities(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(ProcessedActivityRow).where(
            ProcessedActivityRow.received_at < now - KEEP_PROCESSED_FOR
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
