"""The shipped attacker (analytics/attack.py, issue 11) against the published figures: on the
demo data and on generated returns, no hidden count under 5, no single borough's placements and
no other borough's average fee is recovered. The attacker itself is checked to find leaks where
there are some, and its fast lattice to be what the benchmark tables publish."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.attack import (
    Lines,
    _Lattice,
    attack,
    differencing,
    published_lines,
    reachable_filters,
)
from analytics.benchmark_filters import LONDON, Filters, Geography, matching
from analytics.benchmarks import cost_table
from analytics.disclosure import Rules, published_count, with_record_keys
from analytics.rates import borough_rates, rate_lines
from analytics.returns_format import NEEDS, PHASES, PLACEMENT_TYPES
from analytics.returns_synthetic import synthetic_returns
from forum_ops.reference import LOCAL_AUTHORITIES
from tests.support.disclosure import (
    BARNET,
    BOROUGHS,
    BROMLEY,
    ENFIELD,
    GEOGRAPHY,
    GREENWICH,
    ISLINGTON,
    PERIOD,
    placements,
)

RULES = Rules()
CAMDEN = "202"


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    frame = synthetic_returns([la.code for la in LOCAL_AUTHORITIES], seed=2026).placements
    return with_record_keys(frame, RULES)


def test_the_attacker_recovers_nothing_from_the_demo_data(demo: pd.DataFrame) -> None:
    asked = reachable_filters(demo, PERIOD, GEOGRAPHY, 2, [LONDON, "South East"])
    found = attack(demo, PERIOD, CAMDEN, GEOGRAPHY, RULES, oracle=3, filters=asked)

    assert found.tables > 4_000  # every benchmark table and rate line Camden can reach
    assert found.small_counts == ()
    assert found.single_borough == ()
    assert found.averages == ()
    assert found.differences == ()  # no rate line moves between a filtered and a wider answer


def test_the_attacker_finds_the_leaks_of_exact_counts(demo: pd.DataFrame) -> None:
    # the same lattice published as the old rules did (exact from 5, "<5" below, 0 exact):
    # sums over full splits give hidden counts and single boroughs' placements away
    lattice = _Lattice(demo[demo["period"] == PERIOD], CAMDEN, GEOGRAPHY)
    exact = np.vectorize(lambda n: "<5" if 0 < n < 5 else str(int(n)), otypes=[object])

    small, single = lattice.solve(exact(lattice.truth), RULES)

    assert len(small) >= 50
    assert single


def test_the_lattice_is_what_the_tables_publish(demo: pd.DataFrame) -> None:
    lattice = _Lattice(demo[demo["period"] == PERIOD], CAMDEN, GEOGRAPHY)
    text, _ = lattice.publish(RULES)
    chosen = [(0, 0, 0), (2, 0, 0), (0, 2, 1), (1, 1, 3), (5, 3, 2)]
    for (need, phase, kind), area in itertools.product(chosen, range(len(lattice.areas))):
        filters = Filters(
            PERIOD,
            frozenset([NEEDS[need - 1]] if need else []),
            frozenset([PHASES[phase - 1]] if phase else []),
            frozenset([PLACEMENT_TYPES[kind - 1]] if kind else []),
            lattice.areas[area],
        )
        table = cost_table(demo, filters, "provider_urn", CAMDEN, GEOGRAPHY, RULES, True)
        for cell in table.cells:
            index = (need, phase, kind, lattice.providers.index(cell.key) + 1, area)
            assert cell.count == text[index]
        total = table.total.count if table.total is not None else "<5"  # no line: under 5
        assert total == text[need, phase, kind, 0, area]
        if not need:
            needs = cost_table(demo, filters, "primary_need", CAMDEN, GEOGRAPHY, RULES, True)
            for cell in needs.cells:
                assert cell.count == text[NEEDS.index(cell.key) + 1, phase, kind, 0, area]


def test_published_counts_add_up_only_to_multiples_of_five() -> None:
    shown = [published_count(n, key, RULES) for n in range(0, 60) for key in range(256)]
    numbers = [int(s) for s in shown if not s.startswith("<")]

    assert all(n % 5 == 0 and n >= 5 for n in numbers)  # so any sum or difference is too
    assert {s for n, s in zip(np.repeat(range(60), 256), shown, strict=True) if n < 5} == {"<5"}
    # unbiased: over the keys, the mean published figure is the true count
    for n in (7, 12, 20, 33):
        mean = np.mean([int(published_count(n, key, RULES)) for key in range(256)])
        assert mean == pytest.approx(n, abs=0.1)


@settings(
    max_examples=80,
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
        min_size=1,
        max_size=60,
    ),
    viewer=st.sampled_from(BOROUGHS),
)
def test_the_attacker_recovers_nothing_from_generated_returns(
    rows: list[tuple[str, str, str, float, str, str]], viewer: str
) -> None:
    frame = placements([r[:4] for r in rows]).assign(
        phase=[r[4] for r in rows],
        placement_type=[r[5] for r in rows],
        placement_id=[f"P{n}" for n in range(len(rows))],
    )
    asked = [  # a filtered answer, two wider ones and a narrower one
        Filters(PERIOD),
        Filters(PERIOD, frozenset(["SEMH"])),
        Filters(PERIOD, frozenset(["SEMH", "ASD"])),
        Filters(PERIOD, frozenset(["SEMH"]), frozenset(["secondary"]), area="Inner"),
    ]
    keyed = with_record_keys(frame, RULES)
    found = attack(keyed, PERIOD, viewer, GEOGRAPHY, RULES, oracle=1, filters=asked)

    assert found.small_counts == ()
    assert found.single_borough == ()
    assert found.averages == ()
    assert found.differences == ()


# Rate lines under filters (`benchmark SEMH`, `benchmark SEMH secondary Inner`) ---------------

TWIN = "140007"
BOROUGH_FEES = {CAMDEN: 40_000.0, ISLINGTON: 50_000.0, BARNET: 60_000.0, ENFIELD: 70_000.0}


def one_odd_placement() -> pd.DataFrame:
    """Four boroughs with 3 SEMH day placements each at one provider, and Greenwich's single ASD
    one there: `benchmark` less `benchmark SEMH` is Greenwich's one placement."""
    rows = [(b, "SEMH", TWIN, fee + 1_000 * n) for b, fee in BOROUGH_FEES.items() for n in range(3)]
    rows.append((GREENWICH, "ASD", TWIN, 150_000.0))
    frame = placements(rows).assign(placement_id=[f"P{n}" for n in range(len(rows))])
    return with_record_keys(frame, RULES)


