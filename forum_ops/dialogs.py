"""Dialog state: what a person's unfinished multi-turn conversation has gathered so far.

One open dialog per person per conversation, kept in the database so that it survives a restart
and whichever replica receives the next message can carry on. A dialog is finished by exactly one
turn: `finish_dialog` deletes the row only at the version that turn read, so two answers racing on
two replicas complete it once. Durable work (a return, a vote) is done by services; a dialog only
gathers input (STYLE point 5). Expired dialogs are simply not found, and housekeeping deletes them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, delete, select
from sqlalchemy.orm import Session

from forum_ops.db.schema import DialogRow

DIALOG_LIFETIME = timedelta(hours=1)  # Teams' file download links live about as long
_DIALOGS = DialogRow.__table__
# Core, not the ORM: every turn looks for the sender's open dialog, and there seldom is one.
_OPEN_DIALOG = select(_DIALOGS).where(
    _DIALOGS.c.conversation_id == bindparam("conversation_id"),
    _DIALOGS.c.aad_object_id == bindparam("aad_object_id"),
)


@dataclass(frozen=True)
class DialogKey:
    conversation_id: str
    aad_object_id: str


@dataclass(frozen=True)
class DialogState:
    key: DialogKey
    name: str  # which dialog (its registered name)
    step: str  # the state it waits in
    data: Mapping[str, Any] = field(default_factory=dict)
    version: int = 1
    expires_at: datetime | None = None


def begin_dialog(
    session: Session,
    key: DialogKey,
    name: str,
    step: str,
    data: Mapping[str, Any],
    now: datetime,
    lifetime: timedelta = DIALOG_LIFETIME,
) -> DialogState:
    """Start a dialog, replacing any the person had open in this conversation."""
    row = session.get(DialogRow, (key.conversation_id, key.aad_object_id))
    if row is None:
        row = DialogRow(conversation_id=key.conversation_id, aad_object_id=key.aad_object_id)
        row.version = 0
        session.add(row)
    row.name, row.step, row.data = name, step, _dump(data)
    row.version += 1
    row.expires_at, row.updated_at = now + lifetime, now
    session.flush()
    return _state(row)


def open_dialog(session: Session, key: DialogKey, now: datetime) -> DialogState | None:
    """The person's open dialog in this conversation, if any and not expired (as stored: the
    Core query does not flush the session first)."""
    row = session.connection().execute(_OPEN_DIALOG, dataclasses.asdict(key)).first()
    if row is None or row.expires_at <= now:
        return None
    return _state(row)


def advance_dialog(
    session: Session,
    state: DialogState,
    step: str,
    data: Mapping[str, Any],
    now: datetime,
    lifetime: timedelta = DIALOG_LIFETIME,
) -> DialogState | None:
    """Move to `step` with `data`; None when another turn moved or finished it first."""
    row = session.get(DialogRow, (state.key.conversation_id, state.key.aad_object_id))
    if row is None or row.version != state.version:
        return None
    row.step, row.data, row.version = step, _dump(data), row.version + 1
    row.expires_at, row.updated_at = now + lifetime, now
    session.flush()
    return _state(row)


def finish_dialog(session: Session, state: DialogState) -> bool:
    """End the dialog as read; False when another turn already moved or finished it."""
    result = session.execute(
        delete(DialogRow).where(
            DialogRow.conversation_id == state.key.conversation_id,
            DialogRow.aad_object_id == state.key.aad_object_id,
            DialogRow.version == state.version,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def forget_expired_dialogs(session: Session, now: datetime) -> int:
    result = session.execute(delete(DialogRow).where(DialogRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def _state(row: DialogRow | Row[Any]) -> DialogState:
    key = DialogKey(row.conversation_id, row.aad_object_id)
    data = json.loads(row.data)
    return DialogState(key, row.name, row.step, data, row.version, row.expires_at)


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(dict(data), separators=(",", ":"), sort_keys=True)
