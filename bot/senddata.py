"""SEND Data cards: `senddata [borough]` and the standing agenda item, from the stored release."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analytics.charts import trend_chart
from analytics.sen2 import (
    Area,
    Headline,
    headline,
    load_caseload,
    load_needs,
    placement_mix,
    plans_over_time,
    year_label,
)
from bot.services import Services
from cards import Card, render_card
from cards.dates import british_date
from cards.views import Fact, SendDataView
from forum_ops.authorities import resolve_authority
from forum_ops.charts import keep_chart
from forum_ops.db import Database
from forum_ops.model import Member
from forum_ops.ports import ChartStore
from forum_ops.reference import LOCAL_AUTHORITIES, SUBREGIONS
from forum_ops.sen2 import latest_release, release_stamp


@dataclass(frozen=True)
class Sen2Frames:
    caseload: pd.DataFrame
    needs: pd.DataFrame | None
    source: str  # the files and when they were imported


class Sen2Cache:
    """The stored release, parsed once per import (re-read when a newer import is stored)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: datetime | None = None
        self._frames: Sen2Frames | None = None

    def load(self, db: Database) -> Sen2Frames | None:
        with db.transaction() as session:
            stamp = release_stamp(session)
        if stamp is None:
            return None
        with self._lock:
            if stamp != self._stamp:
                with db.transaction() as session:
                    release = latest_release(session)
                assert release is not None
                files = release.caseload.filename + (
                    f", {release.needs.filename}" if release.needs else ""
                )
                self._frames = Sen2Frames(
                    load_caseload(release.caseload.content, release.caseload.filename),
                    load_needs(release.needs.content, release.needs.filename)
                    if release.needs
                    else None,
                    f"DfE, Education, health and care plans ({files}), imported {release.imported_at:%d %B %Y}",
                )
                self._stamp = stamp
            return self._frames


def borough_area(code: str) -> Area:
    la = next(la for la in LOCAL_AUTHORITIES if la.code == code)
    return Area(la.name, (la.code,))


def subregion_area(subregion: str) -> Area:
    return Area(
        f"{subregion} London",
        tuple(la.code for la in LOCAL_AUTHORITIES if la.subregion == subregion),
    )


def choose_area(words: str, member: Member) -> Area:
    """The authority named (as forum_ops.authorities resolves it), else the member's own
    borough, else London. The DfE figures are public: anyone may see any borough's."""
    if not words.strip():
        return borough_area(member.borough) if member.borough else Area.london()
    if words.strip().casefold() == "london":
        return Area.london()
    return borough_area(resolve_authority(words).code)


def _percent(value: float, signed: bool = False) -> str:
    return f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"


def _facts(h: Headline) -> list[Fact]:
    when = year_label(h.latest)
    plans = f"{h.plans:,.0f}" + (
        f", {_ordinal(h.rank[0])} most of {h.rank[1]} London authorities" if h.rank else ""
    )
    facts = [
        Fact(f"EHC plans, {when}", plans),
        Fact(
            "On a year before",
            f"{_percent(h.growth, True)} ({h.comparator} {_percent(h.comparator_growth, True)})",
        ),
        Fact(f"Since {year_label(h.first)}", _percent(h.growth_since_first, True)),
        Fact(
            "In independent special schools",
            f"{_percent(h.independent_share)} of plans ({h.comparator} {_percent(h.comparator_independent_share)})",
        ),
    ]
    if h.top_needs:
        facts.append(
            Fact(
                "Biggest primary needs",
                ", ".join(f"{code} {_percent(share)}" for code, share in h.top_needs),
            )
        )
    return facts


def _placements(frames: Sen2Frames, area: Area, time_period: str) -> Fact:
    mix = placement_mix(frames.caseload, area, time_period)["share"]
    parts = ", ".join(
        f"{kind} {_percent(float(share))}" for kind, share in mix.items() if share >= 0.005
    )
    return Fact("Where children with plans are placed", parts)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@dataclass(frozen=True)
