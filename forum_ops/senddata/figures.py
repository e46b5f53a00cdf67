"""The SEND Data figures: an area's EHC plans against its comparator, and the forum's standing
agenda item, from the parsed DfE release (pure: the service in forum_ops/senddata/service.py reads the
release and owns the transaction). Figures, not words: cards/senddata.py writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.charts import trend_chart
from analytics.sen2 import Area, headline, placement_mix, plans_over_time, year_label
from cards.views.senddata import GroupFigures, Line, SendDataFigures
from forum_ops.members.authorities import resolve_authority
from forum_ops.members.model import Member
from forum_ops.members.reference import LOCAL_AUTHORITIES, SUBREGIONS
from forum_ops.ports import ChartStore

SHOWN_PLACEMENT_SHARE = 0.005  # placements under half a per cent are left off the card


@dataclass(frozen=True)
class Sen2Frames:
    caseload: pd.DataFrame
    needs: pd.DataFrame | None
    source: str  # the files and when they were imported


def borough_area(code: str) -> Area:
    la = next(la for la in LOCAL_AUTHORITIES if la.code == code)
    return Area(la.name, (la.code,))


def subregion_area(subregion: str) -> Area:
    return Area(
        f"{subregion} London",
        tuple(la.code for la in LOCAL_AUTHORITIES if la.subregion == subregion),
    )


def choose_area(words: str, member: Member) -> Area:
    """The authority named (as forum_ops.members.authorities resolves it), else the member's own
    borough, else London. The DfE figures are public: anyone may see any borough's."""
    if not words.strip():
        return borough_area(member.borough) if member.borough else Area.london()
    if words.strip().casefold() == "london":
        return Area.london()
    return borough_area(resolve_authority(words).code)


def area_figures(frames: Sen2Frames, area: Area, charts: ChartStore) -> SendDataFigures:
    """`senddata [borough]`: a borough against London and beside its sub-region, or London
    against England."""
    comparator = Area.london() if area.name != Area.london().name else Area.england()
    lines = [area]
    if len(area.la_codes) == 1:
        subregion = next(la.subregion for la in LOCAL_AUTHORITIES if la.code == area.la_codes[0])
        lines.append(subregion_area(str(subregion)))
    lines.append(comparator)
    h = headline(frames.caseload, frames.needs, area, comparator)
    groups: tuple[GroupFigures, ...] = ()
    if len(lines) == 3:  # a borough: the same figures for its sub-region
        group = headline(frames.caseload, None, lines[1], comparator)
        groups = (GroupFigures(group.area, group.plans, group.growth, group.independent_share),)
    mix = placement_mix(frames.caseload, area, h.latest)["share"]
    url, drawn = chart(
        frames,
        lines,
        f"EHC plans in {area.name} since {year_label(h.first)}",
        f"senddata:{','.join(area.la_codes) or area.name}:{h.latest}",
        charts,
    )
    return SendDataFigures(
        headline=h,
        placements=tuple(
            (str(kind), float(share))
            for kind, share in mix.items()
            if share >= SHOWN_PLACEMENT_SHARE
        ),
        groups=groups,
        chart_url=url,
        lines=drawn,
        source=frames.source,
    )


def agenda_figures(frames: Sen2Frames, meeting: date, charts: ChartStore) -> SendDataFigures:
    """The forum's standing 'SEND Data' agenda item for a meeting: London against England,
    and each sub-region's plans and growth."""
    h = headline(frames.caseload, frames.needs, Area.london(), Area.england())
    groups = []
    for name in SUBREGIONS:
        series = plans_over_time(frames.caseload, subregion_area(name))
        change = series[h.latest] / series.iloc[-2] - 1
        groups.append(GroupFigures(f"{name} London", float(series[h.latest]), float(change), None))
    url, drawn = chart(
        frames,
        [Area.london(), Area.england()],
        f"EHC plans since {year_label(h.first)}",
        f"senddata-item:{meeting.isoformat()}",
        charts,
    )
    return SendDataFigures(
        headline=h,
        placements=None,
        groups=tuple(groups),
        chart_url=url,
        lines=drawn,
        source=frames.source,
        meeting=meeting,
    )


def chart(
    frames: Sen2Frames, lines: list[Area], title: str, key: str, charts: ChartStore
) -> tuple[str, tuple[Line, ...]]:
    """The trend chart drawn and kept: its URL, and each line's first and latest figure."""
    series = [plans_over_time(frames.caseload, area) for area in lines]
    labels = [year_label(p).removeprefix("January ") for p in series[0].index]
    url = charts.store(key, trend_chart(series, title, labels))
    drawn = tuple(
        Line(str(s.name), float(s.dropna().iloc[0]), float(s.dropna().iloc[-1])) for s in series
    )
    return url, drawn
