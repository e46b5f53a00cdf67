"""Disclosure control (DOMAIN.md rules 1-10) over a release: one hand-made case per rule that
must be withheld and one that must be shown, then properties over generated releases: no
published price is one placement's or one borough's value, and a borough's own live rows never
move London's figures (the attacker in tests/unit/test_attack.py tries the rest)."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.benchmark_filters import LONDON, Filters
from analytics.benchmarks import CostCell, cost_table
from analytics.disclosure import (
    Contributions,
    Rules,
    blended,
    price_refusal,
    published_count,
    quantile,
)
from analytics.rates import ABOVE, BELOW, TOO_FEW, rate_lines
from tests.support.disclosure import (
    BARNET,
    BOROUGHS,
    CAMDEN,
    ENFIELD,
    GEOGRAPHY,
    GREENWICH,
    HARINGEY,
    ISLINGTON,
    LAMBETH,
    PERIOD,
    placements,
)
from tests.support.examples import examples

RULES = Rules(cell_key_secret="test secret")
MOVE = RULES.price_noise  # a published price is within this share of its blend...
ROUND = RULES.price_rounding / 2  # ...and this many pounds


def by_need(
    frame: pd.DataFrame,
    rules: Rules = RULES,
    own: pd.DataFrame | None = None,
    **filters: object,
) -> dict[str, CostCell]:
    table = cost_table(frame, Filters(PERIOD, **filters), "primary_need", GEOGRAPHY, rules, own=own)  # type: ignore[arg-type]
    return {cell.key: cell for cell in table.cells}


def balanced(
    boroughs: list[str], each: int = 2, need: str = "SEMH"
) -> list[tuple[str, str, str, float]]:
    return [
        (b, need, "140007", 60_000.0 + 1_000 * i + 100 * n)
        for n, b in enumerate(boroughs)
        for i in range(each)
    ]


def near(published: float | None, value: float) -> bool:
    return published is not None and abs(published - value) <= MOVE * value + ROUND


# Rule 1 ---------------------------------------------------------------------------------------


def test_rule_1_counts_under_five_read_less_than_five() -> None:
    # zero too (rule 8): where "0" is exact, "<5" says "at least one"; from 5 up, rounded
    shown = [published_count(n, 128, RULES) for n in (0, 1, 4, 5, 1234)]
    assert shown == ["<5", "<5", "<5", "5", "1,235"]


# Rule 2 ---------------------------------------------------------------------------------------


def test_rule_2_prices_need_three_boroughs_and_five_placements() -> None:
    two = placements(balanced([BARNET, ENFIELD], each=4))
    few = by_need(placements(balanced([BARNET, ENFIELD, HARINGEY], each=1)))
    enough = placements(balanced([BARNET, ENFIELD, HARINGEY], each=2))
    shown = by_need(enough)["SEMH"]

    assert "SEMH" not in by_need(two)  # 8 placements of 2 boroughs: not even a count
    barnet = by_need(two, own=two[two["borough"] == BARNET])["SEMH"]  # listed for its own rows
    assert (barnet.count, barnet.refused, barnet.median) == ("–", "fewer than 3 boroughs", None)
    assert "SEMH" not in few  # under 5 placements and none of the viewer's: no line at all
    assert shown.refused == ""
    middle_five = np.sort(enough["total_cost"].to_numpy())[:5]  # 6 values: the 5 nearest
    assert near(shown.median, float(middle_five.mean()))
    assert shown.median % RULES.price_rounding == 0  # type: ignore[operator]


def test_a_count_is_published_only_where_three_boroughs_share_the_cell_and_none_dominates() -> None:
    # a borough filling a cell with its own rows could otherwise read the others' count as the
    # published one less its own: with its own at most half, the others hold at least as many
    dominated = placements(
        balanced([BARNET], each=9) + balanced([ENFIELD, HARINGEY], each=2, need="SEMH")
    )
    shared = placements(balanced([BARNET, ENFIELD, HARINGEY], each=3))

    assert "SEMH" not in by_need(dominated)
    assert by_need(shared)["SEMH"].count in {"5", "10"}


def test_rule_2_a_published_quantile_blends_three_boroughs_or_is_withheld() -> None:
    # Barnet holds the middle of the fees: a median of its placements would be its own fee
    rows = [(BARNET, "SEMH", "140007", 70_000.0)] * 5  # half the placements: counted
    rows += [
        (b, "SEMH", "140007", fee) for b in (ENFIELD, HARINGEY) for fee in (40_000.0, 90_000.0)
    ]
    rows += [(ISLINGTON, "SEMH", "140007", 95_000.0)]
    values = np.array([r[3] for r in rows])
    whose = np.array([r[0] for r in rows])

    assert blended(values, whose, 0.5, RULES) is None  # the five around the middle: Barnet's
    cell = by_need(placements(rows))["SEMH"]
    assert cell.count == "10"
    assert (cell.median, cell.refused) == (None, "too few boroughs around the middle")


def test_rule_2_quartiles_need_ten_placements_and_never_a_raw_extreme() -> None:
    nine = by_need(placements(balanced([BARNET, ENFIELD, HARINGEY], each=3)))["SEMH"]
    ten = placements(balanced([CAMDEN, BARNET, ENFIELD, HARINGEY, ISLINGTON], each=2))
    shown = by_need(ten)["SEMH"]

    assert nine.median is not None
    assert (nine.quartiles_refused, nine.q1, nine.p10) == ("fewer than 10 placements", None, None)
    assert shown.q1 is not None
    assert shown.p10 is not None
    assert shown.p90 is not None
    lowest_five = np.sort(ten["total_cost"].to_numpy())[:5]
    assert near(shown.p10, float(lowest_five.mean()))  # the 5 nearest the 10th percentile


def test_prices_move_the_same_way_for_the_same_values_and_afresh_for_others() -> None:
    values = np.array([61_000.0, 62_000.0, 63_000.0, 64_000.0, 65_000.0])
    whose = np.array([BARNET, ENFIELD, HARINGEY, BARNET, ENFIELD])
    one = quantile(values, whose, 0.5, RULES)
    moved = [
        quantile(values + np.array([0, 0, 0, 0, step]), whose, 0.5, RULES)
        for step in range(1, 200, 10)
    ]

    assert one == quantile(values.copy(), whose, 0.5, RULES)  # every table, every viewer
    assert near(one, 63_000.0)
    assert len(set(moved)) > 3  # one placement's fee changed: a fresh draw, not a readable step
    others = {
        quantile(values, whose, 0.5, replace(RULES, cell_key_secret=f"s{i}")) for i in range(9)
    }
    assert len(others) > 3  # the server's secret keys the noise


# Rule 3 ---------------------------------------------------------------------------------------


def test_rule_3_the_p_percent_rule_on_borough_spend() -> None:
    dominated = Contributions({"a": 2, "b": 2, "c": 2}, {"a": 100_000, "b": 5_000, "c": 4_000})
    spread = Contributions({"a": 2, "b": 2, "c": 2}, {"a": 100_000, "b": 50_000, "c": 20_000})

    assert price_refusal(dominated, RULES) == "one borough's spend dominates"
    assert price_refusal(spread, RULES) == ""


# Rule 4 ---------------------------------------------------------------------------------------


def test_rule_4_london_is_the_same_for_every_viewer_and_own_rows_stand_beside_it() -> None:
    release = placements(
        [*balanced([CAMDEN, BARNET, ENFIELD, HARINGEY], each=3), (CAMDEN, "PD", "140014", 9e4)]
    )
    camden_now = placements([(CAMDEN, "PD", "140014", 95_000.0), (CAMDEN, "SEMH", "140007", 1.0)])
    nobody = by_need(release)
    camden = by_need(release, own=camden_now)

    assert camden["PD"].own is not None
    assert camden["PD"].own.highest == 95_000  # live, not as released
    assert nobody["SEMH"].own is None
    for need in nobody:
        assert replace(camden[need], own=None) == nobody[need]


# Rule 5 ---------------------------------------------------------------------------------------


def test_rule_5_a_total_less_the_shown_cells_never_gives_a_hidden_count() -> None:
    rows = balanced([CAMDEN, BARNET, ENFIELD, HARINGEY, ISLINGTON], each=3)
    rows += [*balanced([BARNET, ENFIELD], each=3, need="MLD"), (HARINGEY, "VI", "140021", 80000.0)]
    table = cost_table(
        placements(rows), Filters(PERIOD), "primary_need", GEOGRAPHY, RULES, with_total=True
    )
    counts = {c.key: int(c.count) for c in table.cells}

    assert "VI" not in counts  # one placement: no line
    assert table.total is not None
    assert int(table.total.count) % 5 == 0
    assert all(n % 5 == 0 for n in counts.values())  # so the total less them is never 1-4


# Rule 6 ---------------------------------------------------------------------------------------

FEES = [(CAMDEN, 90_000.0), (BARNET, 50_000.0), (ENFIELD, 62_000.0), (HARINGEY, 64_000.0),
        (ISLINGTON, 61_000.0), (GREENWICH, 63_000.0)]  # fmt: skip


def test_rule_6_rate_variation_places_the_viewer_in_bands_never_against_a_borough() -> None:
    release = placements([(b, "ASD", "140007", fee) for b, fee in FEES for _ in range(3)])
    camden_rows = release[release["borough"] == CAMDEN]
    barnet_rows = release[release["borough"] == BARNET]
    camden = rate_lines(release, camden_rows, RULES, 1.2)[0]
    barnet = rate_lines(release, barnet_rows, RULES, 1.2)[0]

    averages = sorted(fee for _, fee in FEES)
    assert (camden.boroughs, camden.own_average, camden.band) == (6, 90_000.0, ABOVE)
    assert near(camden.q1, float(np.mean(averages[:3])))  # blends three boroughs' averages
    assert near(camden.q3, float(np.mean(averages[3:])))
    assert camden.q3 != max(averages)  # never the highest borough's
    assert (barnet.boroughs, barnet.spread, barnet.q1, barnet.q3) == (
        camden.boroughs, camden.spread, camden.q1, camden.q3,
    )  # fmt: skip
    assert barnet.band == BELOW
    assert CAMDEN not in {barnet.provider_urn, barnet.placement_type}  # no borough named
    assert 90_000.0 not in vars(barnet).values()  # nor Camden's average

    four = release[release["borough"].isin([CAMDEN, BARNET, ENFIELD, HARINGEY])]
    (few,) = rate_lines(four, camden_rows, RULES, 1.2)
    assert (few.refused, few.spread, few.boroughs, few.own_average) == (TOO_FEW, None, 0, 9e4)
    assert rate_lines(four, None, RULES, 1.2) == []  # no line says "some borough is here"


# Rule 7 ---------------------------------------------------------------------------------------


def test_rule_7_thresholds_are_configuration_and_suppressions_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = placements(balanced([BARNET, ENFIELD], each=3))
    with caplog.at_level(logging.INFO, logger="analytics.disclosure"):
        strict = by_need(frame, own=frame[frame["borough"] == BARNET])["SEMH"]
    relaxed_rules = replace(RULES, min_boroughs=2, p_percent=0.0, max_borough_share=1.0)
    relaxed = by_need(frame, relaxed_rules)["SEMH"]

    assert strict.median is None
    assert relaxed.median is not None
    records = [r for r in caplog.records if r.getMessage() == "disclosure.suppressed"]
    assert len(records) == 1  # one line per table
    assert (records[0].table, records[0].withheld, records[0].reasons) == (  # type: ignore[attr-defined]
        "cost by primary_need",
        1,
        {"fewer than 3 boroughs": 1},
    )


# Two filters one borough apart ------------------------------------------------------------------


def test_two_areas_one_borough_apart_do_not_give_the_borough_away() -> None:
    # Inner: Camden, Islington, Greenwich, Lambeth; Outer adds only Barnet, so London - Inner = Barnet
    frame = placements(balanced([CAMDEN, ISLINGTON, GREENWICH, LAMBETH, BARNET], each=3))
    london, inner = by_need(frame)["SEMH"], by_need(frame, area="Inner")["SEMH"]

    assert london.median is not None
    assert inner.median is not None
    difference = int(london.count) - int(inner.count)
    assert difference % 5 == 0  # never Barnet's 3
    assert london.count == by_need(frame, phases=frozenset({"secondary"}))["SEMH"].count


# Properties over generated releases ---------------------------------------------------------

AREAS = [LONDON, "Inner", "Outer", "North Central", "South East"]
placement = st.tuples(
    st.sampled_from(BOROUGHS),
    st.sampled_from(["ASD", "SEMH", "VI"]),
    st.sampled_from(["140007", "140014", "140021"]),
    st.integers(20_000, 200_000).map(float),
)


def shown_figures(cell: CostCell) -> list[float]:
    return [v for v in (cell.median, cell.q1, cell.q3, cell.p10, cell.p90) if v is not None]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(placement, min_size=1, max_size=60),
    area=st.sampled_from(AREAS),
    by=st.sampled_from(["primary_need", "provider_urn"]),
)
def test_no_published_price_is_one_placements_or_one_boroughs(
    rows: list[tuple[str, str, str, float]], area: str, by: str
) -> None:
    frame = placements(rows)
    table = cost_table(frame, Filters(PERIOD, area=area), by, GEOGRAPHY, RULES, with_total=True)
    for cell in table.cells:
        theirs = frame[(frame[by] == cell.key) & frame["borough"].isin(list(GEOGRAPHY.areas[area]))]
        if cell.median is not None:
            spend = theirs.groupby("borough")["total_cost"].sum().sort_values(ascending=False)
            assert len(spend) >= 3
            assert len(theirs) >= 5
            assert spend.sum() - spend.iloc[0] - spend.iloc[1] >= 0.10 * spend.iloc[0]
        values, whose = theirs["total_cost"].to_numpy(), theirs["borough"].to_numpy()
        quantiles = (cell.p10, cell.q1, cell.median, cell.q3, cell.p90)
        for q, figure in zip((0.1, 0.25, 0.5, 0.75, 0.9), quantiles, strict=True):
            if figure is None:
                continue
            # a blend of 5 values from 3 or more boroughs, none holding more than 2 of them,
            # then moved and rounded: never one placement's fee or one borough's average
            blend = blended(values, whose, q, RULES)
            assert blend is not None
            assert near(figure, blend)
            assert figure % RULES.price_rounding == 0
        if cell.count.startswith("<"):
            assert cell.median is None
        else:
            assert int(cell.count.replace(",", "")) % RULES.small_count == 0


@settings(max_examples=examples(200), deadline=None)
@given(
    rows=st.lists(placement, min_size=1, max_size=40),
    viewer=st.sampled_from(BOROUGHS),
    changed=st.integers(20_000, 200_000).map(float),
)
def test_a_boroughs_own_rows_never_move_londons_figures(
    rows: list[tuple[str, str, str, float]], viewer: str, changed: float
) -> None:
    release = placements(rows)
    before = release[release["borough"] == viewer]
    after = before.assign(total_cost=changed, core_fee=changed)
    for by in ("primary_need", "provider_urn"):
        tables = [
            cost_table(release, Filters(PERIOD), by, GEOGRAPHY, RULES, own=own)
            for own in (None, before, after)
        ]
        seen = [[(c.key, c.count, *shown_figures(c)) for c in t.cells if c.count[0].isdigit()]
                for t in tables]  # fmt: skip
        assert seen[0] == seen[1] == seen[2]
    # rule 9: on the rate lines only the viewer's own average and its band move
    lines = [rate_lines(release, own, RULES, 1.2) for own in (before, after)]
    london = [[(x.provider_urn, x.boroughs, x.spread, x.q1, x.q3) for x in ls if not x.refused]
              for ls in lines]  # fmt: skip
    assert london[0] == london[1]