def lines_narrowed_by_every_filter(
    frame: pd.DataFrame, filters: Filters, viewer: str, geography: Geography, rules: Rules,
    threshold: float,
) -> Lines:  # fmt: skip
    """The rate lines as the previous session published them: of the filtered placements."""
    rows = matching(frame, filters)
    if filters.area != LONDON:
        area = geography.areas[filters.area]
        rows = rows[rows["borough"].isin(list(area)) | (rows["borough"] == viewer)]
    lines = rate_lines(borough_rates(rows, filters.period), rows, viewer, rules, threshold)
    return {(x.provider_urn, x.placement_type): x for x in lines}


ASKED = [Filters(PERIOD), Filters(PERIOD, frozenset(["SEMH"])), Filters(PERIOD, frozenset(["ASD"]))]


def test_the_attacker_tells_one_placement_from_lines_narrowed_by_filters() -> None:
    frame = one_odd_placement()

    found = differencing(
        frame, BROMLEY, GEOGRAPHY, RULES, 1.2, ASKED, lines_narrowed_by_every_filter
    )

    assert found == [
        f"London, {PERIOD} less SEMH, London, {PERIOD}, {TWIN} day: 1 placements of 1 boroughs"
    ]


def test_a_line_is_the_same_in_every_benchmark_that_lists_its_provider() -> None:
    frame = one_odd_placement()
    everything, semh, asd = (
        published_lines(frame, f, BROMLEY, GEOGRAPHY, RULES, 1.2) for f in ASKED
    )

    assert semh == everything  # Greenwich's ASD placement counts in both or in neither
    assert semh[TWIN, "day"].boroughs == 5
    assert semh[TWIN, "day"].spread is not None
    assert asd == {}  # one placement: the table does not list the provider, nor the lines
    assert differencing(frame, BROMLEY, GEOGRAPHY, RULES, 1.2, ASKED) == []


def test_a_provider_line_with_one_other_borough_shows_no_figure() -> None:
    rows = [(CAMDEN, "SEMH", TWIN, 50_000.0 + n) for n in range(3)]
    rows += [(ISLINGTON, "SEMH", TWIN, 90_000.0 + n) for n in range(6)]
    frame = with_record_keys(
        placements(rows).assign(placement_id=[f"P{n}" for n in range(len(rows))]), RULES
    )

    for filters in ASKED[:2]:
        line = published_lines(frame, filters, CAMDEN, GEOGRAPHY, RULES, 1.2)[TWIN, "day"]
        assert line.refused
        assert line.spread is None
        assert line.q1 is None
        assert line.boroughs == 0
