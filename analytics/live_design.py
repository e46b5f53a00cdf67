"""The previous ("live") design of the INMSS benchmarks, kept as the attacker's reference
(issue 23): the functions as they were at commit fa36096, unchanged but for their names. Never
used by the product; analytics/attack.py runs the same attacker against it and against the
release design, so bench/attack.py can print both and tests/unit/test_attack.py can check that
the attacker still finds what this design gave away.

What made it an oracle: figures about others were computed live from every borough's stored
rows, the viewer's own excluded in a 1:1 chat (`viewer`) and included in a group chat or
channel (`viewer=None`); quantiles were raw `np.percentile` (one placement's fee at an integer
position); the rate line's spread was the highest borough average over the lowest; record keys
were HMAC(secret, borough, period, placement id) with a public default secret.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

from analytics.benchmark_filters import Filters, Geography, matching
from analytics.benchmarks import CostCell, CostTable, Own, _contributions, _merge
from analytics.disclosure import (
    TOTAL,
    Contributions,
    Rules,
    price_refusal,
    published_count,
    quartile_refusal,
    shown_count,
)
from analytics.rates import ABOVE, BELOW, MIDDLE, RateLine, fees

DEFAULT_SECRET = "demo cell-key secret"  # noqa: S105 (bot/settings.py's public default at fa36096)
TOO_FEW = "too few other boroughs' placements to compare"


def record_keys(placements: pd.DataFrame, secret: str = DEFAULT_SECRET) -> np.ndarray:
    """Each placement's record key, 0..255, from an HMAC of (borough, period, placement id)."""
    ids = placements.get("placement_id", placements.index)
    key = secret.encode()
    return np.fromiter(
        (
            hmac.new(key, f"{b}|{p}|{i}".encode(), hashlib.sha256).digest()[0]
            for b, p, i in zip(placements["borough"], placements["period"], ids, strict=True)
        ),
        dtype=np.int64,
        count=len(placements),
    )


def with_record_keys(placements: pd.DataFrame, secret: str = DEFAULT_SECRET) -> pd.DataFrame:
    if "record_key" in placements:
        return placements
    return placements.assign(record_key=record_keys(placements, secret))


def middle(values: np.ndarray) -> tuple[float, float, float, float, float]:
    """10th, 25th, 50th, 75th and 90th percentiles, interpolated (never a raw extreme)."""
    p10, q1, median, q3, p90 = np.percentile(values, [10, 25, 50, 75, 90])
    return float(p10), float(q1), float(median), float(q3), float(p90)


def cost_table(
    placements: pd.DataFrame,
    filters: Filters,
    by: str,
    viewer: str | None,
    geography: Geography,
    rules: Rules,
    with_total: bool = False,
) -> CostTable:
    """Cost per placement by `by` (primary_need or provider_urn): count, median, quartiles,
    middle 80 % for other boroughs in the area; the viewer's own figures beside them."""
    used = ["period", "borough", "primary_need", "phase", "placement_type", "total_cost"]
    placements = with_record_keys(placements)
    placements = placements[[*used, "record_key"] + ([by] if by not in used else [])]
    rows = matching(placements, filters)
    own = rows[rows["borough"] == viewer] if viewer else rows.iloc[0:0]
    others = rows[rows["borough"] != viewer] if viewer else rows
    area = geography.areas[filters.area]
    contributions = _contributions(others, by)
    in_area = others[others["borough"].isin(list(area))]
    costs = {str(k): group.to_numpy() for k, group in in_area.groupby(by)["total_cost"]}
    cell_keys = {str(k): int(v) for k, v in in_area.groupby(by)["record_key"].sum().items()}
    own_costs = {str(k): group.to_numpy() for k, group in own.groupby(by)["total_cost"]}
    published = {
        key: published_count(len(group), cell_keys[key], rules) for key, group in costs.items()
    }
    keys = sorted({k for k, text in published.items() if shown_count(text, rules)} | set(own_costs))
    cells = [
        _cell(
            key, contributions.get(key, {}), costs.get(key), own_costs.get(key), area,
            cell_keys.get(key, 0), rules,
        )
        for key in keys
    ]  # fmt: skip
    total = None
    if with_total and keys:
        total = _cell(
            TOTAL, _merge(contributions.values()), in_area["total_cost"].to_numpy(),
            own["total_cost"].to_numpy() if len(own) else None, area,
            int(in_area["record_key"].sum()), rules,
        )  # fmt: skip
    return CostTable(by, cells, total)


def _cell(
    key: str,
    by_borough: dict[str, tuple[int, float]],
    costs: np.ndarray | None,
    own_costs: np.ndarray | None,
    area: frozenset[str],
    cell_key: int,
    rules: Rules,
) -> CostCell:
    cell = Contributions(
        {b: n for b, (n, _) in by_borough.items() if b in area},
        {b: s for b, (_, s) in by_borough.items() if b in area},
    )
    own = _own(own_costs)
    count = published_count(cell.placements, cell_key, rules)
    if not shown_count(count, rules):
        return CostCell(key, count, 0, f"fewer than {rules.small_count} placements", own=own)
    refused = price_refusal(cell, rules)
    boroughs = len(cell.boroughs)
    if refused or costs is None:
        return CostCell(key, count, boroughs, refused, own=own)
    p10, q1, median, q3, p90 = middle(costs)
    if quartile_refused := quartile_refusal(cell, rules):
        return CostCell(key, count, boroughs, "", median, quartile_refused, own=own)
    return CostCell(key, count, boroughs, "", median, "", q1, q3, p10, p90, own=own)


def _own(costs: np.ndarray | None) -> Own | None:
    if costs is None or not len(costs):
        return None
    return Own(len(costs), float(np.median(costs)), float(costs.min()), float(costs.max()))


def listed_rate_lines(
    whole_period: pd.DataFrame,
    placements: pd.DataFrame,
    filters: Filters,
    listed: frozenset[str],
    viewer: str | None,
    rules: Rules,
    threshold: float,
) -> list[RateLine]:
    """The rate lines of the providers a filtered benchmark lists, each over ALL that
    provider's placements of the type in the period."""
    if not listed:
        return []
    lines = rate_lines(whole_period, placements, viewer, rules, threshold, listed)
    kinds = filters.placement_types
    return [x for x in lines if not kinds or x.placement_type in kinds]


def rate_lines(
    rates: pd.DataFrame,
    placements: pd.DataFrame,
    viewer: str | None,
    rules: Rules,
    threshold: float,
    providers: frozenset[str] = frozenset(),
) -> list[RateLine]:
    """`rates` from borough_rates() for a period, `placements` that period's placements; only
    `providers` when given. The spread is the highest other borough's average over the lowest;
    the band edges are the other boroughs' placement-level fee quartiles."""
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
        if refused:
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
    return lines
