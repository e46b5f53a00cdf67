"""Rate variation: what the same provider charges different boroughs for the same placement type.

A provider's *fee* (core education fee plus residential care) is compared, since 1:1 staffing
and therapies are the child's package, not the provider's price. `rate_lines` is what a viewer
may see of it (DOMAIN rule 6: boroughs are named only to themselves). `borough_rates`' premiums
against the others' median are for the secretariat's screen, never for a borough's card.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.benchmark_filters import Filters
from analytics.disclosure import Contributions, Rules, logged, price_refusal, quartile_refusal


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
    whole_period: pd.DataFrame,
    placements: pd.DataFrame,
    filters: Filters,
    listed: frozenset[str],
    viewer: str | None,
    rules: Rules,
    threshold: float,
) -> list[RateLine]:
    """The rate lines of a filtered benchmark: the lines of the providers its provider table
    lists (`listed`), of the placement types it asks for, each describing ALL that provider's
    placements of the type in the period, whatever the need, phase or area.

    A line narrowed by need, phase or area would differ from a wider benchmark's line (a filter
    dropped, a need or phase added, a larger area) by a few placements, often one borough's:
    comparing their counts of boroughs, spreads and quartiles is a figure about those few
    placements (rules 2, 4 and 8; analytics/attack.py finds them). A line is one provider and
    placement type, so the placement-type filter is applied exactly; the others choose which
    providers are listed (what the table shows already) and never change a line's figures: every
    line is the same in every benchmark. `whole_period` is borough_rates() for the period and
    `placements` the period's placements."""
    if not listed:
        return []  # (rate_lines reads no providers as all of them)
    lines = rate_lines(whole_period, placements, viewer, rules, threshold, listed)
    kinds = filters.placement_types
    return [x for x in lines if not kinds or x.placement_type in kinds]


def rate_variation(rates: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per provider and placement type: how many boroughs, the ratio of the highest borough
    average to the lowest, and whether it is over the threshold."""
    spread = (
        rates.groupby(["provider_urn", "placement_type"])["average"]
        .agg(boroughs="size", highest="max", lowest="min")
        .reset_index()
    )
    spread["ratio"] = spread["highest"] / spread["lowest"]
    spread["flagged"] = (spread["boroughs"] >= 2) & (spread["ratio"] > threshold)
    return spread


def premium_pairs(rates: pd.DataFrame, threshold: float) -> set[tuple[str, str]]:
    """(provider, borough) pairs whose average fee is at least `threshold` times the median of
    the other boroughs' for the same provider and placement type."""
    flagged = rates[rates["premium"] >= threshold]
    return set(zip(flagged["provider_urn"], flagged["borough"], strict=True))


TOO_FEW = "too few other boroughs' placements to compare"
BELOW, MIDDLE, ABOVE = "below the lower quartile", "in the middle half", "above the upper quartile"


@dataclass(frozen=True)
class RateLine:
    """Rate variation for one provider and placement type, as a viewer may see it (rule 6:
    boroughs are named only to themselves; the others are a count and a spread, and the viewer's
    own average is placed in bands of the others' fees, never ranked or divided by a borough's)."""

    provider_urn: str
    placement_type: str
    boroughs: int  # other boroughs with placements
    refused: str  # why the spread is not shown; "" when it is
    spread: float | None = None  # the highest other borough's average over the lowest
    flagged: bool = False  # spread over the threshold
    own_average: float | None = None
    band: str = ""  # where own_average sits among the others' fees: BELOW, MIDDLE or ABOVE
    q1: float | None = None  # the band edges: quartiles of the other boroughs' placement fees,
    q3: float | None = None  # shown under the same rules as a cost table's middle half


def rate_lines(
    rates: pd.DataFrame,
    placements: pd.DataFrame,
    viewer: str | None,
    rules: Rules,
    threshold: float,
    providers: frozenset[str] = frozenset(),
) -> list[RateLine]:
    """`rates` from borough_rates() for a period, `placements` that period's placements; only
    `providers` when given. The band edges are the other boroughs' placement-level fee quartiles
    (rules 2, 3 and the dominance rule on what remains without the viewer): figures the line
    shows anyway, so moving one's own average across them (rule 9) learns nothing new."""
    if providers:
        rates = rates[rates["provider_urn"].isin(list(providers))]
        placements = placements[placements["provider_urn"].isin(list(providers))]
    theirs = placements[placements["borough"] != viewer] if viewer else placements
    fee_groups = theirs.assign(fee=fees(theirs)).groupby(["provider_urn", "placement_type"])["fee"]
    lower, upper = fee_groups.quantile(0.25), fee_groups.quantile(0.75)
    boroughs = rates["borough"].to_numpy()
    averages = rates["average"].to_numpy()
    counts = rates["placements"].to_numpy()
    lines: list[RateLine] = []
    reasons: list[str] = []
    groups: dict[tuple[str, str], np.ndarray] = rates.groupby(  # type: ignore[assignment]
        ["provider_urn", "placement_type"]
    ).indices
    for (urn, kind), index in sorted(groups.items()):
        mine = boroughs[index] == viewer
        others, everyone = index[~mine], averages[index]
        own_average = float(everyone[mine][0]) if mine.any() else None
        cell = Contributions(
            dict(zip(boroughs[others], counts[others].tolist(), strict=True)),
            dict(zip(boroughs[others], (averages[others] * counts[others]).tolist(), strict=True)),
        )
        refused = price_refusal(cell, rules) if len(others) else "no other boroughs"
        reasons.append(refused)
        if refused:
            # one answer for every refusal, and none without the viewer's own placements: a
            # line's presence or its reason would otherwise say "some other borough is here"
            if own_average is not None:
                lines.append(RateLine(str(urn), str(kind), 0, TOO_FEW, own_average=own_average))
            continue
        spread = float(averages[others].max() / averages[others].min())
        q1 = q3 = None
        if not quartile_refusal(cell, rules):
            q1, q3 = float(lower[(urn, kind)]), float(upper[(urn, kind)])
        band = (
            ""
            if own_average is None or q1 is None or q3 is None
            else BELOW
            if own_average < q1
            else ABOVE
            if own_average > q3
            else MIDDLE
        )
        lines.append(
            RateLine(
                str(urn), str(kind), len(others), "", spread, spread > threshold, own_average,
                band, q1, q3,
            )
        )  # fmt: skip
    logged(viewer or "", "rate variation", reasons)
    return lines
