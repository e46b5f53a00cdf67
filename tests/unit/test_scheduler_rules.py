"""Rules to fire times, across the clock changes of 2026 (Europe/London)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cards.views.common import LONDON
from forum_ops.scheduler import Job, cron, once


def fires(rule_after: datetime, count: int, **fields: str | int) -> list[datetime]:
    rule = cron(**fields)  # type: ignore[arg-type]
    found, moment = [], rule_after
    for _ in range(count):
        nxt = rule.next_after(moment)
        assert nxt is not None
        found.append(nxt.astimezone(UTC))
        moment = nxt
    return found


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_nine_on_sundays_is_nine_in_london_on_both_days_the_clocks_change() -> None:
    spring = fires(utc(2026, 3, 28, 12), 2, hour=9, day_of_week="sun")
    autumn = fires(utc(2026, 10, 24, 12), 2, hour=9, day_of_week="sun")
    assert spring == [utc(2026, 3, 29, 8), utc(2026, 4, 5, 8)]  # BST: 09:00 is 08:00 UTC
    assert autumn == [utc(2026, 10, 25, 9), utc(2026, 11, 1, 9)]  # GMT again: 09:00 UTC
    for fire in spring + autumn:
        assert (fire.astimezone(LONDON).hour, fire.astimezone(LONDON).minute) == (9, 0)


def test_half_past_one_on_the_spring_forward_day_fires_once_an_hour_late() -> None:
    """01:30 does not exist on 29 March 2026 (01:00 GMT becomes 02:00 BST)."""
    days = fires(utc(2026, 3, 27, 12), 3, hour=1, minute=30)
    assert days == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    assert days[1].astimezone(LONDON).strftime("%H:%M %Z") == "02:30 BST"


def test_half_past_one_on_the_autumn_day_fires_once_though_the_hour_comes_twice() -> None:
    days = fires(utc(2026, 10, 24, 12), 2, hour=1, minute=30)
    assert days == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    assert days[0].astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"


def test_an_hourly_rule_fires_in_both_passes_of_the_repeated_hour() -> None:
    hours = fires(utc(2026, 10, 24, 23, 30), 4, minute=0)
    assert hours == [utc(2026, 10, 25, h) for h in range(4)]
    assert [h.astimezone(LONDON).strftime("%H %Z") for h in hours] == [
        "01 BST",
        "01 GMT",
        "02 GMT",
        "03 GMT",
    ]


def test_the_latest_fire_time_in_a_long_gap_is_found() -> None:
    rule = cron(hour=9, day_of_week="sun")
    since = utc(2026, 1, 1)
    assert rule.last_at_or_before(utc(2026, 11, 30, 2), after=since) == utc(2026, 11, 29, 9)
    assert rule.last_at_or_before(utc(2026, 1, 4, 8, 59), after=since) is None
    assert rule.last_at_or_before(utc(2026, 11, 30), after=utc(2026, 11, 29, 9)) is None


def test_a_one_off_fires_once_at_its_moment() -> None:
    at = datetime(2026, 12, 3, 18, 30, tzinfo=LONDON)
    rule = once(at)
    assert rule.next_after(at - timedelta(seconds=1)) == at
    assert rule.next_after(at) is None
    assert rule.last_at_or_before(at + timedelta(days=3), after=at - timedelta(days=1)) == at


def test_rules_refuse_naive_moments_and_jobs_refuse_ambiguous_names() -> None:
    with pytest.raises(ValueError, match="aware"):
        once(datetime(2026, 12, 3, 18, 30))  # noqa: DTZ001 - the mistake under test
    with pytest.raises(ValueError, match="name"):
        Job("agenda@weekly", cron(), lambda session, run: None)
