"""The INMSS benchmarks' arithmetic, and the rate-variation benchmark on the synthetic returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.benchmark_filters import LONDON, Filters, matching, parse_filters
from analytics.benchmarks import top_providers
from analytics.rates import borough_rates, premium_pairs, rate_variation
from analytics.returns_format import NEEDS
from analytics.returns_synthetic import SyntheticReturns, synthetic_returns
from forum_ops.benchmarks.placements import GEOGRAPHY
from forum_ops.members.reference import LOCAL_AUTHORITIES
from tests.support.disclosure import placements
from tests.support.examples import examples


@pytest.fixture(scope="module")
def london() -> SyntheticReturns:
    return synthetic_returns([la.code for la in LOCAL_AUTHORITIES], seed=2026)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["202", "203", "204", "205", "206"]),
            st.sampled_from(["140007", "140014"]),
            st.integers(30_000, 90_000).map(float),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_each_borough_is_compared_with_the_median_of_the_others(
    rows: list[tuple[str, str, float]],
) -> None:
    rates = borough_rates(placements([(b, "ASD", u, c) for b, u, c in rows]), "2025-26")
    for _, group in rates.groupby(["provider_urn", "placement_type"]):
        averages = group["average"].to_numpy()
        for position, (_, rate) in enumerate(group.iterrows()):
            if len(group) < 3:
                assert np.isnan(rate["others_median"])
            else:
                assert rate["others_median"] == pytest.approx(
                    np.median(np.delete(averages, position))
                )
                assert rate["premium"] == pytest.approx(rate["average"] / rate["others_median"])


def test_rate_variation_finds_the_premiums_the_generator_planted(london: SyntheticReturns) -> None:
    rates = borough_rates(london.placements, "2025-26")
    found = premium_pairs(rates, 1.2)
    hits = found & london.planted
    precision, recall = len(hits) / len(found), len(hits) / len(london.planted)
    base_rate = len(london.planted) / rates[["provider_urn", "borough"]].drop_duplicates().shape[0]

    # single placements vary by about 20 % on their own, so this is a screen, not a verdict:
    # it finds most planted premiums at over twice the rate of picking pairs at random
    assert recall >= 0.5
    assert precision >= 2 * base_rate
    spread = rate_variation(rates, 1.2)
    assert spread["flagged"].sum() > 0
    assert (spread.loc[spread["flagged"], "ratio"] > 1.2).all()


def test_top_ten_by_spend_and_by_placements(london: SyntheticReturns) -> None:
    by_spend, by_count = top_providers(london.placements, "209", "2025-26")
    lewisham = london.placements[london.placements["borough"] == "209"]
    per_provider = lewisham.groupby("provider_urn")["total_cost"].sum().sort_values()

    assert len(by_spend) == len(by_count) == 10
    assert by_spend["spend"].tolist() == pytest.approx(per_provider.iloc[::-1][:10].tolist())
    assert by_count["placements"].is_monotonic_decreasing
    top_share = per_provider.iloc[::-1][:10].sum() / per_provider.sum()
    assert by_spend["share"].sum() == pytest.approx(top_share)


def test_free_words_become_filters() -> None:
    filters = parse_filters("semh Secondary day South East 2024-25", NEEDS, GEOGRAPHY, "2025-26")

    assert filters == Filters(
        "2024-25", frozenset({"SEMH"}), frozenset({"secondary"}), frozenset({"day"}), "South East"
    )
    assert parse_filters("", NEEDS, GEOGRAPHY, "2025-26").area == LONDON
    assert parse_filters("autism inner", NEEDS, GEOGRAPHY, "2025-26").area == "Inner"
    with pytest.raises(ValueError, match="secondry"):
        parse_filters("SEMH secondry", NEEDS, GEOGRAPHY, "2025-26")


def test_the_filters_select_the_rows(london: SyntheticReturns) -> None:
    rows = matching(
        london.placements, Filters("2025-26", frozenset({"SEMH"}), frozenset({"primary"}))
    )
    assert set(rows["primary_need"]) == {"SEMH"}
    assert set(rows["phase"]) == {"primary"}
    assert len(rows) == len(
        london.placements.query("primary_need == 'SEMH' and phase == 'primary'")
    )
    assert matching(london.placements, Filters("2030-31")).empty
    assert isinstance(rows, pd.DataFrame)
