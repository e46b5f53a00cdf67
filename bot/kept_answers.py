"""A command's answer given again, without reading the database, while nothing it was read
from has changed: the same command and words, from the same member (who holds their borough
and roles, so no answer crosses from one viewer to another), in the same kind of conversation,
within the same minute (answers that speak of "now" stay right to the minute).

What an answer read is noted as it runs (forum_ops/db/versions.reading), with the tables'
versions the turn started with; a later turn gets it only if each of those tables still has
that version. An answer that changed something (an `ask`, a supplier look-up counted), read
bookkeeping (the outbox) or offers a file is never kept. Every process keeps its own; the
versions are the database's, so a change on another replica is seen at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cards import Card
from forum_ops.db.versions import Reads
from forum_ops.members.model import Member

KEPT_ANSWERS_BUDGET = 1_000_000  # bytes of card JSON, as cards/render.KEPT


@dataclass(frozen=True)
class AnswerKey:
    command: str
    args: str
    member: Member
    conversation_kind: str
    minute: datetime

    @classmethod
    def of(cls, command: str, args: str, member: Member, kind: str, now: datetime) -> AnswerKey:
        return cls(command, args, member, kind, now.replace(second=0, microsecond=0))


@dataclass(frozen=True)
class _Kept:
    card: Card
    read: tuple[tuple[str, int], ...]  # each table read, and its version then
    size: int


class KeptAnswers:
    """The answers given last, least recently used dropped first, up to `budget` bytes."""

    def __init__(self, budget: int = KEPT_ANSWERS_BUDGET) -> None:
        self.budget, self.held = budget, 0
        self._kept: OrderedDict[AnswerKey, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: AnswerKey, versions: Mapping[str, int]) -> Card | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and all(versions.get(t, 0) == v for t, v in kept.read):
                self._kept.move_to_end(key)
                return kept.card
            return None

    def keep(self, key: AnswerKey, card: Card, reads: Reads, versions: Mapping[str, int]) -> None:
        """Keep `card` as the answer to `key` if it may be given again (see the module)."""
        if not reads.keepable or card.files:
            return
        size = card.size
        if size > self.budget:
            return
        kept = _Kept(card, tuple((t, versions.get(t, 0)) for t in sorted(reads.tables)), size)
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self.held -= old.size
            self._kept[key] = kept
            self.held += size
            while self.held > self.budget:
                _, dropped = self._kept.popitem(last=False)
                self.held -= dropped.size

    def __len__(self) -> int:
        return len(self._kept)
