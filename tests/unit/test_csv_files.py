"""The one loop every CSV import shares: a file is checked whole and refused whole."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from forum_ops.csv_files import Checked, CsvFile
from forum_ops.errors import ImportRejected, Problem


def check(value: Mapping[str, str]) -> Checked[tuple[str, int]]:
    if not value["count"].isdigit():
        return None, [Problem(0, "count", "is not a whole number")]
    return (value["name"], int(value["count"])), []


FILE = CsvFile(
    "The test file",
    ("name", "count"),
    check,
    allowed=("note",),
    key=lambda value: value["name"].casefold() or None,
    key_column="name",
    most_lines=3,
)


def problems(text: str) -> set[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as refused:
        FILE.read(text)
    return {(p.line, p.column, p.reason) for p in refused.value.problems}


def test_a_clean_file_is_read_with_headers_and_values_tidied() -> None:
    text = "\ufeff Name ,COUNT,note\n a ,1,\nb, 2 ,x\n"
    assert FILE.read(text) == [("a", 1), ("b", 2)]


def test_every_bad_line_is_reported_a_repeat_even_when_it_has_other_faults() -> None:
    text = "name,count\na,1\nA,x\nb,2,extra\n"
    assert problems(text) == {
        (3, "count", "is not a whole number"),
        (3, "name", "repeats line 2"),
        (4, "", "has more fields than the header"),
    }


def test_missing_and_unknown_columns_refuse_the_file_before_any_line() -> None:
    assert problems("name,colour\na,1\n") == {
        (1, "count", "column is missing"),
        (1, "colour", "is not a known column"),
    }


def test_a_file_longer_than_allowed_is_refused() -> None:
    text = "name,count\n" + "".join(f"n{i},{i}\n" for i in range(5))
    assert (5, "", "more than 3 lines") in problems(text)
