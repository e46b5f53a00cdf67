"""The durable outbox: every proactive message is written here first, then delivered by a worker.

A message is enqueued in the same transaction as the domain change that causes it, under an
idempotency key (enqueueing a key twice stores one message). Workers claim due messages with a
lease (forum_ops/db/leases.py, as the scheduler claims occurrences), so replicas never send
the same message and a dead worker's messages are claimed again once its lease runs out. A
conversation whose messages are leased to one worker is not claimed by another, so per-
conversation rate limits can be kept in each worker's memory.

    queued ──claim──> sending ──> sent
      ^ │                │──retryable, attempts left──> queued (not_before later)
      │ │                │──permanent error──> failed
      └─┼──lease expired─┴──attempts used up──> dead
        └──a newer update of the same message queued──> superseded

Updates in place coalesce: a card updated 300 times in ten seconds (a ToR tally in a vote
storm, an ask's channel card) would otherwise queue 300 updates behind the conversation's few
messages a second, and show minutes-old figures. Enqueueing an update supersedes the same
message's older updates to the same conversation that are still queued (never one a worker has
claimed: that one goes first, then the newer), in the enqueueing transaction, with one atomic
UPDATE ... WHERE status = 'queued'. On PostgreSQL that UPDATE and a worker's claim (FOR UPDATE
SKIP LOCKED) lock the row: whichever comes second sees the other's outcome (READ COMMITTED
re-reads a row it waited for), so a row is either superseded or claimed, never both. An
update given back unsent (retry, rate limits) is superseded at once if a newer one is queued.
Superseded rows are kept (status `superseded`, counted by `forumbot outbox`, the newer key in
`last_error`): their keys keep enqueueing idempotent, and the count shows the coalescing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

from forum_ops.db.leases import claim_due, insert_once
from forum_ops.db.schema import OutboxRow
from forum_ops.outbox.conversations import ConversationPlace


class Status(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    SUPERSEDED = "superseded"  # an update replaced by a newer one before it was sent


class Operation(StrEnum):
    SEND = "send"
    UPDATE = "update"  # replace a sent message (e.g. a vote tally) in place
    DELETE = "delete"  # withdraw a sent message
    REPLY = "reply"  # a new message in a sent message's thread (a reply under an ask)
    # open a member's 1:1 chat from the forum's team (the bot is installed there), then send;
    # the new chat is remembered, so later messages go straight to it
    OPEN = "open"


@dataclass(frozen=True)
class Outgoing:
    """A message to enqueue: where it goes, what it is, and why."""

    key: str  # idempotency key, e.g. "agenda:2026-01-22:org-202"
    purpose: str  # e.g. "welcome", "announce", "agenda"
    place: ConversationPlace
    activity: dict[str, Any]  # a Bot Framework activity as JSON (for delete: ignored)
    operation: Operation = Operation.SEND
    target_key: str | None = None  # for update/delete/reply: the key of the sent message


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    purpose: str
    operation: Operation
    conversation_id: str
    tenant_id: str
    reference: dict[str, Any]
    activity: dict[str, Any]
    target_key: str | None
    target_activity_id: str | None
    attempts: int


@dataclass(frozen=True)
class DeadLetter:
    key: str
    purpose: str
    conversation_kind: str
    attempts: int
    last_error: str
    updated_at: datetime


def enqueue(
    session: Session, message: Outgoing, now: datetime, not_before: datetime | None = None
) -> bool:
    """Add a message in the caller's transaction; False if its key was enqueued before."""
    values = {
        "key": message.key,
        "purpose": message.purpose,
        "operation": message.operation.value,
        "target_key": message.target_key,
        "conversation_id": message.place.conversation_id,
        "conversation_kind": message.place.kind,
        "tenant_id": message.place.tenant_id,
        "reference": json.dumps(message.place.reference, separators=(",", ":")),
        "activity": json.dumps(message.activity, separators=(",", ":"), ensure_ascii=False),
        "status": Status.QUEUED.value,
        "attempts": 0,
        "not_before": not_before or now,
        "created_at": now,
        "updated_at": now,
        "last_error": "",
    }
    inserted = insert_once(session, OutboxRow, values)
    if inserted and message.operation is Operation.UPDATE and message.target_key:
        # only rows written before this one (a row with a later id is a newer update, whatever
        # order the transactions commit in)
        new_id = session.scalars(select(OutboxRow.id).where(OutboxRow.key == message.key)).one()
        _supersede(
            session,
            now,
            f"replaced by {message.key}",
            OutboxRow.target_key == message.target_key,
            OutboxRow.conversation_id == message.place.conversation_id,
            OutboxRow.id < new_id,
        )
    return inserted


