"""The shipped attacker (issues 11 and 23): what a hostile data submitter can work out about the
other boroughs. Used by tests/unit/test_attack.py; run it on demand (both designs side by side):

    python -P bench/attack.py [--viewer 202] [--seed 2026] [--releases 6]

The attacker is a borough's data submitter who may upload crafted returns any number of times
(choosing placement ids, counts and fees), and read every view (`benchmark` need and provider
tables with every filter and their totals, `benchmark provider` per-type tables, rate lines) in a
1:1 chat, a group chat and a channel. It runs against a *publisher*: what a viewer in a given kind
of conversation reads, given the stored rows and, for the release design, the release.

- `LiveDesign`: the previous design (analytics/live_design.py, commit fa36096): figures about the
  others computed live from the stored rows, the viewer's own excluded in a 1:1 chat and included
  in a group chat or channel; raw percentiles; spread = highest over lowest borough average;
  record keys HMAC(secret, borough, period, placement id) under a public default secret.
- `ReleaseDesign`: figures about London come from a release (a frozen snapshot of every
  borough's rows, the same for every viewer everywhere); the viewer's own figures are live and
  shown to it alone; blended, noised quantiles; random record keys kept per placement id. An
  upload reaches others' figures at the next release only; the attacker gets `releases` of them
  (and, worst case, the secretariat accepts every crafted return).

The methods (each returns `Claim`s: an estimate of another borough's figure and the bound the
*public rules* of the design guarantee around it; the truth is filled in by the harness, which
knows the data, only to score):

1. group oracle (extremes): one very low, then one very high own fee at every provider and type;
   the group chat's rate-line spread times the own fee is the highest (lowest) other average.
2. order-statistic readout: 0, 1, 2 very low own fees in every `benchmark provider` cell; a
   median that is the mean of its neighbours' readings is one placement's fee.
3. key steering (known secret): 5 own placements in every provider/type cell, with ids chosen so
   the own record keys sum to chosen values; the perturbed counts pin the others' counts.
4. key averaging (unknown secret, 60 uploads): fresh ids each upload; the spread of the perturbed
   counts over the draws pins the count (exactly, when only one count could show every reading,
   or with 95 % posterior).
5. 1:1 vs group: no upload; where the group chat's spread differs from the 1:1 chat's, the
   viewer's own average is an extreme, and the two spreads give the others' extremes.
6. consecutive releases: the own rows change between releases (0, 1, 2 and 8 very low fees in a
   cell): readings of a median under the live rules (as method 2), and under the release rules a
   bracket: with 8 more low values below, the median's window of 5 moves down by exactly 4, so
   the placement at its lowest place is at most the first figure and at least the second.

And the count lattice (issue 11): every count a `benchmark` can show, as the intervals the text
allows, solved through the sums over full splits (needs, phases, types, providers, areas).

A finding: an other borough's average (or one placement's fee) whose bound is within 5 % of the
estimate and holds the truth (the attacker *knows* it), or a count of 1-4 pinned exactly, or a
zero told apart from 1-4. `Score` also gives the point estimates' median error.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analytics import disclosure, live_design
from analytics.benchmark_filters import Filters, Geography
from analytics.benchmarks import CostTable, cost_table
from analytics.disclosure import KEY_RANGE, Rules, count_interval, perturbed_count, window_size
from analytics.rates import ABOVE, BELOW, RateLine, borough_rates, fees, rate_lines
from analytics.returns_format import NEEDS, PHASES, PLACEMENT_TYPES

ALL = "*"
TOLERANCE = 0.05  # a figure is recovered when its bound is within 5 % of the estimate
CONVERSATIONS = ("1:1", "group chat", "channel")
GROUP = ("group chat", "channel")
LOW_FEE, HIGH_FEE = 1_000.0, 1_000_000.0  # far below and far above any real annual fee
UNKNOWN_SECRET = "the server's secret, unknown to the attacker"  # noqa: S105 (a test value)
SHIFT = 8  # own low fees that move a median's window of 5 down by exactly 4 places
METHODS = (
    "group oracle (extremes)",
    "order-statistic readout",
    "key steering (known secret)",
    "key averaging (unknown secret, 60 uploads)",
    "1:1 vs group",
    "consecutive releases",
)
LATTICE = "count lattice (every table, no upload)"


# Publishers ---------------------------------------------------------------------------------


class Publisher:
    """What the viewer reads in each kind of conversation, given the stored rows (and release).

    `submit` replaces the viewer's return (a re-submission); `release` cuts a release (nothing,
    in the live design). The views: `cost_table` (`benchmark <filters>`: by need or provider,
    with the total), `provider_table` (`benchmark provider`: the provider's fee by placement
    type), `rate_lines`."""

    name = ""
    live = False

    def __init__(
        self,
        rows: pd.DataFrame,
        viewer: str,
        geography: Geography,
        rules: Rules,
        threshold: float = 1.2,
    ) -> None:
        self.viewer, self.geography, self.rules, self.threshold = (
            viewer,
            geography,
            rules,
            threshold,
        )
        self.period = str(rows["period"].iloc[0])
        self.others = rows[rows["borough"] != viewer]
        self.stored = self._keyed(rows)
        self.releases = 0
        self.release()

    # the rows --------------------------------------------------------------------------------

    def _keyed(self, rows: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError

    def submit(self, own: pd.DataFrame) -> None:
        """The viewer's new return for the period replaces its previous one."""
        theirs = self.stored[self.stored["borough"] != self.viewer]
        mine = self._keyed(own.drop(columns=["record_key"], errors="ignore"))
        self.stored = pd.concat([theirs, mine], ignore_index=True)

    def release(self) -> None:
        self.releases += 1

    def own_rows(self) -> pd.DataFrame:
        return self.stored[self.stored["borough"] == self.viewer]

    # the views -------------------------------------------------------------------------------

    def cost_table(self, filters: Filters, by: str, conversation: str) -> CostTable:
        raise NotImplementedError

    def provider_table(self, urn: str, conversation: str) -> CostTable:
        raise NotImplementedError

    def rate_lines(
        self, conversation: str, providers: frozenset[str] = frozenset()
    ) -> list[RateLine]:
        raise NotImplementedError

    # the public rules, as the attacker knows them ----------------------------------------------

    def price_bounds(self, shown: float) -> tuple[float, float]:
        """Where the statistic a published price is lies (the figure as a card shows it)."""
        raise NotImplementedError


