"""The announce and outbox services, with the in-memory clock and messenger (SQLite stands for
the store)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from cards.notices import announced_view, outbox_view
from forum_ops.announcements.service import MAX_ANNOUNCEMENT_CHARS, make_announcement
from forum_ops.db import Database
from forum_ops.errors import ForumError, NotAllowed
from forum_ops.outbox.conversations import ConversationPlace, remember_conversation
from forum_ops.outbox.delivery import delivery_report
from forum_ops.outbox.queue import Status
from tests.conftest import CAMDEN, LIIA, NOW
from tests.support.fakes import FakeClock, FakeMessenger
from tests.support.members import member


@dataclass(frozen=True)
class StandIn:
    """A rendered card (the RenderedCard port's shape)."""

    content: dict[str, Any]
    fallback: str


class Renderer:
    """Stands for the card: records what it was asked to render."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, datetime]] = []

    def announcement(self, text: str, author: object, now: datetime) -> StandIn:
        self.asked.append((text, now))
        return StandIn({"type": "AdaptiveCard", "text": text}, text)


def test_the_secretariat_announces_to_every_member_the_messenger_reaches(
    database: Database,
) -> None:
    with database.transaction() as session:
        remember_conversation(
            session,
            ConversationPlace("a:camden-chat", "personal", "tenant", CAMDEN, None, {}),
            NOW,
        )
    render = Renderer()
    messenger = FakeMessenger(members={CAMDEN}, channel=False)  # no team to open LIIA's chat from
    report = make_announcement(
        database,
        FakeClock(NOW),
        lambda session, now: messenger,
        member(database, LIIA),
        "  The March meeting moves.  ",
        render,
    )
    assert render.asked == [("The March meeting moves.", NOW)]  # trimmed, at the clock's time
    assert (report.channel, report.members, report.opening, report.unreachable) == (False, 1, 0, 1)
    [sent] = messenger.sent
    assert (sent.purpose, sent.to, sent.fallback) == (
        "announce",
        f"member:{CAMDEN}",
        "The March meeting moves.",
    )
    assert sent.key.startswith("announce:")
    assert sent.key.endswith(":a:camden-chat")
    facts = {f.title: f.value for f in announced_view(report).facts}
    assert facts["Members 1:1"] == "1"
    assert facts["Forum channel"].startswith("not known yet")


def test_an_announcement_opens_chats_from_the_channel_and_keys_each_place_once(
    database: Database,
) -> None:
    messenger = FakeMessenger(members={CAMDEN, LIIA}, channel=True)
    report = make_announcement(
        database, FakeClock(NOW), lambda s, n: messenger, member(database, LIIA), "Hi", Renderer()
    )
    assert (report.channel, report.members, report.opening, report.unreachable) == (True, 0, 2, 0)
    [announcement_id] = {s.key.split(":")[1] for s in messenger.sent}
    assert sorted(s.key for s in messenger.sent) == sorted(
        [f"announce:{announcement_id}:channel"]
        + [f"announce:{announcement_id}:open:{aad}" for aad in (CAMDEN, LIIA)]
    )


def test_only_the_secretariat_announces_and_nothing_is_rendered_or_queued(
    database: Database,
) -> None:
    render, messenger = Renderer(), FakeMessenger(members={CAMDEN, LIIA})
    for author, text, refused in (
        (CAMDEN, "Hi", NotAllowed),
        (LIIA, "   ", ForumError),
        (LIIA, "x" * (MAX_ANNOUNCEMENT_CHARS + 1), ForumError),
    ):
        with pytest.raises(refused):
            make_announcement(
                database,
                FakeClock(NOW),
                lambda s, n: messenger,
                member(database, author),
                text,
                render,
            )
    assert render.asked == []
    assert messenger.sent == []
    assert sum(delivery_report(database).counts.values()) == 0


def test_the_delivery_report_lists_every_status(database: Database) -> None:
    report = delivery_report(database)
    assert set(report.counts) == set(Status)
    assert report.dead == ()
    view = outbox_view(report.counts.items(), report.dead)
    assert [f.title for f in view.counts] == [s.value for s in Status]
