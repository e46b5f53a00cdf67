"""The shipped attacker (issue 11): what one borough can work out about the others from every
table and line the commands show it. Used by tests/unit/test_attack.py; run it on demand:

    python bench/attack.py [--viewer 202] [--seed 2026] [--tables] [--oracle 20]

For a period and a viewer borough it reads every count a `benchmark` can show (every
combination of no or one need, phase and placement type, every area; the need table with its
total and the provider table; `benchmark provider` is the provider table with no filter by
placement type), as the intervals the published text allows, and solves the linear relations
between them: each total is the sum over a full split (all needs, phases, placement types,
providers; Inner + Outer and the five sub-regions make London), to a fixed point, and every
difference of a cell and one part of it (a neighbouring benchmark). Then the price tricks on
the rate lines: an other-borough figure worked out from a ratio to the viewer's own average,
and the viewer's re-submissions as an oracle (its own fee moved across a range, the points
where the line changes located by bisection).

Then differencing of the rate lines under filters (`benchmark`, `benchmark SEMH`, `benchmark
SEMH secondary South East`, ...): for every two answers read where one's placements hold the
other's (a filter dropped, a need or phase added, a larger area), a line whose figures (count of
boroughs, spread, quartiles) differ between them says something about the placements the narrower
one leaves out; that is a leak when those are fewer than 5 placements or 3 boroughs, or fewer
than 10 placements and both show quartiles.

It reports hidden counts of 1-4 pinned exactly, figures pinned exactly that are one other
borough's placements, other boroughs' average fees recovered within 2 %, and rate lines that
differ by too few placements. `tables=True`
reads the counts from `cost_table` itself, table by table (slow; works on any version of the
rules); otherwise the lattice of cells is published at once with `published_count`, which
tests/unit/test_attack.py checks against `cost_table`.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import disclosure
from analytics.benchmark_filters import LONDON, Filters, Geography, matching
from analytics.benchmarks import cost_table
from analytics.disclosure import Rules
from analytics.rates import RateLine, borough_rates, fees, listed_rate_lines, rate_lines
from analytics.returns_format import NEEDS, PHASES, PLACEMENT_TYPES

ALL = "*"
AVERAGE_TOLERANCE = 0.02


@dataclass(frozen=True)
class Findings:
    small_counts: tuple[str, ...]  # hidden counts of 1-4 pinned exactly
    single_borough: tuple[str, ...]  # pinned figures that are one other borough's placements
    averages: tuple[str, ...]  # other boroughs' average fees recovered within 2 %
    tables: int  # tables and lines read
    differences: tuple[str, ...] = ()  # rate lines of two answers that differ by too few

    @property
    def nothing(self) -> bool:
        return not (self.small_counts or self.single_borough or self.averages or self.differences)


def attack(
    placements: pd.DataFrame,
    period: str,
    viewer: str,
    geography: Geography,
    rules: Rules,
    *,
    tables: bool = False,
    oracle: int = 20,
    threshold: float = 1.2,
    filters: Sequence[Filters] | None = None,
) -> Findings:
    """`filters`: the answers whose rate lines are compared (default reachable_filters())."""
    rows = placements[placements["period"] == period]
    lattice = _Lattice(rows, viewer, geography)
    published, read = (
        lattice.read_tables(placements, period, rules) if tables else lattice.publish(rules)
    )
    small, single = lattice.solve(published, rules)
    averages, lines = _price_tricks(rows, period, viewer, rules, threshold, oracle)
    asked = reachable_filters(rows, period, geography) if filters is None else filters
    differences = differencing(placements, viewer, geography, rules, threshold, asked)
    return Findings(
        tuple(small), tuple(single), tuple(averages), read + lines + len(asked),
        tuple(differences),
    )  # fmt: skip


# Counts ------------------------------------------------------------------------------------


def _interval(text: str, rules: Rules) -> tuple[float, float]:
    """What the reader learns from a published count; exact numbers under rules without one."""
    explain: Callable[[str, Rules], tuple[int, int | None]] | None = getattr(
        disclosure, "count_interval", None
    )
    if explain is not None:
        low, high = explain(text, rules)
        return float(low), float("inf") if high is None else float(high)
    if text == "0":
        return 0.0, 0.0
    if text.startswith("<"):
        return 1.0, float(rules.small_count - 1)
    if text[:1].isdigit():
        shown = float(text.replace(",", ""))
        return shown, shown
    return 0.0, float("inf")  # "not shown"


class _Lattice:
    """Other boroughs' placements per (need, phase, type, provider, borough), each axis with a
    leading "*" (all of them), and per area."""

    def __init__(self, rows: pd.DataFrame, viewer: str, geography: Geography) -> None:
        self.viewer = viewer
        others = rows[rows["borough"] != viewer]
        self.providers = tuple(sorted(rows["provider_urn"].astype(str).unique()))
        self.boroughs = tuple(sorted(others["borough"].astype(str).unique()))
        self.axes = (NEEDS, PHASES, PLACEMENT_TYPES, self.providers)
        self.areas = tuple(geography.areas)
        self.member = np.array(
            [[b in geography.areas[a] for b in self.boroughs] for a in self.areas], dtype=float
        ).reshape(len(self.areas), len(self.boroughs))
        columns = ("primary_need", "phase", "placement_type", "provider_urn")
        codes = [
            pd.Index(values).get_indexer(pd.Index(others[c].astype(str))) + 1
            for c, values in zip(columns, self.axes, strict=True)
        ]
        codes.append(pd.Index(self.boroughs).get_indexer(pd.Index(others["borough"].astype(str))))
        shape = (*(len(v) + 1 for v in self.axes), len(self.boroughs))
        self.per_borough = np.zeros(shape)
        np.add.at(self.per_borough, tuple(codes), 1.0)
        keys = (
            others["record_key"].to_numpy(dtype=float)
            if "record_key" in others
            else np.zeros(len(others))
        )
        self.key_sum = np.zeros(shape)
        np.add.at(self.key_sum, tuple(codes), keys)
        for axis in range(4):  # index 0 of each axis is the sum over it
            for array in (self.per_borough, self.key_sum):
                index = [slice(None)] * 5
                index[axis] = slice(0, 1)
                rest = [slice(None)] * 5
                rest[axis] = slice(1, None)
                array[tuple(index)] = array[tuple(rest)].sum(axis=axis, keepdims=True)
        # per area: (..., area)
        self.truth = self.per_borough @ self.member.T
        self.keys = self.key_sum @ self.member.T
        self.geography = geography
        self.partitions = _partitions(geography)

    def label(self, index: tuple[int, ...]) -> str:
        parts = [
            ALL if i == 0 else axis[i - 1] for i, axis in zip(index[:4], self.axes, strict=True)
        ]
        return " / ".join([*parts, self.areas[index[4]]])

    def publish(self, rules: Rules) -> tuple[np.ndarray, int]:
        """Every cell's published text, as cost_table publishes it (checked by the tests)."""
        counts = self.truth.astype(int)
        keys = self.keys.astype(int)
        text = np.empty(counts.shape, dtype=object)
        for index in zip(*np.nonzero(counts >= 0), strict=True):
            text[index] = disclosure.published_count(int(counts[index]), int(keys[index]), rules)
        return text, 2 * len(self.areas) * int(np.prod([len(a) + 1 for a in self.axes[:3]]))

    def read_tables(
        self, placements: pd.DataFrame, period: str, rules: Rules
    ) -> tuple[np.ndarray, int]:
        """Every cell as the benchmark tables show it; a cell shown differently in two tables
        keeps the narrower reading (for the rules before perturbation, where "not shown" in
        one table may be a number in another)."""
        texts: dict[tuple[int, ...], list[str]] = {}
        read = 0
        for need, phase, kind in itertools.product(*(range(len(a) + 1) for a in self.axes[:3])):
            for area, name in enumerate(self.areas):
                filters = Filters(
                    period,
                    frozenset([NEEDS[need - 1]] if need else []),
                    frozenset([PHASES[phase - 1]] if phase else []),
                    frozenset([PLACEMENT_TYPES[kind - 1]] if kind else []),
                    name,
                )
                for by in ("primary_need", "provider_urn"):
                    if by == "primary_need" and need:
                        continue  # the need table under a need filter is its one row
                    table = cost_table(
                        placements, filters, by, self.viewer, self.geography, rules, True
                    )
                    read += 1
                    axis = self.axes[0] if by == "primary_need" else self.providers
                    for cell in table.cells:
                        position = axis.index(cell.key) + 1
                        index = (
                            (position, phase, kind, 0, area)
                            if by == "primary_need"
                            else (need, phase, kind, position, area)
                        )
                        texts.setdefault(index, []).append(cell.count)
                    if table.total is not None:
                        texts.setdefault((need, phase, kind, 0, area), []).append(table.total.count)
        # a cell no table lists: empty under rules where "0" is shown, else under 5
        unlisted = (
            "0"
            if _interval("0", rules) == (0.0, 0.0) and hasattr(disclosure, "count_text")
            else f"<{rules.small_count}"
        )
        text = np.full(self.truth.shape, unlisted, dtype=object)
        narrowest = {index: min(seen, key=lambda t: np.subtract(*_interval(t, rules)[::-1]))
                     for index, seen in texts.items()}  # fmt: skip
        for spot, shown in narrowest.items():
            text[spot] = shown
        return text, read

    def solve(self, text: np.ndarray, rules: Rules) -> tuple[list[str], list[str]]:
        meaning = {t: _interval(str(t), rules) for t in set(text.flat)}
        low = np.array([meaning[t][0] for t in text.flat]).reshape(self.truth.shape)
        high = np.array([meaning[t][1] for t in text.flat]).reshape(self.truth.shape)
        given_exact = low == high
        for _ in range(20):  # to a fixed point
            before = (low.copy(), high.copy())
            for axis in range(4):
                _propagate(low, high, axis, [(0, list(range(1, self.truth.shape[axis])))])
            _propagate(low, high, 4, self.partitions)
            if np.array_equal(before[0], low) and np.array_equal(before[1], high):
                break
        pinned = low == high
        small, single = [], []
        for index in zip(*np.nonzero(pinned & ~given_exact), strict=True):
            true = self.truth[index]
            assert low[index] == true, "the attacker's intervals must hold the truth"
            if 1 <= true < rules.small_count:
                small.append(f"{self.label(index)} = {true:.0f}")
            if true > 0 and self._boroughs(index) == 1:
                single.append(f"{self.label(index)} = {true:.0f}, one borough's")
        # differences of a cell and one of its parts: what is left is a figure too
        for parent, children, along in self._neighbours():
            for child in children:
                both = pinned[parent] & pinned[child] & (self.truth[child] > 0)
                rest = self.truth[parent] - self.truth[child]
                boroughs = self._difference(parent, child, along)
                hit = both & (rest > 0) & (boroughs == 1)
                for where in zip(*np.nonzero(hit), strict=True):
                    single.append(
                        f"{self._pair(parent, child, where)}: one borough's {rest[where]:.0f}"
                    )
                tiny = both & (rest >= 1) & (rest < rules.small_count)
                for where in zip(*np.nonzero(tiny), strict=True):
                    small.append(f"{self._pair(parent, child, where)} = {rest[where]:.0f}")
        return sorted(set(small)), sorted(set(single))

    def _pair(
        self,
        parent: tuple[slice | int, ...],
        child: tuple[slice | int, ...],
        where: tuple[int, ...],
    ) -> str:
        """parent less child, at one place of their slices."""
        spots = iter(where)
        whole = tuple(next(spots) if isinstance(p, slice) else p for p in parent)
        spots = iter(where)
        part = tuple(next(spots) if isinstance(c, slice) else c for c in child)
        return f"{self.label(whole)} less {self.label(part)}"

    def _boroughs(self, index: tuple[int, ...]) -> int:
        return int((self.per_borough[index[:4]] * self.member[index[4]] > 0).sum())

    def _neighbours(
        self,
    ) -> Iterable[tuple[tuple[slice | int, ...], list[tuple[slice | int, ...]], str]]:
        every = slice(None)
        for axis in range(4):
            parent = tuple(0 if a == axis else every for a in range(5))
            children = [
                tuple(i if a == axis else every for a in range(5))
                for i in range(1, self.truth.shape[axis])
            ]
            yield parent, children, f"axis {axis}"
        for parent_area, child_areas in self.partitions:
            yield (
                (every, every, every, every, parent_area),
                [(every, every, every, every, c) for c in child_areas],
                "areas",
            )

    def _difference(
        self, parent: tuple[slice | int, ...], child: tuple[slice | int, ...], axis: str
    ) -> np.ndarray:
        """How many boroughs have placements in parent less child, per cell of the slice."""
        if axis == "areas":
            keep = self.member[parent[4]] - self.member[child[4]]
            return np.asarray(((self.per_borough * keep) > 0).sum(axis=-1))
        rest = self.per_borough[parent[:4]] - self.per_borough[child[:4]]
        return np.asarray(((rest[..., None, :] > 0) * self.member).sum(axis=-1))