class LiveDesign(Publisher):
    """Commit fa36096: live figures; own rows out of a 1:1 chat's figures, in a group chat's."""

    name = "live design"
    live = True

    def __init__(
        self,
        rows: pd.DataFrame,
        viewer: str,
        geography: Geography,
        rules: Rules,
        threshold: float = 1.2,
        secret: str = live_design.DEFAULT_SECRET,
    ) -> None:
        self.secret = secret
        super().__init__(rows, viewer, geography, rules, threshold)

    def _keyed(self, rows: pd.DataFrame) -> pd.DataFrame:
        return rows.assign(record_key=live_design.record_keys(rows, self.secret))

    def _who(self, conversation: str) -> str | None:
        return self.viewer if conversation == "1:1" else None

    def cost_table(self, filters: Filters, by: str, conversation: str) -> CostTable:
        return live_design.cost_table(
            self.stored, filters, by, self._who(conversation), self.geography, self.rules, True
        )

    def provider_table(self, urn: str, conversation: str) -> CostTable:
        rows = self.stored[self.stored["provider_urn"] == urn]
        rows = rows.assign(total_cost=fees(rows))
        return live_design.cost_table(
            rows, Filters(self.period), "placement_type", self._who(conversation),
            self.geography, self.rules,
        )  # fmt: skip

    def rate_lines(
        self, conversation: str, providers: frozenset[str] = frozenset()
    ) -> list[RateLine]:
        rates = borough_rates(self.stored, self.period)
        return live_design.rate_lines(
            rates, self.stored, self._who(conversation), self.rules, self.threshold, providers
        )

    def price_bounds(self, shown: float) -> tuple[float, float]:
        figure = round(shown)  # a card shows whole pounds; the figure is exact
        return figure - 0.5, figure + 0.5


class ReleaseDesign(Publisher):
    """Commit 01cd59b: London's figures from the release, the same in every conversation; the
    viewer's own live rows beside them in its 1:1 chat. Record keys drawn at random by the server
    (its own generator, unknown to the attacker) when a placement id is first stored."""

    name = "release design"

    def __init__(
        self,
        rows: pd.DataFrame,
        viewer: str,
        geography: Geography,
        rules: Rules,
        threshold: float = 1.2,
        server_seed: int = 4_242,
    ) -> None:
        self.draw = np.random.default_rng(server_seed)
        self.keys: dict[tuple[str, str, str], int] = {}
        if not rules.cell_key_secret:
            rules = replace(rules, cell_key_secret=UNKNOWN_SECRET)
        super().__init__(rows, viewer, geography, rules, threshold)

    def _keyed(self, rows: pd.DataFrame) -> pd.DataFrame:
        ids = zip(
            rows["borough"].astype(str), rows["period"].astype(str),
            rows["placement_id"].astype(str), strict=True,
        )  # fmt: skip
        keys = []
        for spot in ids:
            if spot not in self.keys:
                self.keys[spot] = int(self.draw.integers(0, KEY_RANGE))
            keys.append(self.keys[spot])
        return rows.assign(record_key=np.array(keys, dtype=np.int64))

    def release(self) -> None:
        super().release()
        self.released = self.stored.copy()

    def _own(self, conversation: str) -> pd.DataFrame | None:
        return self.own_rows() if conversation == "1:1" else None

    def cost_table(self, filters: Filters, by: str, conversation: str) -> CostTable:
        return cost_table(
            self.released, filters, by, self.geography, self.rules, True, self._own(conversation)
        )

    def provider_table(self, urn: str, conversation: str) -> CostTable:
        rows = self.released[self.released["provider_urn"] == urn]
        own = self._own(conversation)
        if own is not None:
            own = own[own["provider_urn"] == urn]
            own = own.assign(total_cost=fees(own))
        return cost_table(
            rows.assign(total_cost=fees(rows)), Filters(self.period), "placement_type",
            self.geography, self.rules, own=own,
        )  # fmt: skip

    def rate_lines(
        self, conversation: str, providers: frozenset[str] = frozenset()
    ) -> list[RateLine]:
        return rate_lines(
            self.released, self._own(conversation), self.rules, self.threshold, providers
        )

    def price_bounds(self, shown: float) -> tuple[float, float]:
        """A blended figure moved by at most `price_noise` and rounded: the blend lies within."""
        half = self.rules.price_rounding / 2
        noise = self.rules.price_noise
        return (shown - half) / (1 + noise), (shown + half) / (1 - noise)


