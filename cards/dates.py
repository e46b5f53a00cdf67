"""Dates as cards write them; they live in cards/format.py with the other formats."""

from cards.format import LONDON, british_date, british_datetime

__all__ = ["LONDON", "british_date", "british_datetime"]
