"""Working days in England, on the weeks with bank holidays and around the clock changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cards.views.common import LONDON
from forum_ops.working_days import (
    add_working_days,
    after_working_days,
    bank_holiday,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 1, 5), 2, date(2026, 1, 7)),  # Monday -> Wednesday
        (date(2026, 1, 9), 2, date(2026, 1, 13)),  # Friday -> Tuesday
        (date(2026, 1, 10), 1, date(2026, 1, 12)),  # Saturday -> Monday
        (date(2026, 4, 2), 2, date(2026, 4, 8)),  # Thursday before Easter: Good Friday, Monday off
        (date(2026, 12, 24), 2, date(2026, 12, 30)),  # Christmas, Boxing Day observed on the 28th
        (date(2026, 5, 29), -3, date(2026, 5, 26)),  # three before a Friday: Spring bank holiday
    ],
)
def test_working_days_skip_weekends_and_england_s_bank_holidays(
    start: date, days: int, expected: date
) -> None:
    assert add_working_days(start, days) == expected


def test_bank_holidays_are_named_and_are_not_working_days() -> None:
    assert bank_holiday(date(2026, 8, 31)) == "Late Summer Bank Holiday"
    assert bank_holiday(date(2026, 3, 17)) is None  # St Patrick's Day: Northern Ireland only
    assert not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_a_deadline_keeps_its_wall_clock_time_across_the_clock_change() -> None:
    friday = datetime(2026, 10, 23, 15, 0, tzinfo=LONDON)  # BST; clocks go back on the 25th
    due = after_working_days(friday, 2)
    assert (due.date(), due.hour) == (date(2026, 10, 27), 15)
    assert due.utcoffset() == timedelta(0)  # GMT by then


def test_working_days_between_counts_after_the_start_up_to_the_end() -> None:
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 8)) == 2
    assert working_days_between(date(2026, 4, 8), date(2026, 4, 2)) == 0
