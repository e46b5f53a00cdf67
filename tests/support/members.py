"""Members as the registry holds them, for tests that call services directly."""

from __future__ import annotations

from forum_ops.db import Database
from forum_ops.members.model import Member
from forum_ops.members.registry import find_member


def member(db: Database, aad: str) -> Member:
    with db.transaction() as session:
        found = find_member(session, aad)
    assert found is not None
    return found