def _supersede(session: Session, now: datetime, why: str, *where: Any) -> int:
    """Mark queued (unclaimed) updates meeting `where` superseded, atomically: a row a worker
    has claimed (or claims meanwhile: its lock is waited for, then its status re-read) is
    left to go first."""
    result = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.status == Status.QUEUED.value,
            OutboxRow.operation == Operation.UPDATE.value,
            *where,
        )
        .values(status=Status.SUPERSEDED.value, updated_at=now, last_error=why[:500])
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _supersede_if_newer(session: Session, message_id: int, now: datetime) -> None:
    """An update given back to the queue goes no more if a newer update of the same message to
    the same conversation is queued (or being sent) after it."""
    newer = aliased(OutboxRow)
    _supersede(
        session,
        now,
        "replaced by a newer update",
        OutboxRow.id == message_id,
        select(newer.id)
        .where(
            newer.target_key == OutboxRow.target_key,
            newer.conversation_id == OutboxRow.conversation_id,
            newer.operation == Operation.UPDATE.value,
            newer.id > OutboxRow.id,
            newer.status.in_([Status.QUEUED.value, Status.SENDING.value]),
        )
        .exists(),
    )


def queued_place(session: Session, key: str) -> ConversationPlace | None:
    """Where the message enqueued under `key` goes: its update or withdrawal goes there too."""
    row = session.scalars(select(OutboxRow).where(OutboxRow.key == key)).first()
    if row is None:
        return None
    reference = json.loads(row.reference)
    user = reference.get("user") or {}
    return ConversationPlace(
        row.conversation_id,
        row.conversation_kind,
        row.tenant_id,
        user.get("aadObjectId"),
        None,
        reference,
    )


def enqueue_all(session: Session, messages: Iterable[Outgoing], now: datetime) -> int:
    return sum(enqueue(session, message, now) for message in messages)


def claim(
    session: Session,
    owner: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    held: Collection[int] = (),
) -> list[Claimed]:
    """Lease up to `limit` due messages to `owner` in the order they were written (so a retry
    falling due goes before the messages written after it); call in its own transaction.

    `held` are the ids the owner still has in hand: a send slower than its lease must not be
    claimed again by the same worker, which would send it twice (another worker may take it)."""
    busy_elsewhere = (
        select(OutboxRow.conversation_id)
        .where(
            OutboxRow.status == Status.SENDING.value,
            OutboxRow.lease_until >= now,
            OutboxRow.lease_owner != owner,
        )
        .scalar_subquery()
    )
    # A change of a sent message (update, withdrawal) waits in the queue while an earlier
    # change of the same message to the same conversation is claimed or queued: it goes after
    # it, and meanwhile a newer update can still replace it (claimed, it could not be).
    earlier = aliased(OutboxRow)
    changes = (Operation.UPDATE.value, Operation.DELETE.value)
    after_earlier_change = or_(
        OutboxRow.operation.not_in(changes),
        ~select(earlier.id)
        .where(
            earlier.conversation_id == OutboxRow.conversation_id,
            earlier.status.in_([Status.QUEUED.value, Status.SENDING.value]),
            earlier.target_key == OutboxRow.target_key,
            earlier.operation.in_(changes),
            earlier.id < OutboxRow.id,
        )
        .exists(),
    )
    rows = claim_due(
        session,
        OutboxRow,
        owner=(OutboxRow.lease_owner, owner),
        statuses=(Status.QUEUED.value, Status.SENDING.value),
        now=now,
        limit=limit,
        lease=lease,
        order_by=[OutboxRow.id],  # in the order written: a retry before later messages
        where=[
            OutboxRow.conversation_id.not_in(busy_elsewhere),
            after_earlier_change,
            *([OutboxRow.id.not_in(list(held))] if held else []),
        ],
    )
    targets = _sent_activity_ids(session, {r.target_key for r in rows if r.target_key})
    claimed = [
        Claimed(
            id=r.id,
            key=r.key,
            purpose=r.purpose,
            operation=Operation(r.operation),
            conversation_id=r.conversation_id,
            tenant_id=r.tenant_id,
            reference=json.loads(r.reference),
            activity=json.loads(r.activity),
            target_key=r.target_key,
            target_activity_id=targets.get(r.target_key) if r.target_key else None,
            attempts=r.attempts,
        )
        for r in rows
    ]
    return sorted(claimed, key=lambda c: c.id)


