"""Quarters as people say them: "July to September 2026" on cards and in file names, typed back
as well as `2026Q3`."""

from __future__ import annotations

import pytest

from analytics.quarters import Quarter


@pytest.mark.parametrize(
    ("typed", "quarter"),
    [
        ("2026Q3", Quarter(2026, 3)),
        ("q3 2026", Quarter(2026, 3)),
        ("July to September 2026", Quarter(2026, 3)),
        ("  january   TO march 2027 ", Quarter(2027, 1)),
        ("October to December 2026", Quarter(2026, 4)),
        ("July to August 2026", None),  # not a quarter
        ("April to June", None),
        ("x" * 5000 + " 2026", None),
    ],
)
def test_a_quarter_is_typed_as_a_label_or_as_the_cards_say_it(
    typed: str, quarter: Quarter | None
) -> None:
    assert Quarter.parse(typed) == quarter


def test_every_quarter_reads_as_people_say_it_and_parses_back() -> None:
    for number in range(1, 5):
        quarter = Quarter(2026, number)
        assert Quarter.parse(quarter.title) == quarter
        assert "Q" not in quarter.title
    assert Quarter(2026, 3).title == "July to September 2026"
    assert Quarter(2026, 3).slug == "July-to-September-2026"