def _partitions(geography: Geography) -> list[tuple[int, list[int]]]:
    """Sets of areas that split another exactly (Inner + Outer, the sub-regions)."""
    names = list(geography.areas)
    found = []
    for p, parent in enumerate(names):
        inside = [
            c
            for c, n in enumerate(names)
            if n != parent and geography.areas[n] < geography.areas[parent]
        ]
        for size in range(2, len(inside) + 1):
            for group in itertools.combinations(inside, size):
                sets = [geography.areas[names[c]] for c in group]
                if (
                    sum(len(s) for s in sets) == len(geography.areas[parent])
                    and frozenset().union(*sets) == geography.areas[parent]
                ):
                    found.append((p, list(group)))
    return found


def _propagate(
    low: np.ndarray, high: np.ndarray, axis: int, splits: list[tuple[int, list[int]]]
) -> None:
    """parent = sum of children along `axis`: tighten every bound from the others'."""
    for parent, children in splits:
        lo_p, hi_p = np.take(low, parent, axis), np.take(high, parent, axis)
        lo_c, hi_c = np.take(low, children, axis), np.take(high, children, axis)
        with np.errstate(invalid="ignore"):
            lo_sum, hi_sum = lo_c.sum(axis=axis), hi_c.sum(axis=axis)
            new_lo_p, new_hi_p = np.maximum(lo_p, lo_sum), np.minimum(hi_p, hi_sum)
            spread = np.expand_dims
            new_lo_c = np.maximum(lo_c, spread(new_lo_p, axis) - (spread(hi_sum, axis) - hi_c))
            new_hi_c = np.minimum(hi_c, spread(new_hi_p, axis) - (spread(lo_sum, axis) - lo_c))
        new_lo_c = np.where(np.isnan(new_lo_c), lo_c, new_lo_c)
        new_hi_c = np.where(np.isnan(new_hi_c), hi_c, new_hi_c)
        index = [slice(None)] * low.ndim
        index[axis] = parent  # type: ignore[call-overload]
        low[tuple(index)], high[tuple(index)] = new_lo_p, new_hi_p
        index[axis] = children  # type: ignore[call-overload]
        low[tuple(index)], high[tuple(index)] = new_lo_c, new_hi_c