Design = type[Publisher]
DESIGNS: tuple[Design, ...] = (LiveDesign, ReleaseDesign)


# What the harness knows (to score), and the attacker's crafted returns ----------------------


@dataclass(frozen=True)
class Claim:
    """What a method says about another borough: an average fee ("average"), one placement's
    fee ("fee") or a count of placements ("count"), with the bound the public rules guarantee.
    `truth` is filled in by the harness, never used by the attacker."""

    method: str
    kind: str
    what: str
    estimate: float
    low: float
    high: float
    truth: float

    @property
    def holds(self) -> bool:
        return self.low <= self.truth <= self.high

    @property
    def known(self) -> bool:
        """The attacker knows the figure: its bound holds the truth and is tight enough."""
        if not self.holds:
            return False
        if self.kind == "count":
            return self.low == self.high and self.truth < 5
        return (
            np.isfinite(self.high)
            and self.low >= self.estimate * (1 - TOLERANCE)
            and self.high <= self.estimate * (1 + TOLERANCE)
        )

    @property
    def error(self) -> float:
        """The point estimate's relative error (prices), or its absolute error (counts)."""
        if self.kind == "count":
            return abs(self.estimate - self.truth)
        return abs(self.estimate / self.truth - 1) if self.truth else float("inf")


class World:
    """The stored returns as the harness knows them, and the attacker's crafted rows."""

    def __init__(self, rows: pd.DataFrame, viewer: str) -> None:
        self.rows, self.viewer = rows, viewer
        self.period = str(rows["period"].iloc[0])
        self.others = rows[rows["borough"] != viewer]
        self.own_real = rows[rows["borough"] == viewer]
        # every provider and placement type in the returns: the attacker can list them from GIAS
        # and the tables it reads (types a provider does not offer are kept: their zeros count)
        self.providers = tuple(sorted(rows["provider_urn"].astype(str).unique()))
        kinds = [k for k in PLACEMENT_TYPES if k in set(rows["placement_type"])]
        self.kinds = tuple(kinds)
        self.pairs = tuple(itertools.product(self.providers, self.kinds))
        theirs = self.others.assign(fee=fees(self.others))
        self.averages = theirs.groupby(["provider_urn", "placement_type", "borough"])["fee"].mean()
        self.fees = {
            (str(u), str(k)): np.sort(g.to_numpy())
            for (u, k), g in theirs.groupby(["provider_urn", "placement_type"])["fee"]
        }
        self.counts = Counter(
            zip(self.others["provider_urn"].astype(str), self.others["placement_type"], strict=True)
        )
        self.template = rows.iloc[0].to_dict()
        self.uploads = 0

    def extreme(self, urn: str, kind: str, highest: bool) -> float | None:
        try:
            theirs = self.averages.loc[(urn, kind)]
        except KeyError:
            return None
        return float(theirs.max() if highest else theirs.min())

    def nearest_fee(self, values: np.ndarray | None, estimate: float) -> float:
        if values is None or not len(values):
            return float("nan")
        return float(values[np.argmin(np.abs(values - estimate))])

    def crafted(self, specs: Iterable[tuple[str, str, float, str, str]]) -> pd.DataFrame:
        """A return of placements (provider URN, placement type, fee, placement id, need)."""
        records = []
        for urn, kind, fee, pid, need in specs:
            row = dict(self.template)
            row.update(
                borough=self.viewer, period=self.period, placement_id=pid, provider_urn=urn,
                placement_type=kind, primary_need=need, phase="secondary", core_fee=fee,
                residential_care=0.0, health=0.0, therapies=0.0, additional_staffing=0.0,
                total_cost=fee,
            )  # fmt: skip
            records.append(row)
        frame = pd.DataFrame.from_records(records, columns=list(self.rows.columns))
        return frame.astype({c: self.rows[c].dtype for c in ("core_fee", "total_cost")})

    def fresh(self, prefix: str) -> str:
        """A placement id the attacker has not used before."""
        self.uploads += 1
        return f"{self.viewer}-{prefix}{self.uploads}"


def _schedule(uploads: int, releases: int) -> set[int]:
    """After which uploads a release is cut (the last upload's always), `releases` in all."""
    if releases >= uploads:
        return set(range(uploads))
    return {round((i + 1) * uploads / releases) - 1 for i in range(releases)}


# 1. Group oracle (extremes) -----------------------------------------------------------------


