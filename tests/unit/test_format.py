"""cards/format.py: how every card writes money, shares, ordinals, counts and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cards.format import british_date, british_datetime, count, ordinal, pence, percent, pounds


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (48250.4, "£48,250"),
        (2.5, "£3"),  # half up, as people round money (not to even)
        (1234.5, "£1,235"),
        (0, "£0"),
        (999.99, "£1,000"),
        (-1234.4, "-£1,234"),
        (1_250_000, "£1,250,000"),
    ],
)
def test_pounds_are_whole_with_thousands(value: float, shown: str) -> None:
    assert pounds(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(48250.4, "£48,250.40"), (2.675, "£2.68"), (0.005, "£0.01"), (1234, "£1,234.00")],
)
def test_pence_are_exact_to_the_penny(value: float, shown: str) -> None:
    assert pence(value) == shown


def test_percent_to_one_place_signed_when_asked() -> None:
    assert percent(0.1234) == "12.3\u00a0%"  # a no-break space: "%" never starts a line
    assert percent(0.108, signed=True) == "+10.8\u00a0%"
    assert percent(-0.05, signed=True) == "-5.0\u00a0%"
    assert percent(1) == "100.0\u00a0%"


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (33, "33rd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinals(n: int, shown: str) -> None:
    assert ordinal(n) == shown


def test_counts_have_thousands_separators_and_no_decimals() -> None:
    assert count(99116) == "99,116"
    assert count(99116.4) == "99,116"
    assert count(7) == "7"


def test_british_dates() -> None:
    assert british_date(date(2026, 1, 22)) == "Thursday 22 January 2026"
    assert british_date(date(2026, 3, 1)) == "Sunday 1 March 2026"  # no leading zero


def test_british_datetime_is_in_london_time_across_the_clock_change() -> None:
    assert british_datetime(datetime(2026, 1, 22, 10, 0, tzinfo=UTC)) == (
        "Thursday 22 January 2026, 10:00"
    )
    assert british_datetime(datetime(2026, 7, 2, 9, 0, tzinfo=UTC)) == (
        "Thursday 2 July 2026, 10:00"  # BST
    )


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        british_datetime(datetime(2026, 1, 22, 10, 0))  # noqa: DTZ001 - naive on purpose


def test_cards_dates_still_offers_the_date_formats() -> None:
    from cards import dates

    assert dates.british_datetime is british_datetime
