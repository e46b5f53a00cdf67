"""Dates as cards write them: the British way, in London time ("Thursday 22 January 2026, 10:00")."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def british_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def british_datetime(when: datetime) -> str:
    local = when.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"