# Prices ------------------------------------------------------------------------------------


def _lines(
    rows: pd.DataFrame, period: str, viewer: str, rules: Rules, threshold: float
) -> list[object]:
    rates = borough_rates(rows, period)
    if "placements" in inspect.signature(rate_lines).parameters:
        return list(rate_lines(rates, rows, viewer, rules, threshold))
    return list(rate_lines(rates, viewer, rules, threshold))  # type: ignore[arg-type, call-arg]


def _shown(line: object) -> tuple[object, ...]:
    """Everything a line shows but the viewer's own average and its ratio to the others' median
    (the viewer chose them; the ratio trick is tried on its own)."""
    return tuple(v for k, v in vars(line).items() if k not in ("own_average", "own_premium"))


def _price_tricks(
    rows: pd.DataFrame, period: str, viewer: str, rules: Rules, threshold: float, oracle: int
) -> tuple[list[str], int]:
    truth = (
        rows[rows["borough"] != viewer]
        .assign(fee=fees(rows))
        .groupby(["provider_urn", "placement_type", "borough"])["fee"]
        .mean()
    )
    found: list[str] = []

    def recovered(urn: str, kind: str, estimate: float, how: str) -> None:
        theirs = truth.get((urn, kind))
        if theirs is None:
            return
        close = np.abs(theirs.to_numpy() / estimate - 1) <= AVERAGE_TOLERANCE
        for borough in theirs.index[close]:
            found.append(f"{urn} {kind}: borough {borough}'s average by {how}")

    lines = _lines(rows, period, viewer, rules, threshold)
    for line in lines:
        own, premium = getattr(line, "own_average", None), getattr(line, "own_premium", None)
        if own is not None and premium:
            recovered(line.provider_urn, line.placement_type, own / premium, "ratio")  # type: ignore[attr-defined]
    read = len(lines)
    # the own-return oracle, on the lines with the most other boroughs
    targets = sorted(
        (x for x in lines if not getattr(x, "refused", "")),
        key=lambda x: (-x.boroughs, x.provider_urn, x.placement_type),  # type: ignore[attr-defined]
    )[:oracle]
    for line in targets:
        urn, kind = line.provider_urn, line.placement_type  # type: ignore[attr-defined]
        at = rows[(rows["provider_urn"] == urn) & (rows["placement_type"] == kind)]
        published = [v for v in vars(line).values() if isinstance(v, float)]
        template = at.iloc[[0]].assign(borough=viewer, placement_id="ORACLE")
        base = at[at["borough"] != viewer]

        def answer(
            fee: float, at: tuple[pd.DataFrame, pd.DataFrame, str] = (base, template, kind)
        ) -> tuple[object, ...]:
            return _answer(*at, fee, period, viewer, rules, threshold)

        grid = np.geomspace(10_000, 500_000, 24)
        answers = [answer(float(x)) for x in grid]
        read += len(grid)
        for (a, x), (b, y) in itertools.pairwise(zip(answers, grid, strict=True)):
            if a == b:
                continue
            low, high = float(x), float(y)
            while high - low > 0.005 * low:
                mid = (low + high) / 2
                read += 1
                low, high = (mid, high) if answer(mid) == a else (low, mid)
            edge = (low + high) / 2
            if any(abs(edge / p - 1) < 0.01 for p in published if p):
                continue  # the line shows this figure anyway (rule 9)
            recovered(urn, kind, edge, "re-submission")
    return sorted(set(found)), read


