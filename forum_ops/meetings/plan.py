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

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cards.views.common import LONDON
from forum_ops.errors import BadDate
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


def london_moment(day: date, at: time) -> datetime:
    """`at` on `day` in London, as an aware datetime; refuses a time the clocks skip."""
    local = datetime.combine(day, at, LONDON)
    if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadDate(
            f"{at:%H:%M} does not exist in London on {day:%A} {day.day} {day:%B %Y}: the "
            "clocks go forward from 01:00 to 02:00 that night. Choose another time."
        )
    return local


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


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_day(text: str, today: date) -> date:
    """A day as people type it: 22 Jan, 22 January 2026, Thursday 22 January 2026, 22/01/2026,
    22/1/26, 2026-01-22, Thursday (the coming one, today included), today, tomorrow.
    Without a year, the date nearest to today."""
    words = " ".join(text.casefold().replace(",", " ").split())
    if not words:
        raise BadDate("Say which day, for example 22 Jan or 22/01/2026.")
    if words in ("today", "tomorrow"):
        return today + timedelta(days=words == "tomorrow")
    if words in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS.index(words) - today.weekday()) % 7)
    first, _, rest = words.partition(" ")
    if first.rstrip(".") in _WEEKDAYS or first.rstrip(".") in {w[:3] for w in _WEEKDAYS}:
        words = rest  # "Thursday 22 January 2026": the date says which Thursday
    try:
        if match := _ISO.match(words):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _NUMERIC.match(words):
            year = match[3]
            return _dated(int(match[1]), int(match[2]), year, today)
        if (match := _WORDS.match(words)) and match[2] in _MONTHS:
            return _dated(int(match[1]), _MONTHS[match[2]], match[3], today)
    except ValueError:
        pass
    raise BadDate(
        f"I can't read {text.strip()[:40]!r} as a date: try 22 Jan, 22/01/2026 or Thursday."
    )


def _dated(day: int, month: int, year: str | None, today: date) -> date:
    if year is not None:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    candidates = []
    for y in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(y, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda d: abs(d - today))


def parse_time(text: str) -> time:
    """10:00, 10.30, 10am, 2:30pm, 14:30."""
    match = _TIME.match(text.strip().casefold())
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if match[3] == "pm" and hour < 12:
            hour += 12
        elif match[3] == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise BadDate(f"I can't read {text.strip()[:20]!r} as a time: try 10:00 or 2:30pm.")


def split_day_and_time(text: str, today: date) -> tuple[date, time | None]:
    """`schedule 22 Jan 2026 10:30`: the day, and the time if the last word is one."""
    words = text.split()
    if len(words) > 1:
        try:
            at = parse_time(words[-1])
        except BadDate:
            pass
        else:
            if not words[-1].isdigit():  # "22 Jan 2026" ends with a year, not a time
                return parse_day(" ".join(words[:-1]), today), at
    return parse_day(text, today), None