def group_oracle(pub: Publisher, world: World) -> list[Claim]:
    method = METHODS[0]
    claims = []
    for fee, highest in ((LOW_FEE, True), (HIGH_FEE, False)):
        pub.submit(world.crafted(
            (u, k, fee, world.fresh("X"), "ASD") for u, k in world.pairs
        ))  # fmt: skip
        pub.release()
        for conversation in GROUP:
            for line in pub.rate_lines(conversation):
                truth = world.extreme(line.provider_urn, line.placement_type, highest)
                if line.spread is None or truth is None:
                    continue
                shown = round(line.spread, 2)  # as the card shows it
                side = "highest" if highest else "lowest"
                what = f"{line.provider_urn} {line.placement_type}: the {side} other average"
                estimate = shown * fee if highest else fee / shown
                if pub.live:  # highest over lowest of all boroughs, ours the lowest (highest)
                    bounds = sorted(
                        (fee * (shown - 0.005), fee * (shown + 0.005))
                        if highest
                        else (fee / (shown + 0.005), fee / (shown - 0.005))
                    )
                    low, high = bounds[0], bounds[1]
                else:  # upper over lower blended quartile: the rules bound no extreme
                    low, high = 0.0, float("inf")
                claims.append(Claim(method, "average", what, estimate, low, high, truth))
    return claims


# 5. 1:1 vs group ----------------------------------------------------------------------------


def one_to_one_vs_group(pub: Publisher, world: World) -> list[Claim]:
    """No upload: the viewer's real return, its lines read in a 1:1 chat and a group chat."""
    method = METHODS[4]
    pub.submit(world.own_real)
    pub.release()
    one = {(x.provider_urn, x.placement_type): x for x in pub.rate_lines("1:1")}
    claims = []
    for conversation in GROUP:
        for line in pub.rate_lines(conversation):
            mine = one.get((line.provider_urn, line.placement_type))
            own = mine.own_average if mine is not None else None
            if own is None or line.spread is None or mine is None:
                continue
            group = round(line.spread, 2)
            alone = round(mine.spread, 2) if mine.spread is not None else None
            if alone is not None and abs(group - alone) < 0.015:
                continue  # the same figure: ours is no extreme (or the design shows one figure)
            if mine.band not in (ABOVE, BELOW):
                continue  # an extreme, but which end is not known
            highest = mine.band == BELOW  # ours the lowest: the group spread gives the highest
            urn, kind = line.provider_urn, line.placement_type
            if pub.live:
                spread = (group - 0.005, group + 0.005)
                if highest:
                    extreme = (own * spread[0], own * spread[1])
                else:
                    extreme = (own / spread[1], own / spread[0])
            else:
                extreme = (0.0, float("inf"))  # no figure is a ratio to one borough's
            estimate = own * group if highest else own / group
            side = "highest" if highest else "lowest"
            truth = world.extreme(urn, kind, highest)
            if truth is None:
                continue
            what = f"{urn} {kind}: the {side} other average"
            claims.append(Claim(method, "average", what, estimate, *extreme, truth))
            if alone is not None and pub.live:  # the 1:1 spread: the others' other end
                other = (extreme[0] * (alone - 0.005), extreme[1] * (alone + 0.005))
                if highest:
                    other = (extreme[0] / (alone + 0.005), extreme[1] / (alone - 0.005))
                far = estimate * alone if not highest else estimate / alone
                truth_far = world.extreme(urn, kind, not highest)
                if truth_far is not None:
                    what = f"{urn} {kind}: the {'lowest' if highest else 'highest'} other average"
                    claims.append(Claim(method, "average", what, far, *other, truth_far))
    return claims


# 2. Order-statistic readout, 6. consecutive releases ------------------------------------------


Medians = dict[tuple[str, str], tuple[float, str]]


def _medians(pub: Publisher, world: World, conversation: str) -> Medians:
    """Every `benchmark provider` per-type median the viewer reads, with its count."""
    shown = {}
    for urn in world.providers:
        for cell in pub.provider_table(urn, conversation).cells:
            if cell.median is not None:
                shown[urn, cell.key] = (cell.median, cell.count)
    return shown


def _low_fees(world: World, counts: int | Mapping[tuple[str, str], int], tag: str) -> pd.DataFrame:
    """Very low fees in every provider/type cell, `counts` of them (one number for every cell,
    or per cell; the needs spread over the cells)."""
    each = counts if isinstance(counts, Mapping) else dict.fromkeys(world.pairs, counts)
    return world.crafted(
        (u, k, LOW_FEE + i, world.fresh(tag), NEEDS[n % len(NEEDS)])
        for n, (u, k) in enumerate(world.pairs)
        for i in range(each.get((u, k), 0))
    )


