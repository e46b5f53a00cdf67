"""The shipped attacker (analytics/attack.py, issues 11 and 23): a data submitter who uploads
crafted returns and reads every view in every kind of chat, over consecutive releases.

Against the previous, live design (analytics/live_design.py) each method still finds what it
found, so these checks can fail; against the release design each finds nothing (the windows that
grow with a cell, counts that stay when they are multiples of 5, and counts of cells that too few
boroughs share withheld made the last three methods come back empty). The attacker's bounds hold the truth on
generated London datasets, and its fast count lattice is what the tables publish."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import attack, live_design
from analytics.attack import (
    LATTICE,
    METHODS,
    LiveDesign,
    ReleaseDesign,
    Score,
    _Lattice,
    run,
)
from analytics.benchmark_filters import Filters
from analytics.benchmarks import cost_table
from analytics.disclosure import Rules, published_count, with_record_keys
from analytics.returns_format import NEEDS, PHASES, PLACEMENT_TYPES
from analytics.returns_synthetic import synthetic_returns
from forum_ops.members.reference import LOCAL_AUTHORITIES
from tests.support.disclosure import BOROUGHS, CAMDEN, GEOGRAPHY, PERIOD, placements
from tests.support.examples import examples

RULES = Rules()
(GROUP_ORACLE, ORDER_STATISTICS, KEY_STEERING, KEY_AVERAGING, ONE_TO_ONE, RELEASES) = METHODS
UPLOADS = (32, 30)  # key steering, key averaging (the bench averages over 60)


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return synthetic_returns([la.code for la in LOCAL_AUTHORITIES], seed=2026).placements


@pytest.fixture(scope="module")
def quarter(demo: pd.DataFrame) -> pd.DataFrame:
    """A sixth of the demo's providers (every borough's placements at them): fast enough."""
    urns = sorted(demo["provider_urn"].unique())
    return demo[demo["provider_urn"].isin(urns[::6])]


def found(score: Score, method: str) -> tuple[int, int, int]:
    return len(score.averages(method)), len(score.fees(method)), len(score.counts(method))


# What the live design gave away --------------------------------------------------------------

LIVE_FINDS = {  # method: which of (averages, fees, counts) it recovers from the live design
    GROUP_ORACLE: 0,  # the highest (lowest) other borough's average, from the group's spread
    ORDER_STATISTICS: 1,  # one placement's fee, read from a raw median
    KEY_STEERING: 2,  # counts of 0-4, with the public default secret
    KEY_AVERAGING: 2,  # counts of 0-4, averaging fresh noise draws
    ONE_TO_ONE: 0,  # the others' extremes, where the viewer's own average is one
    RELEASES: 1,  # one placement's fee, over successive uploads
}


@pytest.mark.parametrize("method", METHODS)
def test_the_attacker_finds_what_the_live_design_gave_away(
    quarter: pd.DataFrame, method: str
) -> None:
    score = run(LiveDesign, quarter, CAMDEN, GEOGRAPHY, RULES, methods=[method], uploads=UPLOADS)

    kinds = found(score, method)
    assert kinds[LIVE_FINDS[method]] >= 3
    claims = score.claims[method]
    exact = [c for c in claims if c.kind != "count" or "posterior" not in c.what]
    assert all(c.holds for c in exact if c.known)  # what it claims to know is true
    if method in (GROUP_ORACLE, ONE_TO_ONE):
        errors = [c.error for c in claims if c.known]
        assert np.median(errors) < 0.005  # single boroughs' averages, to within 0.5 %


def test_the_count_lattice_tells_zeros_apart_in_the_live_design(demo: pd.DataFrame) -> None:
    score = run(LiveDesign, demo, CAMDEN, GEOGRAPHY, RULES, methods=[LATTICE])

    assert len(score.counts(LATTICE)) > 100


def test_the_attacker_finds_the_leaks_of_exact_counts(demo: pd.DataFrame) -> None:
    # the lattice published as the rules before issue 11 did (exact from 5, "<5" below, 0
    # exact): sums over full splits give hidden counts and single boroughs' placements away
    lattice = _Lattice(demo[demo["period"] == PERIOD], CAMDEN, GEOGRAPHY)
    exact = np.vectorize(lambda n: "<5" if 0 < n < 5 else str(int(n)), otypes=[object])

    small, single, _ = lattice.solve(exact(lattice.truth), RULES)

    assert len(small) >= 50
    assert single


# What the release design gives away ----------------------------------------------------------


@pytest.mark.parametrize(
    "method",
    [*METHODS, LATTICE],
)
def test_the_attacker_learns_nothing_from_the_release_design(
    demo: pd.DataFrame, quarter: pd.DataFrame, method: str
) -> None:
    rows = demo if method == LATTICE else quarter
    score = run(ReleaseDesign, rows, CAMDEN, GEOGRAPHY, RULES, methods=[method], uploads=UPLOADS)

    assert found(score, method) == (0, 0, 0)
    claims = score.claims.get(method, [])
    assert all(c.holds for c in claims if c.kind != "count" and np.isfinite(c.high))


def test_every_view_is_the_same_in_every_conversation(quarter: pd.DataFrame) -> None:
    # rule 4: the release's figures do not depend on where they are read; only the viewer's
    # own live figures are added in its 1:1 chat
    pub = ReleaseDesign(quarter, CAMDEN, GEOGRAPHY, RULES)
    pub.submit(quarter[quarter["borough"] == CAMDEN].head(20))  # waits for the next release
    filters = [Filters(PERIOD), Filters(PERIOD, frozenset(["SEMH"]), area="Inner")]
    urns = sorted(quarter["provider_urn"].unique())[:6]

    def views(conversation: str) -> list[object]:
        tables = [pub.cost_table(f, by, conversation) for f in filters
                  for by in ("primary_need", "provider_urn")]  # fmt: skip
        tables += [pub.provider_table(urn, conversation) for urn in urns]
        shown = [
            [(c.key, c.count, c.median, c.q1, c.q3, c.p10, c.p90, c.refused) for c in t.cells
             if c.count != "<5"]
            for t in tables
        ]  # fmt: skip
        lines = [(x.provider_urn, x.placement_type, x.boroughs, x.spread, x.q1, x.q3)
                 for x in pub.rate_lines(conversation) if not x.refused]  # fmt: skip
        return [*shown, lines]

    one, group, channel = (views(c) for c in attack.CONVERSATIONS)

    assert one == group == channel
    assert any(c.own for c in pub.cost_table(filters[0], "provider_urn", "1:1").cells)
    assert not any(c.own for c in pub.cost_table(filters[0], "provider_urn", "group chat").cells)


# Generated London datasets -------------------------------------------------------------------

CHEAP = (GROUP_ORACLE, ORDER_STATISTICS, ONE_TO_ONE)


@settings(
    max_examples=examples(8),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(BOROUGHS),
            st.sampled_from(["ASD", "SEMH", "VI"]),
            st.sampled_from(["140007", "140014"]),
            st.integers(20_000, 200_000).map(float),
            st.sampled_from(PHASES),
            st.sampled_from(PLACEMENT_TYPES[:2]),
        ),
        min_size=5,
        max_size=80,
    ),
    viewer=st.sampled_from(BOROUGHS),
)
def test_the_attackers_bounds_hold_on_generated_returns(
    rows: list[tuple[str, str, str, float, str, str]], viewer: str
) -> None:
    frame = placements([r[:4] for r in rows]).assign(
        phase=[r[4] for r in rows],
        placement_type=[r[5] for r in rows],
        placement_id=[f"P{n}" for n in range(len(rows))],
    )
    release = run(ReleaseDesign, frame, viewer, GEOGRAPHY, RULES, methods=CHEAP)
    live = run(LiveDesign, frame, viewer, GEOGRAPHY, RULES, methods=CHEAP)

    for method in CHEAP:
        assert found(release, method) == (0, 0, 0)
        # the attacker's reasoning is sound: what it says it knows is true
        assert all(c.holds for c in live.claims[method] if c.known)
        assert all(c.holds for c in release.claims[method] if np.isfinite(c.high))


# The count lattice is what the tables publish -------------------------------------------------


def test_the_lattice_is_what_the_tables_publish(demo: pd.DataFrame) -> None:
    chosen = [(0, 0, 0), (2, 0, 0), (0, 2, 1), (1, 1, 3), (5, 3, 2)]
    live = live_design.with_record_keys(demo)
    release = with_record_keys(demo, seed=7)
    for rows, everyone in ((live, False), (release, True)):
        lattice = _Lattice(rows, CAMDEN, GEOGRAPHY, everyone)
        text, _ = lattice.publish(RULES)
        areas = [lattice.areas.index(a) for a in ("London", "Inner", "South East")]
        for (need, phase, kind), area in itertools.product(chosen, areas):
            filters = Filters(
                PERIOD,
                frozenset([NEEDS[need - 1]] if need else []),
                frozenset([PHASES[phase - 1]] if phase else []),
                frozenset([PLACEMENT_TYPES[kind - 1]] if kind else []),
                lattice.areas[area],
            )
            table = (
                cost_table(rows, filters, "provider_urn", GEOGRAPHY, RULES, True)
                if everyone
                else live_design.cost_table(
                    rows, filters, "provider_urn", CAMDEN, GEOGRAPHY, RULES, True
                )
            )
            for cell in table.cells:
                index = (need, phase, kind, lattice.providers.index(cell.key) + 1, area)
                assert cell.count == text[index]
            total = table.total.count if table.total is not None else "<5"  # no line: under 5
            assert total == text[need, phase, kind, 0, area]


def test_published_counts_add_up_only_to_multiples_of_five() -> None:
    shown = [published_count(n, key, RULES) for n in range(0, 60) for key in range(256)]
    numbers = [int(s) for s in shown if not s.startswith("<")]

    assert all(n % 5 == 0 and n >= 5 for n in numbers)  # so any sum or difference is too
    assert {s for n, s in zip(np.repeat(range(60), 256), shown, strict=True) if n < 5} == {"<5"}
    # unbiased: over the keys, the mean published figure is the true count
    for n in (7, 12, 20, 33):
        mean = np.mean([int(published_count(n, key, RULES)) for key in range(256)])
        assert mean == pytest.approx(n, abs=0.1)
