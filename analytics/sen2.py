"""DfE "Education, health and care plans" (SEN2) statistics: the forum's standing SEND Data item.

Loaders read the published CSVs (caseload by placement type; primary need by placement type),
tolerant of DfE's symbols (x unavailable, z not applicable, c confidential, u low reliability) and
of later releases that add columns or years. Everything else is a pure function over the loaded
frames. London and England figures are the published rows; a sub-region or inner/outer London is
the sum of its boroughs' rows. Shares are computed from unrounded counts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.errors import UnexpectedLayout

SYMBOLS = ("x", "z", "c", "u", "low", ":")
KEYS = ("time_period", "geographic_level", "region_name", "old_la_code", "la_name")
CASELOAD_COLUMNS = (
    *KEYS,
    "breakdown_topic",
    "ehcplans",
    "mainstream_total",
    "special_la_maintained",
    "special_academy_free",
    "special_independent",
    "special_non_maintained",
    "special_total",
    "fe_total",
)
UNIT_COLUMNS = tuple(
    f"mainstream_{kind}_{unit}"
    for kind in ("la_maintained", "academy", "free_school")
    for unit in ("resourced_provision", "senunit")
)
NEEDS_COLUMNS = (*KEYS, "breakdown_topic", "breakdown", "ehc_plans")
NEED_CODES = ("ASD", "HI", "MLD", "MSI", "OTH", "PD", "PMLD", "SEMH", "SLCN", "SLD", "SPLD", "VI")
PLACEMENTS = (
    "mainstream",
    "mainstream with SEN unit or resourced provision",
    "state-funded special",
    "independent special",
    "non-maintained special",
    "further education",
    "other",
)
LONDON, ENGLAND = "London", "England"


@dataclass(frozen=True)
class Area:
    """Where figures are about: one borough (LA code), a group of boroughs, London or England."""

    name: str
    la_codes: tuple[str, ...] = ()  # empty: a published regional or national row

    @staticmethod
    def london() -> Area:
        return Area(LONDON)

    @staticmethod
    def england() -> Area:
        return Area(ENGLAND)


def _read(source: Path | str, required: Iterable[str], what: str, name: str = "") -> pd.DataFrame:
    """A CSV from a path, or from text already read (`name` says which file it was)."""
    name = name or (source.name if isinstance(source, Path) else "the file")
    try:
        if isinstance(source, Path):
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            text = io.StringIO(source.lstrip("\ufeff"))
            frame = pd.read_csv(text, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise UnexpectedLayout(f"{name} is not a readable CSV file: {error}") from error
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise UnexpectedLayout(f"{name} is not the DfE {what} file: missing {', '.join(missing)}")
    return frame


def _numbers(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for column in columns:
        text = frame[column].str.strip()
        frame[column] = pd.to_numeric(text.where(~text.isin(SYMBOLS)), errors="coerce")
    return frame


def load_caseload(source: Path | str, name: str = "") -> pd.DataFrame:
    """The caseload file (`caseload.csv`): EHC plans by placement type, every area and year."""
    frame = _read(source, CASELOAD_COLUMNS, "EHC plan caseload", name)
    frame = frame[frame["breakdown_topic"] == "All EHC plans"].copy()
    counts = [
        c
        for c in frame.columns
        if c not in KEYS
        and not c.endswith("_pc")
        and c
        not in (
            "time_identifier",
            "country_code",
            "country_name",
            "region_code",
            "new_la_code",
            "breakdown_topic",
            "breakdown",
        )
    ]
    return _numbers(frame, counts).reset_index(drop=True)


def load_needs(source: Path | str, name: str = "") -> pd.DataFrame:
    """The primary-need file (`sen_needs_all_plans.csv`): plans by primary need and placement."""
    required = (*NEEDS_COLUMNS, *(f"number_{c.lower()}" for c in NEED_CODES))
    frame = _read(source, required, "primary need", name)
    counts = ["ehc_plans", *(c for c in frame.columns if c.startswith("number_"))]
    return _numbers(frame.copy(), counts).reset_index(drop=True)


def years(caseload: pd.DataFrame) -> list[str]:
    return sorted(caseload["time_period"].unique())


def year_label(time_period: str) -> str:
    """`202425` -> `January 2025` (SEN2 counts plans on the January census day)."""
    return f"January {time_period[:2]}{time_period[4:]}"


def _rows(frame: pd.DataFrame, area: Area) -> pd.DataFrame:
    if area.la_codes:
        return frame[
            (frame["geographic_level"] == "Local authority")
            & frame["old_la_code"].isin(area.la_codes)
        ]
    if area.name == ENGLAND:
        return frame[frame["geographic_level"] == "National"]
    return frame[(frame["geographic_level"] == "Regional") & (frame["region_name"] == area.name)]


def plans_over_time(caseload: pd.DataFrame, area: Area) -> pd.Series:
    """EHC plans in each January, oldest first."""
    rows = _rows(caseload, area)
    return rows.groupby("time_period")["ehcplans"].sum(min_count=1).sort_index().rename(area.name)


def growth(series: pd.Series) -> pd.Series:
    """Year-on-year change as a fraction (0.06 = 6 % more plans than the January before)."""
    return series.pct_change().dropna()


def placement_mix(caseload: pd.DataFrame, area: Area, time_period: str) -> pd.DataFrame:
    """Plans by kind of placement: `count` and `share` (of all plans, from unrounded counts)."""
    rows = _rows(caseload, area)
    row = rows[rows["time_period"] == time_period].sum(numeric_only=True, min_count=1)
    units = sum(row.get(c, 0) or 0 for c in UNIT_COLUMNS if c in row.index)
    counts = {
        "mainstream": row["mainstream_total"] - units,
        "mainstream with SEN unit or resourced provision": units,
        "state-funded special": row["special_la_maintained"] + row["special_academy_free"],
        "independent special": row["special_independent"],
        "non-maintained special": row["special_non_maintained"],
        "further education": row["fe_total"],
    }
    counts["other"] = row["ehcplans"] - sum(counts.values())
    frame = pd.DataFrame({"count": pd.Series(counts)})
    frame["share"] = frame["count"] / row["ehcplans"]
    return frame


def need_mix(needs: pd.DataFrame, area: Area, breakdown: str = "All EHC plans") -> pd.DataFrame:
    """Plans by primary need (for one kind of placement, or all): `count` and `share`, largest first."""
    rows = _rows(needs, area)
    rows = rows[rows["breakdown"] == breakdown]
    totals = rows.sum(numeric_only=True, min_count=1)
    counts = pd.Series(
        {code: totals.get(f"number_{code.lower()}") for code in NEED_CODES}, dtype=float
    )
    frame = pd.DataFrame({"count": counts.dropna()})
    frame["share"] = frame["count"] / totals["ehc_plans"]
    return frame.sort_values("count", ascending=False)


def rank_in_london(caseload: pd.DataFrame, la_code: str, time_period: str) -> tuple[int, int]:
    """The borough's place among London's authorities by number of plans (1 = most), of how many."""
    rows = caseload[
        (caseload["geographic_level"] == "Local authority")
        & (caseload["region_name"] == LONDON)
        & (caseload["time_period"] == time_period)
    ]
    ranked = rows.sort_values("ehcplans", ascending=False)["old_la_code"].tolist()
    return ranked.index(la_code) + 1, len(ranked)


@dataclass(frozen=True)
class Headline:
    """The figures a SEND Data card leads with, for an area against a comparator."""

    area: str
    comparator: str
    latest: str  # time period, e.g. 202425
    plans: float
    growth: float  # on the January before
    comparator_growth: float
    growth_since_first: float
    first: str
    independent_share: float
    comparator_independent_share: float
    top_needs: tuple[tuple[str, float], ...]  # (need code, share), largest first
    rank: tuple[int, int] | None  # within London, for a borough


def headline(
    caseload: pd.DataFrame, needs: pd.DataFrame | None, area: Area, comparator: Area
) -> Headline:
    periods = years(caseload)
    latest, first = periods[-1], periods[0]
    plans, other = plans_over_time(caseload, area), plans_over_time(caseload, comparator)
    top: tuple[tuple[str, float], ...] = ()
    if needs is not None:
        mix = need_mix(needs, area)
        top = tuple((str(code), float(share)) for code, share in mix["share"].head(3).items())
    rank = rank_in_london(caseload, area.la_codes[0], latest) if len(area.la_codes) == 1 else None
    return Headline(
        area=area.name,
        comparator=comparator.name,
        latest=latest,
        plans=float(plans[latest]),
        growth=float(growth(plans)[latest]),
        comparator_growth=float(growth(other)[latest]),
        growth_since_first=float(plans[latest] / plans[first] - 1),
        first=first,
        independent_share=_independent_share(caseload, area, latest),
        comparator_independent_share=_independent_share(caseload, comparator, latest),
        top_needs=top,
        rank=rank,
    )


def _independent_share(caseload: pd.DataFrame, area: Area, time_period: str) -> float:
    shares: pd.Series = placement_mix(caseload, area, time_period)["share"]
    return float(shares["independent special"])


def inmss_pupils(caseload: pd.DataFrame, la_code: str) -> tuple[str, float] | None:
    """The borough's latest January count of EHC plans in independent and non-maintained special
    schools, with its time period; None when SEN2 has no such row for it."""
    rows = _rows(caseload, Area(la_code, (la_code,)))
    if rows.empty:
        return None
    latest = max(years(rows))
    row = rows[rows["time_period"] == latest]
    count = row["special_independent"].sum(min_count=1) + row["special_non_maintained"].sum(
        min_count=1
    )
    return (latest, float(count)) if pd.notna(count) else None
