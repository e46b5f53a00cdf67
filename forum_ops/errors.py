"""Errors of the forum's domain.

ForumError                  anything the domain refuses; its message is safe to show a user
├── NotRegistered           the Teams user is not in the membership registry
├── NotAllowed              the user's roles do not permit the action
└── ImportRejected          a file was refused as a whole; `problems` lists every bad line
"""

from __future__ import annotations

from dataclasses import dataclass


class ForumError(Exception):
    """Base class; the message is written for the person who caused it."""


class NotRegistered(ForumError):
    pass


class NotAllowed(ForumError):
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one line of an imported file."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class ImportRejected(ForumError):
    def __init__(self, what: str, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{what} was not imported: {len(problems)} problem(s) found")