def _answer(
    base: pd.DataFrame,
    template: pd.DataFrame,
    kind: str,
    fee: float,
    period: str,
    viewer: str,
    rules: Rules,
    threshold: float,
) -> tuple[object, ...]:
    """The viewer's line after re-submitting its return with one placement at `fee`."""
    mine = template.assign(core_fee=fee, residential_care=0.0, total_cost=fee)
    frame = pd.concat([base, mine], ignore_index=True)
    seen = [x for x in _lines(frame, period, viewer, rules, threshold) if x.placement_type == kind]  # type: ignore[attr-defined]
    return _shown(seen[0]) if seen else ()


# Rate lines under filters ------------------------------------------------------------------

Lines = Mapping[tuple[str, str], RateLine]
Publisher = Callable[[pd.DataFrame, Filters, str, Geography, Rules, float], Lines]


def published_lines(
    placements: pd.DataFrame,
    filters: Filters,
    viewer: str,
    geography: Geography,
    rules: Rules,
    threshold: float,
) -> Lines:
    """The rate lines `benchmark <filters>` shows the viewer (forum_ops/benchmarks.py), every
    one, flagged or not, by (provider URN, placement type)."""
    rows = placements[placements["period"] == filters.period]
    table = cost_table(placements, filters, "provider_urn", viewer, geography, rules, True)
    listed = frozenset(c.key for c in table.cells)
    lines = listed_rate_lines(
        borough_rates(rows, filters.period), rows, filters, listed, viewer, rules, threshold
    )
    return {(x.provider_urn, x.placement_type): x for x in lines}


