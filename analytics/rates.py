"""Rate variation: what the same provider charges different boroughs for the same placement type.

A provider's *fee* (core education fee plus residential care) is compared, since 1:1 staffing
and therapies are the child's package, not the provider's price. `rate_lines` is what a viewer
may see of it (DOMAIN rule 6: boroughs are named only to themselves; the spread is the upper
over the lower quartile of the boroughs' averages, never highest over lowest). `borough_rates`'
premiums against the others' median are for the benchmarks' own checks, never for a card.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analytics.benchmark_filters import Filters
from analytics.disclosure import (
    BLEND_REFUSAL,
    Contributions,
    Rules,
    logged,
    price_refusal,
    quantile,
)


def fees(rows: pd.DataFrame) -> pd.Series:
    """What the provider charges for the place: core education fee plus residential care."""
    return rows["core_fee"] + rows["residential_care"]


def borough_rates(placements: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each borough's average fee per provider and placement type, with how far it sits from
    the median of the other boroughs' averages (`premium`, NaN with fewer than 2 others)."""
    rows = placements[placements["period"] == period]
    rates = (
        rows.assign(fee=fees(rows))
        .groupby(["provider_urn", "placement_type", "borough"])["fee"]
        .agg(average="mean", placements="size")
        .reset_index()
    )
    # the median of the *other* boroughs' averages, for every borough at once: sort each
    # provider-type group, then read the remaining list's middle around the borough's own rank
    rates = rates.sort_values(["provider_urn", "placement_type", "average"], ignore_index=True)
    group = rates.groupby(["provider_urn", "placement_type"], sort=False)
    size = group["average"].transform("size").to_numpy()
    rank = group.cumcount().to_numpy()
    start = np.arange(len(rates)) - rank
    rest = size - 1
    low, high = (rest - 1) // 2, rest // 2
    first = start + low + (low >= rank)
    second = start + high + (high >= rank)
    averages = rates["average"].to_numpy()
    valid = size >= 3
    others_median = np.where(
        valid,
        (averages[np.where(valid, first, 0)] + averages[np.where(valid, second, 0)]) / 2,
        np.nan,
    )
    return rates.assign(others_median=others_median, premium=averages / others_median)


def listed_rate_lines(
    release: pd.DataFrame,
    own: pd.DataFrame | None,
    filters: Filters,
    listed: frozenset[str],
    rules: Rules,
    threshold: float,
) -> list[RateLine]:
    """The rate lines of a filtered benchmark: the lines of the providers its provider table
    lists (`listed`), of the placement types it asks for, each describing ALL that provider's
    placements of the type in the release's period, whatever the need, phase or area: every
    line is the same in every benchmark, so no two answers can be subtracted. `release` and
    `own` are the period's rows (the release's, the viewer's live ones)."""
    if not listed:
        return []  # (rate_lines reads no providers as all of them)
    lines = rate_lines(release, own, rules, threshold, listed)
    kinds = filters.placement_types
    return [x for x in lines if not kinds or x.placement_type in kinds]


