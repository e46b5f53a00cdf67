"""How cards write numbers and dates: money, percentages, ordinals, counts and British dates.

pounds(48250.4)          "£48,250"        whole pounds (benchmarks, spend)
pence(48250.4)           "£48,250.40"     exact, where the figure is asked for to the penny
percent(0.1234)          "12.3 %"         a share; percent(0.05, signed=True) "+5.0 %"
ordinal(22)              "22nd"
count(99116)             "99,116"
british_date(day)        "Thursday 22 January 2026"
british_datetime(when)   "Thursday 22 January 2026, 10:00"  (in London time)
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from cards.views.common import LONDON

_PENNY = Decimal("0.01")
_POUND = Decimal(1)


def _money(value: float, step: Decimal) -> str:
    # half up, as people round money (the float's shortest repr, so 2.675 is 2.68, not 2.67)
    exact = Decimal(repr(float(value))).quantize(step, ROUND_HALF_UP)
    sign = "-" if exact < 0 else ""
    return f"{sign}£{abs(exact):,}"


def pounds(value: float) -> str:
    """Whole pounds: '£48,250'."""
    return _money(value, _POUND)


def pence(value: float) -> str:
    """To the penny: '£48,250.40'."""
    return _money(value, _PENNY)


NBSP = "\u00a0"  # a space a line never breaks at: "20.8 %" stays together


def percent(share: float, signed: bool = False) -> str:
    """A share of one as a percentage to one place, with the space the forum's papers use (a
    no-break space, so the % sign never starts a line)."""
    return f"{share * 100:+.1f}{NBSP}%" if signed else f"{share * 100:.1f}{NBSP}%"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, 22nd, 101st, 111th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count(n: float) -> str:
    """A whole number with thousands separators: '99,116'."""
    return f"{n:,.0f}"


def british_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def british_datetime(when: datetime) -> str:
    """In London time, whatever zone `when` is in (naive times are refused)."""
    if when.tzinfo is None:
        raise ValueError("a time to show must be timezone-aware")
    local = when.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"