def reachable_filters(
    rows: pd.DataFrame,
    period: str,
    geography: Geography,
    needs: int = 3,
    areas: Sequence[str] | None = None,
) -> list[Filters]:
    """A bounded part of what a member can ask: no need, one of the `needs` most common or two
    of them; no phase or one; every area (or `areas`)."""
    common = list(rows["primary_need"].value_counts().index[:needs].astype(str))
    need_sets = [frozenset[str](), *(frozenset([n]) for n in common)]
    need_sets += [frozenset(pair) for pair in itertools.combinations(common[:2], 2)]
    phase_sets = [frozenset[str](), *(frozenset([p]) for p in PHASES)]
    return [
        Filters(period, n, p, frozenset(), area)
        for n, p, area in itertools.product(
            need_sets, phase_sets, geography.areas if areas is None else areas
        )
    ]


def differencing(
    placements: pd.DataFrame,
    viewer: str,
    geography: Geography,
    rules: Rules,
    threshold: float,
    asked: Sequence[Filters],
    publish: Publisher = published_lines,
) -> list[str]:
    """Every two answers of `asked` where one's placements hold the other's: the lines shown in
    both whose figures differ, where the placements told apart are too few (judged on the
    truth: the attacker sees that the figures moved, the test knows by how many placements)."""
    read = {f: publish(placements, f, viewer, geography, rules, threshold) for f in asked}
    others = placements[placements["borough"] != viewer]
    basis = {f: _rows(others, f, geography) for f in asked}
    found = []
    for narrow, wide in itertools.permutations(asked, 2):
        if not _inside(narrow, wide, geography):
            continue
        for key, line in read[narrow].items():
            seen = read[wide].get(key)
            if seen is None or line.refused or seen.refused or _figures(line) == _figures(seen):
                continue
            left_out = basis[wide].get(key, frozenset()) - basis[narrow].get(key, frozenset())
            placed = len(left_out)
            boroughs = len({b for b, _ in left_out})
            quartiles = line.q1 is not None and seen.q1 is not None
            if (
                0 < placed < rules.min_placements
                or 0 < boroughs < rules.min_boroughs
                or (quartiles and 0 < placed < rules.min_placements_quartiles)
            ):
                found.append(
                    f"{wide.words()} less {narrow.words()}, {key[0]} {key[1]}: "
                    f"{placed} placements of {boroughs} boroughs"
                )
    return sorted(set(found))