def rate_variation(rates: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per provider and placement type (for the secretariat and the benchmarks' own checks, never
    a card): how many boroughs, the spread of the middle half of their average fees (upper
    quartile over lower quartile), and whether it is over the threshold."""
    spread = (
        rates.groupby(["provider_urn", "placement_type"])["average"]
        .agg(boroughs="size", upper=lambda x: x.quantile(0.75), lower=lambda x: x.quantile(0.25))
        .reset_index()
    )
    spread["ratio"] = spread["upper"] / spread["lower"]
    spread["flagged"] = (spread["boroughs"] >= 4) & (spread["ratio"] > threshold)
    return spread


def premium_pairs(rates: pd.DataFrame, threshold: float) -> set[tuple[str, str]]:
    """(provider, borough) pairs whose average fee is at least `threshold` times the median of
    the other boroughs' for the same provider and placement type."""
    flagged = rates[rates["premium"] >= threshold]
    return set(zip(flagged["provider_urn"], flagged["borough"], strict=True))


TOO_FEW = "too few boroughs' placements to compare"
BELOW, MIDDLE, ABOVE = "below the lower quartile", "in the middle half", "above the upper quartile"


@dataclass(frozen=True)
class RateLine:
    """Rate variation for one provider and placement type, as every viewer sees it in a release
    (rule 6: boroughs are named only to themselves; London is a count of boroughs and the middle
    half of their average fees, and the viewer's own live average is placed in its bands, never
    ranked or divided by a borough's)."""

    provider_urn: str
    placement_type: str
    boroughs: int  # boroughs with placements in the release
    refused: str  # why the middle half is not shown; "" when it is
    spread: float | None = None  # upper quartile of the boroughs' averages over the lower
    flagged: bool = False  # spread over the threshold
    own_average: float | None = None  # the viewer's own, live
    band: str = ""  # where own_average sits: BELOW, MIDDLE or ABOVE
    q1: float | None = None  # the middle half of the boroughs' average fees, as published
    q3: float | None = None


def rate_lines(
    release: pd.DataFrame,
    own: pd.DataFrame | None,
    rules: Rules,
    threshold: float,
    providers: frozenset[str] = frozenset(),
) -> list[RateLine]:
    """A period's rate lines: London's from the release's rows, the viewer's own average from
    its live rows `own`; only `providers` when given. The middle half is the blended lower and
    upper quartile of the boroughs' average fees (each blending `min_boroughs` boroughs), shown
    when at least `min_boroughs_spread` boroughs pass the price rules."""
    if providers:
        release = release[release["provider_urn"].isin(list(providers))]
        if own is not None:
            own = own[own["provider_urn"].isin(list(providers))]
    averages = _averages(release)
    mine = (
        _averages(own).set_index(["provider_urn", "placement_type"])["average"]
        if own is not None and len(own)
        else pd.Series(dtype=float)
    )
    across = replace(rules, blend=rules.min_boroughs)  # one value a borough: blend boroughs
    groups: dict[tuple[str, str], np.ndarray] = averages.groupby(  # type: ignore[assignment]
        ["provider_urn", "placement_type"]
    ).indices
    boroughs = averages["borough"].to_numpy()
    values = averages["average"].to_numpy()
    counts = averages["placements"].to_numpy()
    lines: list[RateLine] = []
    reasons: list[str] = []
    for urn, kind in sorted(set(groups) | set(mine.index)):
        index = groups.get((urn, kind), np.array([], dtype=int))
        own_average = float(mine[(urn, kind)]) if (urn, kind) in mine.index else None
        refused = _spread_refusal(boroughs[index], values[index], counts[index], rules)
        q1 = q3 = None
        if not refused:
            q1 = quantile(values[index], boroughs[index], 0.25, across)
            q3 = quantile(values[index], boroughs[index], 0.75, across)
            if q1 is None or q3 is None:
                refused = BLEND_REFUSAL
        reasons.append(refused)
        if refused or q1 is None or q3 is None:
            # one answer for every refusal, and none without the viewer's own placements
            if own_average is not None:
                lines.append(RateLine(str(urn), str(kind), 0, TOO_FEW, own_average=own_average))
            continue
        band = (
            ""
            if own_average is None
            else BELOW
            if own_average < q1
            else ABOVE
            if own_average > q3
            else MIDDLE
        )
        spread = q3 / q1
        lines.append(
            RateLine(
                str(urn), str(kind), len(index), "", spread, spread > threshold, own_average,
                band, q1, q3,
            )
        )  # fmt: skip
    logged("", "rate variation", reasons)
    return lines


def _averages(rows: pd.DataFrame) -> pd.DataFrame:
    """Each borough's average fee and placements per provider and placement type."""
    return (
        rows.assign(fee=fees(rows))
        .groupby(["provider_urn", "placement_type", "borough"])["fee"]
        .agg(average="mean", placements="size")
        .reset_index()
    )


def _spread_refusal(
    boroughs: np.ndarray, averages: np.ndarray, counts: np.ndarray, rules: Rules
) -> str:
    if len(boroughs) < rules.min_boroughs_spread:
        return f"fewer than {rules.min_boroughs_spread} boroughs"
    cell = Contributions(
        dict(zip(boroughs.tolist(), counts.tolist(), strict=True)),
        dict(zip(boroughs.tolist(), (averages * counts).tolist(), strict=True)),
    )
    return price_refusal(cell, rules)
