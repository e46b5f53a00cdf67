"""Reading a CSV file people upload or import (members, the directory, the tracker, the plan):
the one loop every importer shares, so they all check a file the same way and say the same.

A file is read whole and checked whole: every bad line is reported, and any problem rejects the
file (ImportRejected), so an import never stops half way. Header names are read without case or
surrounding spaces; values without surrounding spaces (a spreadsheet's stray blanks).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from forum_ops.errors import ImportRejected, Problem

T = TypeVar("T")

# What a line's check gives back: the value read (None if it could not be), and its problems
# (their line is set here: a check sees one line's values, not where they stand)
Checked = tuple[T | None, list[Problem]]


@dataclass(frozen=True)
class CsvFile(Generic[T]):
    """How one kind of file is read: `what` names it in the refusal ("The membership file")."""

    what: str
    required: tuple[str, ...]
    check: Callable[[Mapping[str, str]], Checked[T]]
    allowed: tuple[str, ...] = ()  # when given, any other column is refused
    # what makes a line unique, from its values (None: it has none); two lines with one key: the
    # second is refused, whatever else is wrong with it
    key: Callable[[Mapping[str, str]], Hashable | None] | None = None
    key_column: str = ""
    most_lines: int | None = None

    def read(self, text: str) -> list[T]:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [(name or "").strip().casefold() for name in reader.fieldnames or []]
        problems = [Problem(1, c, "column is missing") for c in self.required if c not in header]
        known = set(self.allowed) | set(self.required)
        if self.allowed:
            problems += [Problem(1, c, "is not a known column") for c in header if c not in known]
        if problems:
            raise ImportRejected(self.what, problems)
        found: list[T] = []
        seen: dict[Hashable, int] = {}
        for line, raw in enumerate(reader, start=2):
            if self.most_lines is not None and line > self.most_lines + 1:
                problems.append(Problem(line, "", f"more than {self.most_lines} lines"))
                break
            if None in raw:
                problems.append(Problem(line, "", "has more fields than the header"))
                continue
            values = {(k or "").strip().casefold(): (v or "").strip() for k, v in raw.items()}
            value, wrong = self.check(values)
            problems += [Problem(line, p.column, p.reason) for p in wrong]
            key = self.key(values) if self.key is not None else None
            if key is not None and key in seen:
                problems.append(Problem(line, self.key_column, f"repeats line {seen[key]}"))
                continue
            if key is not None:
                seen[key] = line
            if value is not None:
                found.append(value)
        if problems:
            raise ImportRejected(self.what, problems)
        return found
