"""The synthetic INMSS returns reproduce the parameters they were built from (DOMAIN.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.returns_format import COLUMNS, MONEY
from analytics.returns_synthetic import SyntheticReturns, synthetic_returns
from forum_ops.members.reference import LOCAL_AUTHORITIES

BOROUGHS = [la.code for la in LOCAL_AUTHORITIES]


@pytest.fixture(scope="module")
def returns() -> SyntheticReturns:
    return synthetic_returns(BOROUGHS, seed=2026)


def test_it_is_seeded_and_reproducible(returns: SyntheticReturns) -> None:
    again = synthetic_returns(BOROUGHS, seed=2026)
    pd.testing.assert_frame_equal(again.placements, returns.placements)
    assert again.planted == returns.planted
    assert not synthetic_returns(BOROUGHS, seed=1).placements.equals(returns.placements)


def test_the_volumes_are_londons(returns: SyntheticReturns) -> None:
    placements = returns.placements
    assert 4_300 <= len(placements) <= 5_300  # about 4,800
    assert 130 <= placements["provider_urn"].nunique() <= 160  # about 150 providers
    per_borough = placements.groupby("borough").size()
    assert len(per_borough) == 33
    assert per_borough["201"] == 10  # City of London
    assert per_borough.max() <= 450


def test_day_costs_follow_the_lognormal_given(returns: SyntheticReturns) -> None:
    p = returns.placements
    day = p[(p["placement_type"] == "day") & (p["establishment_type"] == "independent special")]
    assert day["total_cost"].median() == pytest.approx(62_000, rel=0.10)
    assert day["total_cost"].mean() == pytest.approx(68_000, rel=0.10)
    assert day["total_cost"].quantile(0.1) == pytest.approx(42_000, rel=0.15)
    assert day["total_cost"].quantile(0.9) == pytest.approx(100_000, rel=0.15)
    assert (day["core_fee"] <= 150_000).all()


def test_the_mix_of_needs_and_placements(returns: SyntheticReturns) -> None:
    p = returns.placements
    needs = p["primary_need"].value_counts(normalize=True)
    assert needs["ASD"] == pytest.approx(0.44, abs=0.03)
    assert needs["SEMH"] == pytest.approx(0.25, abs=0.03)
    independent = p[p["establishment_type"] == "independent special"]
    assert (independent["placement_type"] != "day").mean() < 0.04  # residential is rare
    pmld = p[(p["primary_need"] == "PMLD") & (p["placement_type"] == "day")]["core_fee"].median()
    spld = p[(p["primary_need"] == "SPLD") & (p["placement_type"] == "day")]["core_fee"].median()
    assert pmld > 1.5 * spld  # need multipliers 1.50 against 0.70


def test_a_long_tail_of_providers_and_a_concentrated_top_ten(returns: SyntheticReturns) -> None:
    p = returns.placements[returns.placements["borough"] != "201"]
    distinct = p.groupby("borough")["provider_urn"].nunique()
    assert distinct.between(40, 80).all()

    def top_ten_share(rows: pd.DataFrame) -> float:
        spend = rows.groupby("provider_urn")["total_cost"].sum().sort_values(ascending=False)
        return float(spend.head(10).sum() / spend.sum())

    shares = p.groupby("borough")[["provider_urn", "total_cost"]].apply(top_ten_share)
    assert 0.40 <= shares.mean() <= 0.65  # about half of each borough's spend


def test_premium_pairs_are_planted_in_ten_to_twenty_percent_of_pairs(
    returns: SyntheticReturns,
) -> None:
    pairs = returns.placements.groupby(["provider_urn", "borough"]).size()
    assert 0.10 <= len(returns.planted) / len(pairs) <= 0.20
    assert returns.planted <= set(pairs.index)


def test_rows_carry_the_return_fields_and_nothing_identifying(returns: SyntheticReturns) -> None:
    p = returns.placements
    assert list(p.columns) == ["borough", "period", *COLUMNS]
    assert not {"name", "child_name", "date_of_birth", "dob"} & set(p.columns)
    parts = p[[c for c in MONEY if c != "total_cost"]].sum(axis=1)
    assert (p["total_cost"] - parts).abs().max() < 0.02
