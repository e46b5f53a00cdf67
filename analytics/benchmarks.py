"""INMSS cost benchmarks as pure functions over placements (SPEC 6.2).

Placements are the stored returns: `borough`, `period` and the return's columns. "Cost per
placement" is the total annual cost. What a viewer sees of other boroughs goes through
analytics.disclosure; `isolated_cells` withholds what a neighbouring benchmark would give away.
Rate variation is in analytics.rates, the filters in analytics.benchmark_filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.benchmark_filters import Filters, Geography, matching
from analytics.disclosure import (
    TOTAL,
    Contributions,
    Rules,
    count_text,
    logged,
    middle,
    price_refusal,
    protect_total,
    quartile_refusal,
)
from analytics.returns_format import NEEDS, PHASES, PLACEMENT_TYPES


@dataclass(frozen=True)
class CostCell:
    """One line of a cost table as a viewer may see it."""

    key: str
    count: str  # other boroughs' placements, as shown ("<5", "not shown")
    boroughs: int  # how many other boroughs contribute
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
    hidden_for_total: frozenset[str] = field(default_factory=frozenset)


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
    placements = placements[[by, *used] if by not in used else used]
    rows = matching(placements, filters)
    own = rows[rows["borough"] == viewer] if viewer else rows.iloc[0:0]
    others = rows[rows["borough"] != viewer] if viewer else rows
    area = geography.areas[filters.area]
    contributions = _contributions(others, by)
    in_area = others[others["borough"].isin(list(area))]
    costs = {str(k): group.to_numpy() for k, group in in_area.groupby(by)["total_cost"]}
    own_costs = {str(k): group.to_numpy() for k, group in own.groupby(by)["total_cost"]}
    keys = sorted(set(costs) | set(own_costs))
    period = placements[placements["period"] == filters.period]
    isolating = isolated_cells(period[period["borough"] != viewer], by, filters, geography)
    cells = {
        key: _cell(
            key, contributions.get(key, {}), costs.get(key), own_costs.get(key), area,
            isolating.get(key), rules,
        )
        for key in keys
    }  # fmt: skip
    table = f"cost by {by}"
    total = hidden = None
    if with_total and keys:
        all_contributions = _merge(contributions.values())
        total = _cell(
            TOTAL, all_contributions, in_area["total_cost"].to_numpy(),
            own["total_cost"].to_numpy() if len(own) else None, area, isolating.get(TOTAL), rules,
        )  # fmt: skip
        suppressed = {k for k, c in cells.items() if not c.count[:1].isdigit()}
        counts = {
            k: sum(n for b, (n, _) in contributions.get(k, {}).items() if b in area) for k in keys
        }
        hidden = protect_total(suppressed, counts)
        reason = "would reveal a hidden cell from the total"
        for key in hidden - {TOTAL}:
            cells[key] = _withheld(cells[key], reason)
        if TOTAL in hidden:
            total = _withheld(total, reason)
    for cell in cells.values():
        logged(viewer or "", table, cell.key, cell.refused)
    return CostTable(by, [cells[k] for k in keys], total, frozenset(hidden or ()))


def _contributions(rows: pd.DataFrame, by: str) -> dict[str, dict[str, tuple[int, float]]]:
    """key -> borough -> (placements, spend), over every borough (all areas)."""
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
    costs: np.ndarray | None,
    own_costs: np.ndarray | None,
    area: frozenset[str],
    isolated_by: str | None,
    rules: Rules,
) -> CostCell:
    cell = Contributions(
        {b: n for b, (n, _) in by_borough.items() if b in area},
        {b: s for b, (_, s) in by_borough.items() if b in area},
    )
    own = _own(own_costs)
    if not cell.placements:
        return CostCell(key, "0", 0, "no other borough has placements here", own=own)
    refused = price_refusal(cell, rules)
    count, boroughs = count_text(cell.placements, rules), len(cell.boroughs)
    if isolated_by is not None:  # the count would give that borough away, as would any price
        count, boroughs = "not shown", 0
        refused = (
            refused or f"it could be worked out by comparing with the benchmark for {isolated_by}"
        )
    if refused or costs is None:
        return CostCell(key, count, boroughs, refused, own=own)
    p10, q1, median, q3, p90 = middle(costs)
    if quartile_refused := quartile_refusal(cell, rules):
        return CostCell(key, count, boroughs, "", median, quartile_refused, own=own)
    return CostCell(key, count, boroughs, "", median, "", q1, q3, p10, p90, own=own)


DIMENSIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("primary_need", NEEDS, "needs"),
    ("phase", PHASES, "phases"),
    ("placement_type", PLACEMENT_TYPES, "placement_types"),
)


def isolated_cells(
    others: pd.DataFrame, by: str, filters: Filters, geography: Geography
) -> dict[str, str]:
    """Cells (and TOTAL) that one neighbouring benchmark would isolate a single borough from.

    A neighbour is the same benchmark with one filter changed: another area, or one of need,
    phase and placement type widened to all, narrowed to one value, or with one value dropped.
    Where the other boroughs' placements in a cell differ between the two for exactly one
    borough, subtracting one from the other gives that borough's figures, so the cell is
    withheld (in both, as each is the other's neighbour). Returns key -> the neighbour named.
    `others` are the period's placements without the viewer's.
    """
    if others.empty:
        return {}
    key_codes, keys = pd.factorize(others[by].astype(str))
    borough_codes, boroughs = pd.factorize(others["borough"].astype(str))
    codes = [key_codes, borough_codes]
    shape = [len(keys), len(boroughs)]
    for column, values, _ in DIMENSIONS:
        codes.append(pd.Index(values).get_indexer(pd.Index(others[column])))
        shape.append(len(values))
    # the placements as (key, borough, need, phase, type) combinations with their counts
    flat = np.bincount(
        np.ravel_multi_index(tuple(codes), tuple(shape)), minlength=int(np.prod(shape))
    )
    present = np.flatnonzero(flat)
    k, b, n, p, t = np.unravel_index(present, tuple(shape))
    weight, cell = flat[present].astype(float), k * len(boroughs) + b

    def counts(
        need: np.ndarray, phase: np.ndarray, kind: np.ndarray, area: np.ndarray
    ) -> np.ndarray:
        """Other boroughs' placements per (key, borough) under one set of filters."""
        kept = weight * need[n] * phase[p] * kind[t] * area[b]
        return np.bincount(cell, weights=kept, minlength=len(keys) * len(boroughs)).reshape(
            len(keys), len(boroughs)
        )

    masks = [_mask(values, getattr(filters, attribute)) for _, values, attribute in DIMENSIONS]
    in_area = np.isin(boroughs, list(geography.areas[filters.area])).astype(float)
    base = counts(masks[0], masks[1], masks[2], in_area)
    neighbours: list[tuple[str, np.ndarray]] = [
        (name, counts(masks[0], masks[1], masks[2], np.isin(boroughs, list(codes_)).astype(float)))
        for name, codes_ in geography.areas.items()
        if name != filters.area
    ]
    for position, (_, values, attribute) in enumerate(DIMENSIONS):
        chosen = sorted(getattr(filters, attribute))
        options: list[tuple[str, np.ndarray]] = []
        if chosen:
            options.append((f"any {attribute.replace('_', ' ')}", np.ones(len(values))))
            if len(chosen) > 1:
                options += [
                    (
                        ", ".join(c for c in chosen if c != drop),
                        masks[position] - _mask(values, {drop}),
                    )
                    for drop in chosen
                ]
        else:
            options += [(value, _mask(values, {value})) for value in values]
        for label, option in options:
            changed = [option if i == position else m for i, m in enumerate(masks)]
            neighbours.append((label, counts(changed[0], changed[1], changed[2], in_area)))
    found: dict[str, str] = {}
    base_total, base_any = base.sum(axis=0), base.sum(axis=1) > 0
    for label, other in neighbours:
        single = ((other != base).sum(axis=1) == 1) & base_any & (other.sum(axis=1) > 0)
        for index in np.flatnonzero(single).tolist():
            found.setdefault(str(keys[index]), label)
        other_total = other.sum(axis=0)
        if (other_total != base_total).sum() == 1 and base_total.any() and other_total.any():
            found.setdefault(TOTAL, label)
    return found


def _mask(values: tuple[str, ...], chosen: Iterable[str]) -> np.ndarray:
    """1 for the values a filter keeps; all of them when it names none."""
    wanted = set(chosen)
    return np.array([1.0 if not wanted or v in wanted else 0.0 for v in values])


def _own(costs: np.ndarray | None) -> Own | None:
    if costs is None or not len(costs):
        return None
    return Own(len(costs), float(np.median(costs)), float(costs.min()), float(costs.max()))


def _withheld(cell: CostCell, reason: str) -> CostCell:
    return CostCell(cell.key, "not shown", 0, reason, own=cell.own)


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