def _parity(method: str, pub: Publisher, world: World, readings: Sequence[Medians]) -> list[Claim]:
    """Readings of each median with 0, 1 and 2 very low own fees below the others'. Under the
    live rules a median of n values at position (n - 1) / 2 moves down half a place per low
    value, so when the middle reading is the mean of the other two, those two are single
    placements' fees (else it would take evenly spaced fees)."""
    claims = []
    first, middle_, last = readings
    for key, (m0, _) in first.items():
        if key not in middle_ or key not in last:
            continue
        m1, m2 = middle_[key][0], last[key][0]
        if abs(m0 - m2) <= 2:
            continue
        if abs(m1 - (m0 + m2) / 2) > 1:
            continue
        for figure in (m0, m2):
            if pub.live:
                low, high = pub.price_bounds(figure)
            else:
                low, high = 0.0, float("inf")  # a blend bounds no single value
            truth = world.nearest_fee(world.fees.get(key), figure)
            what = f"{key[0]} {key[1]}: a placement's fee near {figure:,.0f}"
            claims.append(Claim(method, "fee", what, figure, low, high, truth))
    return claims


def order_statistic_readout(pub: Publisher, world: World) -> list[Claim]:
    """One release: the uploads between two releases change what the viewer reads in the live
    design only (in the release design they wait for the next release)."""
    pub.submit(world.crafted([]))
    pub.release()
    readings = [_medians(pub, world, "1:1")]
    for count in (1, 2):
        pub.submit(_low_fees(world, count, "O"))
        readings.append(_medians(pub, world, "group chat"))
    return _parity(METHODS[1], pub, world, readings)


def consecutive_releases(pub: Publisher, world: World, releases: int = 6) -> list[Claim]:
    """Own rows changed between releases: none; very low fees in every need; then 1, 2 and a
    window's worth of very low fees in every provider/type cell. Live rules: the readout of
    method 2. Release rules: a median's window of w values with 2(w - 1) more values below moves
    down by exactly w - 1 places, so the value at the lowest place of the first window is the
    highest of the second: second figure <= that value <= first figure (each within the noise
    and rounding). The attacker is given each cell's true size, so it knows w exactly."""
    method = METHODS[5]
    claims: list[Claim] = []
    rules = pub.rules
    need_sizes = world.others.groupby("primary_need").size()
    cell_sizes = world.others.groupby(["provider_urn", "placement_type"]).size()
    need_shift = {n: _shift(int(need_sizes.get(n, 0)), rules, pub.live) for n in NEEDS}
    cell_shift = {
        pair: _shift(int(cell_sizes.get(pair, 0)), rules, pub.live) for pair in world.pairs
    }
    steps: list[tuple[str, pd.DataFrame]] = [
        ("none", world.crafted([])),
        (
            "needs",
            world.crafted(
                (world.providers[0], world.kinds[0], LOW_FEE + i, world.fresh("N"), need)
                for need in NEEDS
                for i in range(need_shift[need])
            ),
        ),
        ("one", _low_fees(world, dict.fromkeys(world.pairs, 1), "C")),
        ("two", _low_fees(world, dict.fromkeys(world.pairs, 2), "C")),
        ("window", _low_fees(world, cell_shift, "C")),
    ][: max(releases, 2)]
    need_tables: dict[str, CostTable] = {}
    medians: dict[str, Medians] = {}
    seen: dict[str, pd.DataFrame] = {}
    london = Filters(world.period)
    for name, own in steps:
        pub.submit(own)
        pub.release()
        seen[name] = pub.released if isinstance(pub, ReleaseDesign) else pub.stored
        conversation = "1:1" if name == "none" else "group chat"
        need_tables[name] = pub.cost_table(london, "primary_need", conversation)
        if name in ("none", "one", "two", "window"):
            medians[name] = _medians(pub, world, conversation)
    if pub.live:
        if all(k in medians for k in ("none", "one", "two")):
            claims += _parity(method, pub, world, [medians[k] for k in ("none", "one", "two")])
        return claims
    # release rules: brackets
    if "needs" in need_tables:
        before = {c.key: c.median for c in need_tables["none"].cells}
        after = {c.key: c.median for c in need_tables["needs"].cells}
        for need, first in before.items():
            second = after.get(need)
            size = int(need_sizes.get(need, 0))
            if first is None or second is None or not _room(size, need_shift[need], rules):
                continue
            values = _values(seen["none"], world.viewer, "primary_need", need, "total_cost")
            claims.append(_bracket(method, pub, f"{need}: a placement's total cost", first,
                                   second, values, rules))  # fmt: skip
    if "window" in medians:
        for key, (first, _) in medians["none"].items():
            second = medians["window"].get(key, (None, ""))[0]
            size = int(cell_sizes.get(key, 0))
            if second is None or not _room(size, cell_shift.get(key, 0), rules):
                continue
            rows = seen["none"][seen["none"]["provider_urn"] == key[0]]
            values = _values(rows.assign(total_cost=fees(rows)), world.viewer,
                             "placement_type", key[1], "total_cost")  # fmt: skip
            what = f"{key[0]} {key[1]}: a placement's fee"
            claims.append(_bracket(method, pub, what, first, second, values, rules))
    return claims


def _shift(size: int, rules: Rules, live: bool) -> int:
    """Own low values that move the median's window of a cell of `size` by all but one place."""
    return SHIFT if live else 2 * (window_size(max(size, 1), rules) - 1)


