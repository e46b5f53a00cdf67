"""The announce and outbox services, with the in-memory clock (SQLite stands for the store)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from cards.notices import announced_view, outbox_view
from forum_ops.announcements import make_announcement
from forum_ops.conversations import ConversationPlace, remember_conversation
from forum_ops.db import Database
from forum_ops.delivery import delivery_report
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.members import find_member
from forum_ops.model import Member
from forum_ops.outbox import Status
from tests.conftest import CAMDEN, LIIA, NOW
from tests.fakes import FakeClock


def member(db: Database, aad: str) -> Member:
    with db.transaction() as session:
        found = find_member(session, aad)
    assert found is not None
    return found


class Renderer:
    """Stands for the card: records what it was asked to render."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, datetime]] = []

    def __call__(self, text: str, now: datetime) -> dict[str, Any]:
        self.asked.append((text, now))
        return {"type": "message", "text": text}


def test_the_secretariat_announces_to_every_member_it_can_reach(database: Database) -> None:
    with database.transaction() as session:
        remember_conversation(
            session,
            ConversationPlace("a:camden-chat", "personal", "tenant", CAMDEN, None, {}),
            NOW,
        )
    render = Renderer()
    report = make_announcement(
        database, FakeClock(NOW), member(database, LIIA), "  The March meeting moves.  ", "", render
    )
    assert render.asked == [("The March meeting moves.", NOW)]  # trimmed, at the clock's time
    assert (report.channel, report.members, report.unreachable) == (False, 1, 1)
    assert delivery_report(database).counts[Status.QUEUED] == 1
    facts = {f.title: f.value for f in announced_view(report).facts}
    assert facts["Members 1:1"] == "1"
    assert facts["Forum channel"].startswith("not known yet")


def test_only_the_secretariat_announces_and_nothing_is_rendered_or_queued(
    database: Database,
) -> None:
    render = Renderer()
    with pytest.raises(NotAllowed):
        make_announcement(database, FakeClock(NOW), member(database, CAMDEN), "Hi", "", render)
    with pytest.raises(ForumError, match="Say what to announce"):
        make_announcement(database, FakeClock(NOW), member(database, LIIA), "   ", "", render)
    assert render.asked == []
    assert sum(delivery_report(database).counts.values()) == 0


def test_the_delivery_report_lists_every_status(database: Database) -> None:
    report = delivery_report(database)
    assert set(report.counts) == set(Status)
    assert report.dead == ()
    view = outbox_view(report.counts.items(), report.dead)
    assert [f.title for f in view.counts] == [s.value for s in Status]
