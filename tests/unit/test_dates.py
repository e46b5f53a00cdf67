"""One reading of a typed date for every command (forum_ops/dates.py): what `schedule`, `away
until` and `tor open` each understand is the same, so a member learns it once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.commands.tor.commands import parse_open
from cards.views.common import LONDON
from forum_ops.dates import london_moment, parse_day, split_day_and_time
from forum_ops.errors import BadDate

THURSDAY = date(2026, 1, 8)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("Thursday", THURSDAY),  # a weekday alone: the coming one, today included
        ("friday", date(2026, 1, 9)),
        ("wednesday", date(2026, 1, 14)),
        ("tomorrow", date(2026, 1, 9)),
        ("22 Jan", date(2026, 1, 22)),  # no year: the nearest such day...
        ("20 Nov", date(2025, 11, 20)),  # ...which may have passed
        ("12th June 2027", date(2027, 6, 12)),
        ("12/06/27", date(2027, 6, 12)),
        ("2026-02-06", date(2026, 2, 6)),
        ("Fri 9 Jan 2026", date(2026, 1, 9)),
    ],
)
def test_a_day_is_read_one_way(typed: str, day: date) -> None:
    assert parse_day(typed, THURSDAY) == day


@pytest.mark.parametrize("typed", ["", "someday", "31 Feb 2026", "13/13/2026", "Thursday week"])
def test_what_is_not_a_day_is_refused_in_words(typed: str) -> None:
    with pytest.raises(BadDate, match=r"date|day"):
        parse_day(typed, THURSDAY)


def test_a_time_may_follow_the_day_but_a_year_is_not_a_time() -> None:
    assert split_day_and_time("13 March 2026 16:30", THURSDAY) == (date(2026, 3, 13), time(16, 30))
    assert split_day_and_time("13 March 2026", THURSDAY) == (date(2026, 3, 13), None)


def test_a_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(BadDate, match="clocks go forward"):
        london_moment(date(2026, 3, 29), time(1, 30))


def test_tor_open_reads_its_deadline_as_every_other_date() -> None:
    now = datetime(2026, 1, 8, 12, tzinfo=UTC)
    assert parse_open("open 2", now) == (2, None)
    assert parse_open("open 2 13/02/2026", now) == (2, datetime(2026, 2, 13, 17, tzinfo=LONDON))
    assert parse_open("open version 3 13 Feb 15:00", now) == (
        3,
        datetime(2026, 2, 13, 15, tzinfo=LONDON),
    )
