"""Calendar quarters, as the forum reports to the ALDCS SEND Steering Group: "2026Q1" is
January to March 2026. Pure: no storage, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_QUARTER = re.compile(r"^\s*(20\d\d)\s*[-/ ]?\s*q([1-4])\s*$", re.IGNORECASE)
_ALT = re.compile(r"^\s*q([1-4])\s*[-/ ]?\s*(20\d\d)\s*$", re.IGNORECASE)
REPORT_DUE_DAY = 28  # the report is due on the 28th of the month after the quarter
PROMPT_DAYS_BEFORE = 14


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @staticmethod
    def parse(text: str) -> Quarter | None:
        """`2026Q1`, `2026-Q1`, `Q1 2026` (any case), or as the cards say it: `January to March
        2026`; None for anything else."""
        if match := _QUARTER.match(text):
            return Quarter(int(match.group(1)), int(match.group(2)))
        if match := _ALT.match(text):
            return Quarter(int(match.group(2)), int(match.group(1)))
        words = " ".join(text.split()).casefold()
        if len(words) < 200 and (year := words[-4:]).isdigit() and year.startswith("20"):
            said = (Quarter(int(year), number) for number in range(1, 5))
            return next((q for q in said if q.title.casefold() == words), None)
        return None

    @staticmethod
    def of(day: date) -> Quarter:
        return Quarter(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next().start

    @property
    def months(self) -> tuple[date, date, date]:
        first = self.start
        return first, date(first.year, first.month + 1, 1), date(first.year, first.month + 2, 1)

    @property
    def title(self) -> str:
        """As people say it: "July to September 2026" (the label is for typing and keys)."""
        return f"{self.start:%B} to {self.end - timedelta(days=1):%B %Y}"

    @property
    def slug(self) -> str:
        """The title in a file name: "July-to-September-2026"."""
        return self.title.replace(" ", "-")

    @property
    def period(self) -> str:
        """The academic year of INMSS returns the quarter reports on (its first month's)."""
        start = self.year if self.start.month >= 9 else self.year - 1
        return f"{start}-{(start + 1) % 100:02d}"

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def due(self) -> date:
        """When the report on this quarter is due: the 28th of the month after it."""
        return self.end.replace(day=REPORT_DUE_DAY)

    @property
    def prompt_on(self) -> date:
        return self.due - timedelta(days=PROMPT_DAYS_BEFORE)