def _sent_activity_ids(session: Session, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = session.execute(
        select(OutboxRow.key, OutboxRow.sent_activity_id).where(OutboxRow.key.in_(keys))
    )
    return {key: activity_id for key, activity_id in rows if activity_id}


def _finish(session: Session, message_id: int, owner: str, now: datetime, **values: Any) -> bool:
    """Apply an outcome if `owner` still holds the lease; False if the lease was lost."""
    result = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == message_id,
            OutboxRow.lease_owner == owner,
            OutboxRow.status == Status.SENDING.value,
        )
        .values(updated_at=now, lease_owner=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)  # no rows in the session to bring up to date
    )
    return bool(getattr(result, "rowcount", 0))


def mark_sent(
    session: Session, message_id: int, owner: str, now: datetime, activity_id: str | None
) -> bool:
    return _finish(
        session,
        message_id,
        owner,
        now,
        status=Status.SENT.value,
        sent_at=now,
        sent_activity_id=activity_id,
        sent_by=owner,
        last_error="",
    )


def mark_retry(
    session: Session, message_id: int, owner: str, now: datetime, not_before: datetime, error: str
) -> bool:
    finished = _finish(
        session,
        message_id,
        owner,
        now,
        status=Status.QUEUED.value,
        not_before=not_before,
        last_error=error[:500],
    )
    if finished:
        _supersede_if_newer(session, message_id, now)
    return finished


def release(
    session: Session, message_id: int, owner: str, now: datetime, not_before: datetime
) -> bool:
    """Give a claimed message back unsent (rate limits say later); its attempt is not counted."""
    finished = _finish(
        session,
        message_id,
        owner,
        now,
        status=Status.QUEUED.value,
        not_before=not_before,
        attempts=OutboxRow.attempts - 1,
    )
    if finished:
        _supersede_if_newer(session, message_id, now)
    return finished


def mark_failed(session: Session, message_id: int, owner: str, now: datetime, error: str) -> bool:
    return _finish(
        session, message_id, owner, now, status=Status.FAILED.value, last_error=error[:500]
    )


def mark_dead(session: Session, message_id: int, owner: str, now: datetime, error: str) -> bool:
    return _finish(
        session, message_id, owner, now, status=Status.DEAD.value, last_error=error[:500]
    )


def counts(session: Session) -> dict[Status, int]:
    rows = session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
    found: dict[str, int] = {status: n for status, n in rows}  # noqa: C416 - Row is not a pair to mypy
    return {status: int(found.get(status.value, 0)) for status in Status}


def dead_letters(session: Session, most: int = 10) -> list[DeadLetter]:
    rows = session.scalars(
        select(OutboxRow)
        .where(OutboxRow.status == Status.DEAD.value)
        .order_by(OutboxRow.updated_at.desc())
        .limit(most)
    )
    return [
        DeadLetter(r.key, r.purpose, r.conversation_kind, r.attempts, r.last_error, r.updated_at)
        for r in rows
    ]


def recent_sends(
    session: Session, conversation_ids: Iterable[str], since: datetime
) -> dict[str, list[datetime]]:
    """When messages to these conversations were sent since `since`, to seed a worker's limits
    (a conversation may have been served by another worker, or before a restart)."""
    found: dict[str, list[datetime]] = {}
    rows = session.execute(
        select(OutboxRow.conversation_id, OutboxRow.sent_at)
        .where(OutboxRow.conversation_id.in_(list(conversation_ids)), OutboxRow.sent_at >= since)
        .order_by(OutboxRow.sent_at)
    )
    for conversation_id, sent_at in rows:
        if sent_at is not None:
            found.setdefault(conversation_id, []).append(sent_at)
    return found