def _figures(line: RateLine) -> tuple[object, ...]:
    return line.boroughs, line.spread, line.q1, line.q3


def _inside(narrow: Filters, wide: Filters, geography: Geography) -> bool:
    """Whether every placement `narrow` asks for is one `wide` asks for too (and not the same)."""
    if narrow == wide or narrow.period != wide.period:
        return False

    def holds(small: frozenset[str], big: frozenset[str]) -> bool:
        return not big or (bool(small) and small <= big)

    return (
        holds(narrow.needs, wide.needs)
        and holds(narrow.phases, wide.phases)
        and geography.areas[narrow.area] <= geography.areas[wide.area]
    )


def _rows(
    others: pd.DataFrame, filters: Filters, geography: Geography
) -> dict[tuple[str, str], frozenset[tuple[str, int]]]:
    """The placements an answer's filters keep, per line: (borough, row) pairs."""
    rows = matching(others, filters)
    if filters.area != LONDON:
        rows = rows[rows["borough"].isin(list(geography.areas[filters.area]))]
    index = dict(
        zip(rows.index, zip(rows["borough"].astype(str), rows.index, strict=True), strict=True)
    )
    groups: dict[tuple[str, str], pd.Index] = rows.groupby(  # type: ignore[assignment]
        [rows["provider_urn"].astype(str), rows["placement_type"]]
    ).groups
    return {
        (str(urn), str(kind)): frozenset(index[i] for i in where)
        for (urn, kind), where in groups.items()
    }
