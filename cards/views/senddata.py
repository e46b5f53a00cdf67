"""SEND Data's figures (forum_ops/senddata/figures.py computes them; cards/senddata.py and
cards/agenda.py write them): an area's EHC plans against its comparator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analytics.sen2 import Headline, year_label


@dataclass(frozen=True)
class Line:
    """One line of the trend chart, first and latest year, for the chart's alt text."""

    area: str
    first: float
    latest: float


@dataclass(frozen=True)
class GroupFigures:
    """A sub-region's plans and growth beside a borough's, or in the agenda item."""

    area: str
    plans: float
    growth: float  # on the January before
    independent_share: float | None  # None where not shown


@dataclass(frozen=True)
class SendDataFigures:
    """What a SEND Data card shows: an area's headline against its comparator."""

    headline: Headline
    placements: tuple[tuple[str, float], ...] | None  # (kind, share) shown; None: not shown
    groups: tuple[GroupFigures, ...]
    chart_url: str
    lines: tuple[Line, ...]
    source: str
    meeting: date | None = None  # the agenda item's meeting

    @property
    def census(self) -> str:
        return year_label(self.headline.latest)
