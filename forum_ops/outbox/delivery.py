"""The `outbox` command's service: how message delivery stands, in one read-only unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from forum_ops.db import Database
from forum_ops.outbox.queue import DeadLetter, Status, counts, dead_letters


@dataclass(frozen=True)
class DeliveryReport:
    counts: dict[Status, int]  # every status, in the outbox's order
    dead: tuple[DeadLetter, ...]  # the latest messages that could not be delivered


def delivery_report(db: Database) -> DeliveryReport:
    with db.transaction() as session:
        return DeliveryReport(counts(session), tuple(dead_letters(session)))
