"""SEN2 analytics on the real DfE files in shared/data/dfe."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.errors import UnexpectedLayout
from analytics.sen2 import (
    PLACEMENTS,
    Area,
    growth,
    load_caseload,
    load_needs,
    need_mix,
    placement_mix,
    plans_over_time,
    rank_in_london,
    year_label,
    years,
)
from forum_ops.members.reference import LOCAL_AUTHORITIES
from tests.conftest import SHARED

DFE = SHARED / "data" / "dfe"
CAMDEN = Area("Camden", ("202",))


@pytest.fixture(scope="module")
def caseload() -> pd.DataFrame:
    return load_caseload(DFE / "ehcp_caseload_by_placement_2025.csv")


@pytest.fixture(scope="module")
def needs() -> pd.DataFrame:
    return load_needs(DFE / "ehcp_primary_need_by_placement_2025.csv")


def published(path: Path, level: str, name_column: str, name: str, column: str) -> dict[str, float]:
    raw = pd.read_csv(path, dtype=str)
    rows = raw[(raw["geographic_level"] == level) & (raw[name_column] == name)]
    return {r["time_period"]: float(r[column]) for _, r in rows.iterrows()}


def test_london_and_england_totals_equal_the_published_rows(caseload: pd.DataFrame) -> None:
    path = DFE / "ehcp_caseload_by_placement_2025.csv"
    london = plans_over_time(caseload, Area.london())
    england = plans_over_time(caseload, Area.england())
    assert london.to_dict() == published(path, "Regional", "region_name", "London", "ehcplans")
    assert england.to_dict() == published(path, "National", "country_name", "England", "ehcplans")
    assert london["201819"] == 59672  # DOMAIN.md: 59,672 in January 2019
    assert london["202425"] == 99116  # ...and 99,116 in 2025


def test_london_is_the_sum_of_its_33_authorities(caseload: pd.DataFrame) -> None:
    boroughs = Area("all boroughs", tuple(la.code for la in LOCAL_AUTHORITIES))
    assert plans_over_time(caseload, boroughs).equals(
        plans_over_time(caseload, Area.london()).rename("all boroughs")
    )


def test_placement_mix_adds_up_and_shares_come_from_unrounded_counts(
    caseload: pd.DataFrame,
) -> None:
    mix = placement_mix(caseload, Area.london(), "202425")
    path = DFE / "ehcp_caseload_by_placement_2025.csv"
    assert list(mix.index) == list(PLACEMENTS)
    assert mix["count"].sum() == 99116
    assert (
        mix.loc["independent special", "count"]
        == published(path, "Regional", "region_name", "London", "special_independent")["202425"]
    )
    assert mix.loc["independent special", "share"] == pytest.approx(4269 / 99116, abs=1e-12)
    assert mix["share"].sum() == pytest.approx(1.0)
    assert (mix["count"] >= 0).all()


def test_growth_is_year_on_year(caseload: pd.DataFrame) -> None:
    change = growth(plans_over_time(caseload, Area.london()))
    assert change["202425"] == pytest.approx(99116 / 93539 - 1)
    assert list(change.index) == years(caseload)[1:]


def test_need_mix_for_a_borough_is_largest_first_and_agrees_with_its_total(
    needs: pd.DataFrame,
) -> None:
    mix = need_mix(needs, CAMDEN)
    assert mix["count"].is_monotonic_decreasing
    assert mix.index[0] in {"ASD", "SLCN", "SEMH"}
    assert mix["share"].sum() == pytest.approx(1.0, abs=0.02)  # needs unknown are not a need


def test_rank_in_london_counts_all_33(caseload: pd.DataFrame) -> None:
    rank, of = rank_in_london(caseload, "202", "202425")
    assert of == 33
    assert 1 <= rank <= 33


def test_a_later_release_with_more_columns_and_years_still_loads(tmp_path: Path) -> None:
    original = (
        (DFE / "ehcp_caseload_by_placement_2025.csv").read_text(encoding="utf-8").splitlines()
    )
    header, rows = original[0], original[1:]
    later = [header + ",new_measure"] + [r + ",7" for r in rows]
    later += [rows[-1].replace("202425", "202526", 1) + ",7"]
    path = tmp_path / "caseload.csv"
    path.write_text("\n".join(later), encoding="utf-8")

    loaded = load_caseload(path)

    assert years(loaded)[-1] == "202526"
    assert year_label("202526") == "January 2026"


def test_a_file_with_an_unexpected_layout_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "not_sen2.csv"
    path.write_text("time_period,la_name,ehcplans\n202425,Camden,1\n", encoding="utf-8")
    with pytest.raises(
        UnexpectedLayout, match="missing geographic_level, region_name, old_la_code"
    ):
        load_caseload(path)
    with pytest.raises(UnexpectedLayout, match="not the DfE primary need file"):
        load_needs(DFE / "ehcp_caseload_by_placement_2025.csv")
