"""Errors of the analytics.

AnalyticsError          anything the analytics refuse; the message is safe to show
├── UnexpectedLayout    a file is not in the layout its loader reads (names what is missing)
└── InvalidReturn       an INMSS return with problems; `problems` lists every one
"""

from __future__ import annotations

from dataclasses import dataclass


class AnalyticsError(Exception):
    pass


class UnexpectedLayout(AnalyticsError):
    pass


@dataclass(frozen=True)
class CellProblem:
    """One thing wrong in a return: its line (the spreadsheet row), column heading and why."""

    line: int
    column: str
    reason: str


class InvalidReturn(AnalyticsError):
    def __init__(self, problems: list[CellProblem]) -> None:
        self.problems = problems
        super().__init__(f"the return has {len(problems)} problem(s)")

    def __reduce__(self) -> tuple[type[InvalidReturn], tuple[list[CellProblem]]]:
        return InvalidReturn, (self.problems,)  # pickles whole: raised across processes
