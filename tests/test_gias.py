"""GIAS extract reading, the supplier directory, the synthetic extract and supplier search."""

from __future__ import annotations

import csv
import io
from collections import Counter
from functools import cache

import pandas as pd
import pytest

from analytics.errors import UnexpectedLayout
from analytics.gias import (
    borough_centroids,
    directory_from_records,
    directory_records,
    phases_for,
    read_extract,
    supplier_directory,
)
from analytics.gias_format import COLUMNS, SEN_NEEDS, SPECIAL_TYPES
from analytics.gias_synthetic import synthetic_extract
from analytics.suppliers import Areas, Query, advice, parse_query, search
from bot.supplier_import import import_suppliers
from forum_ops.db import Database
from forum_ops.reference import LOCAL_AUTHORITIES
from forum_ops.suppliers import snapshot_rows
from tests.conftest import NOW, SHARED

GIAS = SHARED / "data" / "gias"
AREAS = Areas(
    {la.code: (la.name, str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
)


@cache
def london_text() -> str:
    return synthetic_extract(
        [(la.code, la.name, str(la.subregion)) for la in LOCAL_AUTHORITIES], seed=7
    )


@pytest.fixture(scope="module")
def directory() -> pd.DataFrame:
    return supplier_directory(read_extract(london_text().encode("cp1252")))


def test_the_format_matches_the_published_headers_and_vocabularies() -> None:
    with (GIAS / "edubasealldata_columns_20250422.csv").open(encoding="utf-8") as f:
        assert tuple(r["csv_column_name"] for r in csv.DictReader(f)) == COLUMNS
    with (GIAS / "sen_provision_type_names.csv").open(encoding="utf-8") as f:
        assert {
            r["gias_sen_name"]: r["need_code"] for r in csv.DictReader(f) if r["need_code"]
        } == SEN_NEEDS
    with (GIAS / "establishment_types_20250422.csv").open(encoding="utf-8") as f:
        special = {
            r["type-of-establishment-code"]
            for r in csv.DictReader(f)
            if "special" in r["type-of-establishment-name"].lower()
            and "post 16" not in r["type-of-establishment-name"]
        }
    assert special == set(SPECIAL_TYPES)


def test_a_windows_1252_extract_with_the_real_headers_reads(directory: pd.DataFrame) -> None:
    assert len(directory) > 300
    assert set(directory["sector"]) == {
        "state",
        "nmss",
        "independent",
        "mainstream with SEN unit or resourced provision",
    }
    assert directory["name"].str.endswith("(demo)").all()
    assert (directory["places_free"] == directory["capacity"] - directory["pupils"]).all()


def test_closed_schools_and_mainstream_without_provision_are_left_out(
    directory: pd.DataFrame,
) -> None:
    raw = read_extract(london_text().encode())
    closed = set(raw.loc[raw["EstablishmentStatus (name)"] == "Closed", "URN"])
    plain = set(
        raw.loc[
            (raw["TypeOfResourcedProvision (name)"] == "Not applicable")
            & ~raw["TypeOfEstablishment (code)"].isin(list(SPECIAL_TYPES)),
            "URN",
        ]
    )
    assert closed
    assert plain
    assert not (closed | plain) & set(directory["urn"])


def test_the_synthetic_mix_is_realistic(directory: pd.DataFrame) -> None:
    needs = Counter(n for ns in directory["needs"] for n in ns)
    assert needs.most_common(1)[0][0] == "ASD"

    def semh_share(sector: str) -> float:
        rows = directory[directory["sector"] == sector]
        return sum("SEMH" in ns for ns in rows["needs"]) / len(rows)

    assert semh_share("independent") > 2.5 * semh_share("state")


def test_a_file_missing_a_column_is_refused_naming_it() -> None:
    header = london_text().splitlines()[0]
    without = ",".join(c for c in header.split(",") if c != "SchoolCapacity")
    with pytest.raises(UnexpectedLayout, match="missing SchoolCapacity"):
        read_extract((without + "\n").encode())


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(UnexpectedLayout, match="not a CSV text file"):
        read_extract(b"PK\x03\x04\x00\x00 not a csv")


@pytest.mark.parametrize(
    ("low", "high", "phases"),
    [
        (2, 19, ("early years", "primary", "secondary", "post-16")),
        (4, 11, ("early years", "primary")),
        (11, 16, ("secondary",)),
        (16, 19, ("post-16",)),
    ],
)
def test_phases_come_from_statutory_ages(low: int, high: int, phases: tuple[str, ...]) -> None:
    assert phases_for(low, high) == phases


def test_filters_are_words_in_any_order() -> None:
    expected = Query(
        needs=frozenset({"SEMH"}),
        phases=frozenset({"secondary"}),
        subregion="South East",
        spaces=True,
    )
    assert parse_query("SEMH secondary South East spaces", AREAS) == expected
    assert parse_query("spaces south east secondary semh", AREAS) == expected
    query = parse_query("asd primary Kingston upon Thames independent", AREAS)
    assert query.boroughs == {"314"}
    assert query.sectors == {"independent"}
    assert parse_query("inner 202 nmss post16", AREAS) == Query(
        phases=frozenset({"post-16"}),
        boroughs=frozenset({"202"}),
        inner_outer="Inner",
        sectors=frozenset({"nmss"}),
    )


def test_results_rank_by_need_then_phase_then_distance(directory: pd.DataFrame) -> None:
    query = parse_query("ASD SLD primary", AREAS)
    found = search(directory, query, AREAS, borough_centroids(directory), asker_la="202")
    keys = list(zip(-found["need_match"], -found["phase_match"], found["distance_km"], strict=True))
    assert keys == sorted(keys)
    assert found["needs"].map(lambda ns: bool({"ASD", "SLD"} & set(ns))).all()
    assert found["phases"].map(lambda ps: "primary" in ps).all()
    assert found.iloc[0]["need_match"] == 2


def test_borough_subregion_sector_and_spaces_filters(directory: pd.DataFrame) -> None:
    centroids = borough_centroids(directory)
    camden = search(directory, parse_query("Camden", AREAS), AREAS, centroids)
    assert set(camden["la_code"]) == {"202"}
    south_east = search(
        directory, parse_query("south east independent spaces", AREAS), AREAS, centroids
    )
    assert set(south_east["la_code"]) <= {
        la.code for la in LOCAL_AUTHORITIES if la.subregion == "South East"
    }
    assert set(south_east["sector"]) == {"independent"}
    assert (south_east["places_free"] > 0).all()


def test_school_names_are_typo_tolerant(directory: pd.DataFrame) -> None:
    name = directory.iloc[10]["name"].removesuffix(" (demo)")
    typo = name[:3] + name[4:]  # one letter dropped
    found = search(directory, parse_query(typo, AREAS), AREAS, borough_centroids(directory))
    assert directory.iloc[10]["urn"] in set(found["urn"])


def test_an_empty_result_says_which_filter_to_relax(directory: pd.DataFrame) -> None:
    query = parse_query("PMLD nmss City of London spaces", AREAS)
    assert search(directory, query, AREAS, borough_centroids(directory)).empty
    assert advice(directory, query, AREAS).startswith("No school matches all of that. Without ")


def test_a_reimport_replaces_the_snapshot_and_reports_what_changed(any_database: Database) -> None:
    first = import_suppliers(any_database, london_text().encode(), "first.csv", NOW)
    header, *rows = london_text().splitlines()
    kept = [r for r in rows if ",Open," in r]
    gone, edited = kept[0], kept[1]
    urn_gone = gone.split(",")[0]
    capacity = header.split(",").index("SchoolCapacity")
    fields = next(csv.reader([edited]))
    fields[capacity] = str(int(fields[capacity]) + 7)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(fields)
    new_school = kept[2].replace(kept[2].split(",")[0], "123456", 1)
    second_rows = [
        buffer.getvalue().rstrip("\r\n") if r == edited else r for r in rows if r != gone
    ] + [new_school]

    second = import_suppliers(
        any_database, ("\r\n".join([header, *second_rows]) + "\r\n").encode(), "second.csv", NOW
    )

    assert (second.opened, second.closed, second.changed) == (1, 1, 1)
    assert second.total == first.total
    with any_database.transaction() as session:
        urns = {r["urn"] for r in snapshot_rows(session)}
    assert urn_gone not in urns
    assert "123456" in urns


def test_a_bad_extract_leaves_the_snapshot_as_it_was(database: Database) -> None:
    import_suppliers(database, london_text().encode(), "good.csv", NOW)
    with pytest.raises(UnexpectedLayout):
        import_suppliers(database, b"URN,Name\n1,x\n", "bad.csv", NOW)
    with database.transaction() as session:
        assert len(snapshot_rows(session)) > 300


def test_the_stored_directory_reads_back_as_built(
    database: Database, directory: pd.DataFrame
) -> None:
    again = directory_from_records(directory_records(directory))
    pd.testing.assert_frame_equal(again[directory.columns], directory, check_dtype=False)
