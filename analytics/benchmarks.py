"""INMSS cost benchmarks as pure functions over placements (SPEC 6.2).

Placements are a release's rows (`borough`, `period`, the return's columns and `record_key`):
London's figures come from a release and are the same for every viewer (rules 4 and 10); the
viewer's own figures come from its live rows and are shown only to it. "Cost per placement" is
the total annual cost. What is published goes through analytics.disclosure: prices under rules
2-3 (blended, noised quantiles), counts perturbed with their cell key (rule 8), so tables can be
added and subtracted without giving a small count or a borough away.
Rate variation is in analytics.rates, the filters in analytics.benchmark_filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.benchmark_filters import Filters, Geography, matching
from analytics.disclosure import (
    BLEND_REFUSAL,
    TOTAL,
    Contributions,
    Rules,
    count_refusal,
    logged,
    middle,
    price_refusal,
    published_count,
    quartile_refusal,
    shown_count,
)

WITHHELD_COUNT = "–"  # a count of 5 or more not published: too few boroughs, or one dominates


@dataclass(frozen=True)
class CostCell:
    """One line of a cost table as a viewer may see it."""

    key: str
    count: str  # London's placements in the release, as published: "<5", a multiple of 5, or
    # WITHHELD_COUNT
    boroughs: int  # how many boroughs contribute
    refused: str  # why the prices are not shown; "" when they are
    median: float | None = None
    quartiles_refused: str = ""
    q1: float | None = None
    q3: float | None = None
    p10: float | None = None
    p90: float | None = None
    own: Own | None = None  # the viewer's own placements in the cell


@dataclass(frozen=True)
class Own:
    """A borough always sees its own rows (rule 4), raw minimum and maximum included."""

    count: int
    median: float
    lowest: float
    highest: float


@dataclass(frozen=True)
class CostTable:
    by: str
    cells: list[CostCell]
    total: CostCell | None = None  # all keys together, where the table shows one


def cost_table(
    release: pd.DataFrame,
    filters: Filters,
    by: str,
    geography: Geography,
    rules: Rules,
    with_total: bool = False,
    own: pd.DataFrame | None = None,
) -> CostTable:
    """Cost per placement by `by` (primary_need, provider_urn, placement_type) in the area:
    count, median, middle half and middle 80 % of London's placements as `release` holds them
    (every borough's, the viewer's included: the same for every viewer), and beside them the
    viewer's own live placements `own`, unprotected (rule 4)."""
    used = ["period", "borough", "primary_need", "phase", "placement_type", "total_cost"]
    rows = matching(release[[*used, "record_key"] + ([by] if by not in used else [])], filters)
    area = geography.areas[filters.area]
    in_area = rows[rows["borough"].isin(list(area))]
    mine = matching(own, filters) if own is not None and len(own) else in_area.iloc[0:0]
    contributions = _contributions(in_area, by)
    groups = {str(k): g for k, g in in_area.groupby(by)[["total_cost", "borough"]]}
    cell_keys = {str(k): int(v) for k, v in in_area.groupby(by)["record_key"].sum().items()}
    own_costs = {str(k): group.to_numpy() for k, group in mine.groupby(by)["total_cost"]}
    # a line shows when its count publishes as 5 or more from enough boroughs (else its
    # presence would say "at least one"), or for the viewer's own placements
    published = {
        k: published_count(len(g), cell_keys[k], rules)
        for k, g in groups.items()
        if not count_refusal(_counted(contributions.get(k, {})), rules)
    }
    keys = sorted({k for k, text in published.items() if shown_count(text, rules)} | set(own_costs))
    cells = [
        _cell(key, contributions.get(key, {}), groups.get(key), own_costs.get(key),
              cell_keys.get(key, 0), rules)
        for key in keys
    ]  # fmt: skip
    total = None
    if with_total and keys:
        total = _cell(
            TOTAL, _merge(contributions.values()), in_area[["total_cost", "borough"]],
            mine["total_cost"].to_numpy() if len(mine) else None,
            int(in_area["record_key"].sum()), rules,
        )  # fmt: skip
    logged("", f"cost by {by}", (c.refused for c in [*cells, *([total] if total else [])]))
    return CostTable(by, cells, total)


