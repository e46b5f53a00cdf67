"""Days and times as people in England type them: one parser and one rule for every command
and import that takes a date (`schedule`, `chair`, `agenda`, `away until`, `tor open`, the plan's
CSV).

The rule: a day without a year is the one of that date nearest to today (the meeting of "20 Nov"
was last month, the one of "22 Jan" is next month); a weekday alone is the coming one, today
included ("Thursday" on a Thursday is today); "today" and "tomorrow" mean what they say. A command
that needs a day to come says so when the day read has passed, rather than guessing another
year.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from cards.views.common import LONDON
from forum_ops.errors import BadDate

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


def london_moment(day: date, at: time) -> datetime:
    """`at` on `day` in London, as an aware datetime; refuses a time the clocks skip."""
    local = datetime.combine(day, at, LONDON)
    if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadDate(
            f"{at:%H:%M} does not exist in London on {day:%A} {day.day} {day:%B %Y}: the "
            "clocks go forward from 01:00 to 02:00 that night. Choose another time."
        )
    return local
