"""The forward plan as values, storage-free: the Year 1 plan of SPEC section 2, the 8-week
cadence and its warnings, dates and times as people type them (forum_ops/meetings/service.py
keeps meetings in the database; what a meeting looks like to the cards is in
cards/views/meetings.py).

Times are wall-clock Europe/London: a meeting "at 10:00" is at 10:00 in London on its day,
whether that day is in GMT or BST. A time that does not exist in London (01:30 on the last
Sunday of March) is refused with the reason; one that happens twice (01:30 on the last Sunday
of October) is its first passing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from forum_ops.working_days import bank_holiday

MEETING_MINUTES = 90
DEFAULT_START = time(10, 0)
CADENCE = timedelta(weeks=8)
MAX_THEME_CHARS = 500


@dataclass(frozen=True)
class PlannedMeeting:
    day: date
    theme: str
    start: time = DEFAULT_START


# SPEC section 2: the Year 1 forward plan from the draft Terms of Reference.
YEAR_ONE: tuple[PlannedMeeting, ...] = (
    PlannedMeeting(date(2025, 11, 20), "Launch; priorities; ratify the Terms of Reference"),
    PlannedMeeting(date(2026, 1, 22), "INMSS Top-10 pilot and cost drivers"),
    PlannedMeeting(
        date(2026, 3, 19),
        "Data sharing agreements; sub-regional training needs; joint commissioning opportunities",
    ),
    PlannedMeeting(
        date(2026, 5, 14),
        "Regional commissioning; cross-borough (reciprocal) arrangements; Year 2 forward plan",
    ),
    PlannedMeeting(date(2026, 7, 9), ""),  # "To be decided" in the plan: no theme yet
)
STANDING_ITEMS = ("SEND Data", "Useful Commissioning Takeaway")  # every meeting after the first


# What people (and the plan, and rows written before this) type for "no theme yet": a meeting
# without a theme has the theme "", and every card, file and report leaves it out.
UNDECIDED_THEMES = frozenset({"to be decided", "to be confirmed", "tbd", "tbc", "tba", "none"})


def theme_or_none(text: str) -> str:
    """The theme as it is kept and shown: "" when there is none yet."""
    theme = " ".join(text.split())
    return "" if theme.casefold().rstrip(".") in UNDECIDED_THEMES else theme


def warnings_for(day: date) -> tuple[str, ...]:
    """Why a meeting day may be a bad choice: on or next to a bank holiday, or in the
    Christmas break (24 December to 1 January), or at a weekend."""
    found: list[str] = []
    for offset, where in ((0, "on"), (-1, "the day after"), (1, "the day before")):
        name = bank_holiday(day + timedelta(days=offset))
        if name:
            found.append(f"{where} a bank holiday ({name})")
    if (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1):
        found.append("in the Christmas break")
    if day.weekday() >= 5:
        found.append("at a weekend")
    return tuple(found)


def off_holidays(day: date) -> date:
    """Where a cadence meeting due on `day` goes: `day` itself when nothing is wrong with it,
    else the same weekday a week earlier (before the holiday, as a forum would), or a week
    later when that is no better, and so on out to 3 weeks; the day itself if none is clean."""
    for weeks in (0, -1, 1, -2, 2, -3, 3):
        moved = day + timedelta(weeks=weeks)
        if not warnings_for(moved):
            return moved
    return day


def cadence_after(last: date, until: date, shift: int = 0) -> list[tuple[date, int]]:
    """The meeting days that follow `last` every 8 weeks, up to `until`, each moved off the
    Christmas break, bank holidays and the days next to them (`off_holidays`), with how many
    days it moved. The rhythm stays: `shift` says how far `last` itself was moved, so the
    next meeting falls 8 weeks after the day it was due, not after the day it moved to."""
    days, due = [], last - timedelta(days=shift) + CADENCE
    while due <= until:
        day = off_holidays(due)
        days.append((day, (day - due).days))
        due += CADENCE
    return days