class ChartPublisher:
    """Keeps a chart image and says where the card can load it from: the ChartStore port
    over the chart table (forum_ops/charts.py), served at /charts/<token>.png."""

    db: Database
    public_url: str
    clock: Callable[[], datetime]

    @staticmethod
    def of(services: Services) -> ChartPublisher:
        return ChartPublisher(services.db, services.settings.forum_public_url, services.clock)

    def publish(self, png: bytes) -> str:
        with self.db.transaction() as session:
            token = keep_chart(session, png, self.clock())
        return f"{self.public_url.rstrip('/')}/charts/{token}.png"

    def store(self, key: str, png: bytes) -> str:
        """The ChartStore port (forum_ops.ports): `key` names the chart for the caller; the
        URL is the chart table's unguessable token, so no two stores share one."""
        return self.publish(png)


def _chart(
    charts: ChartPublisher, frames: Sen2Frames, lines: list[Area], title: str
) -> tuple[str, str]:
    series = [plans_over_time(frames.caseload, area) for area in lines]
    labels = [year_label(p).removeprefix("January ") for p in series[0].index]
    url = charts.publish(trend_chart(series, title, labels))
    alt = "; ".join(
        f"{s.name}: {s.dropna().iloc[0]:,.0f} to {s.dropna().iloc[-1]:,.0f} EHC plans"
        for s in series
    )
    return url, alt


def senddata_card(charts: ChartPublisher, frames: Sen2Frames, area: Area) -> Card:
    """A borough against London (or London against England), with its trend chart."""
    comparator = Area.london() if area.name != Area.london().name else Area.england()
    lines = [area]
    if len(area.la_codes) == 1:
        subregion = next(la.subregion for la in LOCAL_AUTHORITIES if la.code == area.la_codes[0])
        lines.append(subregion_area(str(subregion)))
    lines.append(comparator)
    h = headline(frames.caseload, frames.needs, area, comparator)
    url, alt = _chart(
        charts, frames, lines, f"EHC plans in {area.name} since {year_label(h.first)}"
    )
    facts = [*_facts(h), _placements(frames, area, h.latest)]
    if len(lines) == 3:  # a borough: the same figures for its sub-region
        group = headline(frames.caseload, None, lines[1], comparator)
        facts.append(
            Fact(
                group.area,
                f"{group.plans:,.0f} plans, {_percent(group.growth, True)} on a year before, "
                f"{_percent(group.independent_share)} in independent special schools",
            )
        )
    view = SendDataView(
        title=f"SEND Data: {area.name}",
        subtitle=f"EHC plans on the {year_label(h.latest)} census, against {comparator.name}",
        facts=tuple(facts),
        chart_url=url,
        chart_alt=alt,
        source=f"Source: {frames.source}.",
    )
    return render_card("senddata", view)


def send_data_item(charts: ChartPublisher, frames: Sen2Frames, meeting: date) -> Card:
    """The forum's standing 'SEND Data' agenda item for a meeting: London against England,
    and each sub-region's plans and growth."""
    h = headline(frames.caseload, frames.needs, Area.london(), Area.england())
    facts = _facts(h)
    latest = h.latest
    for name in SUBREGIONS:
        series = plans_over_time(frames.caseload, subregion_area(name))
        change = series[latest] / series.iloc[-2] - 1
        facts.append(
            Fact(
                f"{name} London",
                f"{series[latest]:,.0f} plans, {_percent(change, True)} on a year before",
            )
        )
    url, alt = _chart(
        charts, frames, [Area.london(), Area.england()], f"EHC plans since {year_label(h.first)}"
    )
    meeting_day = british_date(meeting)
    view = SendDataView(
        title="SEND Data (standing item)",
        subtitle=f"For the forum's meeting on {meeting_day}: EHC plans on the {year_label(latest)} census",
        facts=tuple(facts),
        chart_url=url,
        chart_alt=alt,
        source=f"Source: {frames.source}.",
    )
    return render_card("senddata", view)


_CHART_STORE: type[ChartStore] = ChartPublisher  # mypy holds the class to the port's shape
