"""Dates as cards write them; they live in cards/format.py with the other formats."""

from cards.format import british_date, british_datetime
from cards.views.common import LONDON

__all__ = ["LONDON", "british_date", "british_datetime"]