def _room(size: int, shift: int, rules: Rules) -> bool:
    """Whether the cell holds enough others' values below its median for the window to move
    by w - 1 places without reaching the own ones."""
    return size >= shift + window_size(size + shift, rules) + 4


def _values(rows: pd.DataFrame, viewer: str, by: str, key: str, column: str) -> np.ndarray:
    """The cell's values as the release held them (the harness's knowledge, for the truth)."""
    return rows.loc[rows[by] == key, column].to_numpy(dtype=float)


def _bracket(
    method: str,
    pub: Publisher,
    what: str,
    first: float,
    second: float,
    values: np.ndarray,
    rules: Rules,
) -> Claim:
    low = pub.price_bounds(second)[0]
    high = pub.price_bounds(first)[1]
    estimate = (low + high) / 2
    # the truth: the lowest value of the first median's window (the harness knows the values)
    order = np.sort(values)
    size = window_size(len(order), rules)
    start = round(0.5 * (len(order) - 1) - (size - 1) / 2)
    start = min(max(start, 0), len(order) - size)
    truth = float(order[start]) if len(order) >= rules.blend else float("nan")
    return Claim(method, "fee", f"{what} ({len(order)} placements)", estimate, low, high, truth)


# 3. Key steering, 4. key averaging -------------------------------------------------------------


def _count_views(pub: Publisher, world: World) -> dict[tuple[str, str], str]:
    """Every provider's published count per placement type (`benchmark <type>`, group chat)."""
    shown = {}
    for kind in world.kinds:
        table = pub.cost_table(
            Filters(world.period, placement_types=frozenset([kind])), "provider_urn", "group chat"
        )
        for cell in table.cells:
            shown[cell.key, kind] = cell.count
    return shown


def _steered_ids(world: World, secret: str, each: int) -> dict[int, list[str]]:
    """`each` placement ids for every record key the live design gives them under `secret`."""
    pool: dict[int, list[str]] = {}
    n = 0
    while len(pool) < KEY_RANGE or min(len(v) for v in pool.values()) < each:
        pid = f"{world.viewer}-K{n}"
        key = hmac.new(
            secret.encode(), f"{world.viewer}|{world.period}|{pid}".encode(), hashlib.sha256
        ).digest()[0]
        pool.setdefault(key, []).append(pid)
        n += 1
    return pool


def _outputs(rules: Rules, top: int) -> np.ndarray:
    """published[T, key] for T = 0..top: the perturbed count (0-4 as 0: "<5")."""
    table = np.array(
        [[perturbed_count(t, k, rules) for k in range(KEY_RANGE)] for t in range(top + 1)]
    )
    return np.where(table < rules.small_count, 0, table)


