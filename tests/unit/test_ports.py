"""The ports' values and the in-memory fakes that unit tests of services use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cards import render_card
from cards.views.common import LONDON, ReportView
from forum_ops.errors import NotReachable
from forum_ops.ports import Delivery, Meeting
from tests.support.fakes import FakeCalendar, FakeChartStore, FakeClock, FakeMessenger

CARD = render_card(
    "report",
    ReportView(title="Agenda", subtitle="22 January", tables=(), link_title="", link_url=""),
)


def meeting(**changes: object) -> Meeting:
    values: dict[str, object] = {
        "subject": "Pan-London SEND Commissioning Forum",
        "start": datetime(2026, 3, 29, 9, 0, tzinfo=LONDON),
        "end": datetime(2026, 3, 29, 11, 0, tzinfo=LONDON),
        "invitees": ("priya@camden.example", "sam@liia.example"),
        "body": "Agenda to follow",
    }
    return Meeting(**(values | changes))  # type: ignore[arg-type]


def test_a_meeting_needs_aware_times_in_order_and_a_subject() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting(start=datetime(2026, 3, 29, 9, 0))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="end after it starts"):
        meeting(end=datetime(2026, 3, 29, 9, 0, tzinfo=LONDON))
    with pytest.raises(ValueError, match="subject"):
        meeting(subject="  ")


def test_a_meeting_given_in_utc_is_shown_in_london_time() -> None:
    summer = meeting(
        start=datetime(2026, 6, 4, 8, 0, tzinfo=UTC), end=datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    )
    assert summer.london_start.hour == 9  # BST
    assert summer.london_start.utcoffset() == timedelta(hours=1)


def test_the_fake_clock_stands_still_until_moved() -> None:
    clock = FakeClock(datetime(2026, 1, 22, 10, 0, tzinfo=UTC))
    first = clock.now()
    assert clock.now() == first
    clock.advance(timedelta(minutes=5))
    assert clock.now() - first == timedelta(minutes=5)
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 1, 22))  # noqa: DTZ001 - the point of the test


def test_the_fake_messenger_keeps_one_message_per_key_and_follows_updates() -> None:
    messenger = FakeMessenger(members={"aad-1"})
    key = messenger.to_member("aad-1", CARD, Delivery("agenda:2026-01-22:aad-1", "agenda"))
    again = messenger.to_member("aad-1", CARD, Delivery("agenda:2026-01-22:aad-1", "agenda"))
    messenger.update(key, CARD, Delivery("agenda:2026-01-22:aad-1:v2", "agenda"))
    messenger.withdraw(key, Delivery("agenda:2026-01-22:aad-1:gone", "agenda"))

    assert key == again == "agenda:2026-01-22:aad-1"
    assert [(s.operation, s.to) for s in messenger.sent] == [
        ("send", "member:aad-1"),
        ("update", "member:aad-1"),
        ("withdraw", "member:aad-1"),
    ]
    assert messenger.by_key(key).content == CARD.content
    assert messenger.by_key(key).fallback.startswith("Agenda")


def test_the_fake_messenger_refuses_who_it_cannot_reach() -> None:
    messenger = FakeMessenger(channel=False)
    with pytest.raises(NotReachable):
        messenger.to_member("aad-unknown", CARD, Delivery("k1", "agenda"))
    with pytest.raises(NotReachable):
        messenger.to_channel(CARD, Delivery("k2", "agenda"))
    with pytest.raises(NotReachable):
        messenger.to_conversation("19:nowhere", CARD, Delivery("k3", "agenda"))
    with pytest.raises(NotReachable):
        messenger.update("never-sent", CARD, Delivery("k4", "agenda"))
    assert messenger.sent == []


def test_a_delivery_needs_a_key_and_a_purpose() -> None:
    with pytest.raises(ValueError, match="key and a purpose"):
        Delivery("", "agenda")


async def test_the_fake_calendar_books_moves_and_cancels() -> None:
    calendar = FakeCalendar()
    booked = await calendar.create(meeting())
    later = meeting(
        start=datetime(2026, 3, 29, 10, 0, tzinfo=LONDON),
        end=datetime(2026, 3, 29, 12, 0, tzinfo=LONDON),
    )
    moved = await calendar.move(booked.event_id, later)
    await calendar.cancel(booked.event_id, "Moved to April")

    assert moved.event_id == booked.event_id
    assert booked.join_url
    assert calendar.bookings[booked.event_id].meeting == later
    assert calendar.bookings[booked.event_id].cancelled == "Moved to April"
    with pytest.raises(KeyError):
        await calendar.move(booked.event_id, later)  # a cancelled meeting stays cancelled


def test_the_fake_chart_store_keeps_each_picture_once_under_one_url() -> None:
    charts = FakeChartStore()
    png, other = b"\x89PNG\r\n\x1a\n....", b"\x89PNG\r\n\x1a\n,,,,"
    first, again = charts.store("top10:202:2025-26", png), charts.store("top10:202:2025-26", png)
    changed = charts.store("top10:202:2025-26", other)
    assert first == again != changed
    assert charts.charts == {first: png, changed: other}
    assert charts.keys == ["top10:202:2025-26"] * 3
    with pytest.raises(ValueError, match="PNG"):
        charts.store("bad", b"GIF89a")