def _contributions(rows: pd.DataFrame, by: str) -> dict[str, dict[str, tuple[int, float]]]:
    """key -> borough -> (placements, spend)."""
    grouped = rows.groupby([by, "borough"])["total_cost"].agg(["size", "sum"])
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for (key, borough), n, spend in zip(
        grouped.index, grouped["size"].to_numpy(), grouped["sum"].to_numpy(), strict=True
    ):
        out.setdefault(str(key), {})[str(borough)] = (int(n), float(spend))
    return out


def _merge(many: Iterable[dict[str, tuple[int, float]]]) -> dict[str, tuple[int, float]]:
    merged: dict[str, tuple[int, float]] = {}
    for one in many:
        for borough, (n, spend) in one.items():
            old = merged.get(borough, (0, 0.0))
            merged[borough] = (old[0] + n, old[1] + spend)
    return merged


def _cell(
    key: str,
    by_borough: dict[str, tuple[int, float]],
    rows: pd.DataFrame | None,
    own_costs: np.ndarray | None,
    cell_key: int,
    rules: Rules,
) -> CostCell:
    cell = _counted(by_borough)
    own = _own(own_costs)
    count = published_count(cell.placements, cell_key, rules)
    if not shown_count(count, rules):  # one answer for 0 to 4, so "<5" never means "some"
        return CostCell(key, count, 0, f"fewer than {rules.small_count} placements", own=own)
    if refused := count_refusal(cell, rules):  # listed for the viewer's own rows only
        return CostCell(key, WITHHELD_COUNT, 0, refused, own=own)
    refused = price_refusal(cell, rules)
    boroughs = len(cell.boroughs)
    if refused or rows is None:
        return CostCell(key, count, boroughs, refused, own=own)
    costs, whose = rows["total_cost"].to_numpy(), rows["borough"].to_numpy()
    p10, q1, median, q3, p90 = middle(costs, whose, rules)
    if median is None:
        return CostCell(key, count, boroughs, BLEND_REFUSAL, own=own)
    if (quartile_refused := quartile_refusal(cell, rules)) or q1 is None or q3 is None:
        return CostCell(
            key, count, boroughs, "", median, quartile_refused or BLEND_REFUSAL, own=own
        )
    return CostCell(key, count, boroughs, "", median, "", q1, q3, p10, p90, own=own)


def _counted(by_borough: dict[str, tuple[int, float]]) -> Contributions:
    return Contributions(
        {b: n for b, (n, _) in by_borough.items()}, {b: s for b, (_, s) in by_borough.items()}
    )


def _own(costs: np.ndarray | None) -> Own | None:
    if costs is None or not len(costs):
        return None
    return Own(len(costs), float(np.median(costs)), float(costs.min()), float(costs.max()))


def top_providers(
    placements: pd.DataFrame, borough: str, period: str, count: int = 10
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The borough's own top providers by spend and by placements (its own rows: no control)."""
    rows = placements[(placements["period"] == period) & (placements["borough"] == borough)]
    per_provider = (
        rows.groupby("provider_urn")
        .agg(
            name=("provider_name", "last"),
            spend=("total_cost", "sum"),
            placements=("total_cost", "size"),
        )
        .reset_index()
    )
    per_provider["share"] = per_provider["spend"] / max(per_provider["spend"].sum(), 1.0)
    by_spend = per_provider.sort_values(["spend", "provider_urn"], ascending=[False, True])
    by_count = per_provider.sort_values(["placements", "spend"], ascending=[False, False])
    return by_spend.head(count), by_count.head(count)
