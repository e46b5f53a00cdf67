"""Working days in England: Monday to Friday, less the bank holidays of England and Wales.

The bank holidays come from the `holidays` package (its GB/ENG calendar follows the GOV.UK list,
substitute days included), never from a table typed here. Deadlines that say "2 working days"
(an ask nobody answered) or "3 working days before" (a vote's reminder) are counted here.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import holidays


@functools.cache
def _bank_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def bank_holiday(day: date) -> str | None:
    """The bank holiday's name on `day` (England), or None."""
    return _bank_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and bank_holiday(day) is None


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (before it, for negative `days`).
    `start` itself need not be a working day: Saturday plus one working day is Monday."""
    step = timedelta(days=1 if days >= 0 else -1)
    day, left = start, abs(days)
    while left:
        day += step
        left -= is_working_day(day)
    return day


def after_working_days(moment: datetime, days: int) -> datetime:
    """The same wall-clock time `days` working days later: an ask sent on Friday at 15:00 with
    two working days to answer is due on Tuesday at 15:00 (Wednesday after a bank holiday
    Monday). `moment` should be in Europe/London, so the clock changes keep the wall time."""
    return datetime.combine(add_working_days(moment.date(), days), moment.timetz())


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