def key_steering(
    pub: Publisher, world: World, uploads: int = 32, releases: int = 6, own: int = 5
) -> list[Claim]:
    """`own` placements in every provider/type cell, ids chosen (with the public default
    secret) so the own keys sum to 8j + 37c (mod 256) at upload j in cell c: `own` - 1 fixed
    ids per cell and a last one whose key makes up the sum."""
    method = METHODS[2]
    secret = live_design.DEFAULT_SECRET
    pool = _steered_ids(world, secret, len(world.pairs) // KEY_RANGE + 12)
    fixed = {}
    for c, pair in enumerate(world.pairs):
        ids = [f"{world.viewer}-F{c}-{i}" for i in range(own - 1)]
        keys = [
            hmac.new(
                secret.encode(), f"{world.viewer}|{world.period}|{pid}".encode(), hashlib.sha256
            ).digest()[0]
            for pid in ids
        ]
        fixed[pair] = (ids, sum(keys))
    sums: dict[tuple[str, str], list[int]] = {key: [] for key in world.pairs}
    readings: dict[tuple[str, str], list[str]] = {key: [] for key in world.pairs}
    cut = _schedule(uploads, releases)
    for j in range(uploads):
        taken: Counter[int] = Counter()
        specs = []
        for c, (urn, kind) in enumerate(world.pairs):
            want = (8 * j + 37 * c) % KEY_RANGE
            ids, base = fixed[urn, kind]
            last = (want - base) % KEY_RANGE
            pid = pool[last][taken[last]]
            taken[last] += 1
            specs += [(urn, kind, 60_000.0, i, "ASD") for i in [*ids, pid]]
            sums[urn, kind].append(want)
        pub.submit(world.crafted(specs))
        if j in cut:
            pub.release()
        if pub.live or j in cut:  # between releases the release design shows the same figures
            shown = _count_views(pub, world)
            for key in world.pairs:
                readings[key].append(shown.get(key, "<5"))
    return _count_claims(method, pub, world, readings, sums if pub.live else None, own)


def key_averaging(
    pub: Publisher, world: World, uploads: int = 60, releases: int = 6
) -> list[Claim]:
    """6 to 10 own placements in every provider/type cell, fresh ids (fresh record keys) each
    upload; the attacker does not know the keys."""
    method = METHODS[3]
    own = {key: 6 + c % 5 for c, key in enumerate(world.pairs)}
    readings: dict[tuple[str, str], list[str]] = {key: [] for key in world.pairs}
    cut = _schedule(uploads, releases)
    for j in range(uploads):
        pub.submit(world.crafted(
            (u, k, 60_000.0, world.fresh("A"), "ASD")
            for (u, k), m in own.items() for _ in range(m)
        ))  # fmt: skip
        if j in cut:
            pub.release()
        if pub.live or j in cut:  # between releases the release design shows the same figures
            shown = _count_views(pub, world)
            for key in world.pairs:
                readings[key].append(shown.get(key, "<5"))
    return _count_claims(method, pub, world, readings, None, own)


def _count_claims(
    method: str,
    pub: Publisher,
    world: World,
    readings: Mapping[tuple[str, str], list[str]],
    sums: Mapping[tuple[str, str], list[int]] | None,
    own: int | Mapping[tuple[str, str], int],
) -> list[Claim]:
    """What the readings of a cell's count say of its total T (own + others'), by the public
    rules: the totals that could show every reading (with the own key sums `sums` known, for
    some key of the others'; else for some keys at all). A single one pins it; without known
    sums, the draws being independent, a total whose posterior is 95 % or more pins it too."""
    rules = pub.rules
    top = 40
    table = _outputs(rules, top)
    shift = np.arange(KEY_RANGE)
    claims = []
    for key, texts in readings.items():
        if not texts:
            continue
        mine = own if isinstance(own, int) else own[key]
        observed = np.array([_number(t) for t in texts])
        lows, highs = zip(*(count_interval(t, rules) for t in texts), strict=True)
        low = max(max(lows), mine)
        high = min(min(h if h is not None else top for h in highs), top)
        possible = []
        weights = []
        for total in range(low, high + 1):
            row = table[total]
            if sums is not None:
                index = (shift[:, None] + np.array(sums[key])[None, :]) % KEY_RANGE
                fits = bool((row[index] == observed[None, :]).all(axis=1).any())
                weight = 1.0
            else:
                share = np.array([(row == v).mean() for v in observed])
                fits = bool((share > 0).all())
                weight = float(np.prod(share))
            if fits:
                possible.append(total - mine)
                weights.append(weight)
        if not possible:
            continue
        truth = float(world.counts.get(key, 0))
        what = f"{key[0]} {key[1]}"
        if len(possible) == 1:
            estimate = lo = hi = float(possible[0])
            what += f" = {estimate:.0f} (the only count that fits)"
        else:
            best = int(np.argmax(weights))
            estimate = float(possible[best])
            sure = sums is None and weights[best] >= 0.95 * sum(weights)
            lo, hi = (estimate, estimate) if sure else (float(min(possible)), float(max(possible)))
            what += f" = {estimate:.0f} (95 % posterior)" if sure else ""
        claims.append(Claim(method, "count", what, estimate, lo, hi, truth))
    return claims


def _number(text: str) -> int:
    return int(text.replace(",", "")) if text[:1].isdigit() else 0


# The count lattice (issue 11) -----------------------------------------------------------------


def _interval(text: str, rules: Rules) -> tuple[float, float]:
    """What the reader learns from a published count."""
    low, high = count_interval(text, rules)
    return float(low), float("inf") if high is None else float(high)


class _Lattice:
    """Placements per (need, phase, type, provider, borough), each axis with a leading "*" (all
    of them), and per area: the other boroughs' (`everyone` False, the live design's 1:1 chat)
    or every borough's, the viewer's included (a release), the viewer's own kept apart."""

    def __init__(
        self, rows: pd.DataFrame, viewer: str, geography: Geography, everyone: bool = False
    ) -> None:
        self.viewer = viewer
        counted = rows if everyone else rows[rows["borough"] != viewer]
        self.providers = tuple(sorted(rows["provider_urn"].astype(str).unique()))
        self.boroughs = tuple(sorted(counted["borough"].astype(str).unique()))
        self.axes = (NEEDS, PHASES, PLACEMENT_TYPES, self.providers)
        self.areas = tuple(geography.areas)
        self.member = np.array(
            [[b in geography.areas[a] for b in self.boroughs] for a in self.areas], dtype=float
        ).reshape(len(self.areas), len(self.boroughs))
        self.theirs = np.array([b != viewer for b in self.boroughs], dtype=float)
        columns = ("primary_need", "phase", "placement_type", "provider_urn")
        codes = [
            pd.Index(values).get_indexer(pd.Index(counted[c].astype(str))) + 1
            for c, values in zip(columns, self.axes, strict=True)
        ]
        codes.append(pd.Index(self.boroughs).get_indexer(pd.Index(counted["borough"].astype(str))))
        shape = (*(len(v) + 1 for v in self.axes), len(self.boroughs))
        self.per_borough = np.zeros(shape)
        np.add.at(self.per_borough, tuple(codes), 1.0)
        keys = (
            counted["record_key"].to_numpy(dtype=float)
            if "record_key" in counted
            else np.zeros(len(counted))
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
        self.own = (self.per_borough * (1 - self.theirs)) @ self.member.T
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

    def solve(self, text: np.ndarray, rules: Rules) -> tuple[list[str], list[str], list[str]]:
        """Hidden counts of 0-4 of the other boroughs pinned exactly ("small"), pinned figures
        that are one other borough's placements ("single"), and true zeros told apart."""
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
        others = self.truth - self.own
        small, single, zeros = [], [], []
        for index in zip(*np.nonzero(pinned & ~given_exact), strict=True):
            assert low[index] == self.truth[index], "the attacker's intervals must hold the truth"
            theirs = others[index]
            if 1 <= theirs < rules.small_count:
                small.append(f"{self.label(index)} = {theirs:.0f}")
            if theirs == 0:
                zeros.append(f"{self.label(index)} = 0")
            if theirs > 0 and self._boroughs(index) == 1:
                single.append(f"{self.label(index)} = {theirs:.0f}, one borough's")
        for parent, children, along in self._neighbours():
            for child in children:
                both = pinned[parent] & pinned[child] & (others[child] > 0)
                rest = others[parent] - others[child]
                boroughs = self._difference(parent, child, along)
                hit = both & (rest > 0) & (boroughs == 1)
                for where in zip(*np.nonzero(hit), strict=True):
                    single.append(
                        f"{self._pair(parent, child, where)}: one borough's {rest[where]:.0f}"
                    )
                tiny = both & (rest >= 1) & (rest < rules.small_count)
                for where in zip(*np.nonzero(tiny), strict=True):
                    small.append(f"{self._pair(parent, child, where)} = {rest[where]:.0f}")
        return sorted(set(small)), sorted(set(single)), sorted(zeros)

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
        mine = self.per_borough[index[:4]] * self.member[index[4]] * self.theirs
        return int((mine > 0).sum())

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
        """How many other boroughs have placements in parent less child, per cell of the slice."""
        theirs = self.per_borough * self.theirs
        if axis == "areas":
            keep = self.member[parent[4]] - self.member[child[4]]
            return np.asarray(((theirs * keep) > 0).sum(axis=-1))
        rest = theirs[parent[:4]] - theirs[child[:4]]
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


def lattice(pub: Publisher, world: World) -> tuple[list[str], list[str], list[str]]:
    """The count lattice of what the viewer's real return and the current figures publish: the
    others' counts (live design, 1:1 chat) or the release's (release design, own known)."""
    pub.submit(world.own_real)
    pub.release()
    rows = pub.released if isinstance(pub, ReleaseDesign) else pub.stored
    grid = _Lattice(rows, world.viewer, pub.geography, everyone=not pub.live)
    text, _ = grid.publish(pub.rules)
    return grid.solve(text, pub.rules)


# Running it all -----------------------------------------------------------------------------


@dataclass
class Score:
    """What one design gave away, per method."""

    design: str
    claims: dict[str, list[Claim]] = field(default_factory=dict)
    lattice: tuple[list[str], list[str], list[str]] = ([], [], [])

    def known(self, method: str, kind: str) -> set[str]:
        """What the method knows, one entry a figure (a count's cell, whatever its reading)."""
        claims = self.claims.get(method, [])
        return {c.what.split(" = ")[0] for c in claims if c.kind == kind and c.known}

    def averages(self, method: str | None = None) -> set[str]:
        return self._all("average", method)

    def fees(self, method: str | None = None) -> set[str]:
        return self._all("fee", method)

    def counts(self, method: str | None = None) -> set[str]:
        found = self._all("count", method)
        if method in (None, LATTICE):
            small, _, zeros = self.lattice
            found |= {f"{s.split(' = ')[0]} (lattice)" for s in [*small, *zeros]}
        return found

    def _all(self, kind: str, method: str | None) -> set[str]:
        methods = self.claims if method is None else [method]
        return set().union(*(self.known(m, kind) for m in methods))

    def median_error(self, method: str) -> float | None:
        errors = [c.error for c in self.claims.get(method, []) if c.kind != "count"]
        errors = [e for e in errors if np.isfinite(e)]
        return float(np.median(errors)) if errors else None


def run(
    design: Design,
    rows: pd.DataFrame,
    viewer: str,
    geography: Geography,
    rules: Rules,
    *,
    releases: int = 6,
    methods: Sequence[str] = (*METHODS, LATTICE),
    uploads: tuple[int, int] = (32, 60),
) -> Score:
    """Every method against a fresh publisher of `design` over `rows` (one period)."""
    world = World(rows, viewer)
    runs: dict[str, Callable[[Publisher], list[Claim]]] = {
        METHODS[0]: lambda p: group_oracle(p, world),
        METHODS[1]: lambda p: order_statistic_readout(p, world),
        METHODS[2]: lambda p: key_steering(p, world, uploads[0], releases),
        METHODS[3]: lambda p: key_averaging(p, world, uploads[1], releases),
        METHODS[4]: lambda p: one_to_one_vs_group(p, world),
        METHODS[5]: lambda p: consecutive_releases(p, world, releases),
    }
    score = Score(design.name)
    for method in methods:
        if method == LATTICE:
            score.lattice = lattice(design(rows, viewer, geography, rules), world)
            continue
        score.claims[method] = runs[method](design(rows, viewer, geography, rules))
    return score
