"""GIAS extract reading, the supplier directory, the synthetic extract and supplier search."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

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
from analytics.suppliers import Areas, Query, advice, parse_query, search
from bot.commands.suppliers.imports import import_suppliers
from forum_ops.db import Database
from forum_ops.errors import MassClosure
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.suppliers.snapshot import snapshot_rows
from tests.conftest import NOW, SHARED
from tests.support.cli import forumbot
from tests.support.gias import london_text

GIAS = SHARED / "data" / "gias"
AREAS = Areas(
    {la.code: (la.name, str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
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


def _cut_at_rows(share: float) -> bytes:
    """The extract cut cleanly after `share` of its rows (a download stopped at a line end)."""
    header, *rows = london_text().splitlines()
    return ("\r\n".join([header, *rows[: int(len(rows) * share)]]) + "\r\n").encode()


def _quoted_everywhere() -> str:
    """The extract with every field quoted, as GIAS writes some of its files."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(csv.reader(io.StringIO(london_text())))
    return buffer.getvalue()


def _inside_a_quote(text: str) -> str:
    """Cut about halfway, inside a quoted field."""
    middle = len(text) // 2
    while text[:middle].count('"') % 2 == 0:
        middle += 1
    return text[:middle]


@pytest.mark.parametrize(
    ("cut", "why"),
    [
        (lambda: london_text()[: len(london_text()) // 2], "ends in the middle of a line"),
        (lambda: london_text()[: len(london_text()) // 20], "ends in the middle of a line"),
        (lambda: _inside_a_quote(_quoted_everywhere()), "quoted field"),
        (lambda: london_text().splitlines()[0] + "\r\n", "no establishments"),
        (lambda: london_text().splitlines()[0], "no establishments"),
    ],
    ids=[
        "mid-row at half",
        "mid-row at 5 %",
        "inside a quoted field",
        "after the header",
        "header cut at its end",
    ],
)
def test_a_file_cut_short_is_refused(cut: Callable[[], str], why: str) -> None:
    text = cut()
    with pytest.raises(UnexpectedLayout, match=why):
        read_extract(text.encode("cp1252"), "cut.csv")


def test_a_complete_file_without_a_final_line_end_still_reads() -> None:
    # GIAS's own files may end without a line end; only a short last line is a cut
    assert len(read_extract(_quoted_everywhere().rstrip("\r\n").encode())) > 300


@pytest.mark.parametrize("share", [0.5, 0.05])
def test_an_extract_closing_over_a_tenth_of_the_directory_is_refused_unless_allowed(
    database: Database, share: float
) -> None:
    first = import_suppliers(
        database, london_text().encode(), "full.csv", NOW, max_closed_share=0.1
    )
    cut = _cut_at_rows(share)

    with pytest.raises(MassClosure, match=r"would close [\d,]+ of the [\d,]+ schools"):
        import_suppliers(database, cut, "cut.csv", NOW, max_closed_share=0.1)
    with database.transaction() as session:
        assert len(snapshot_rows(session)) == first.total  # nothing changed

    allowed = import_suppliers(database, cut, "cut.csv", NOW, max_closed_share=None)
    assert allowed.closed > 0.1 * first.total
    with database.transaction() as session:
        assert len(snapshot_rows(session)) == allowed.total


def test_a_few_closures_and_a_first_import_pass_the_guard(database: Database) -> None:
    first = import_suppliers(database, _cut_at_rows(0.5), "first.csv", NOW, max_closed_share=0.1)
    full = import_suppliers(database, london_text().encode(), "full.csv", NOW, max_closed_share=0.1)
    header, *rows = london_text().splitlines()
    few = [r for r in rows if ",Open," in r][:5]
    fewer = ("\r\n".join([header, *(r for r in rows if r not in few)]) + "\r\n").encode()
    after = import_suppliers(database, fewer, "fewer.csv", NOW, max_closed_share=0.1)

    assert first.closed == 0
    assert full.closed == 0
    assert 0 < after.closed <= 5


def test_the_cli_refuses_a_mass_closure_unless_told_to_allow_it(tmp_path: Path) -> None:
    full, half = tmp_path / "full.csv", tmp_path / "half.csv"
    full.write_bytes(london_text().encode("cp1252"))
    half.write_bytes(_cut_at_rows(0.5))
    assert forumbot(tmp_path, "db", "upgrade").returncode == 0
    assert forumbot(tmp_path, "suppliers", "import", str(full)).returncode == 0

    refused = forumbot(tmp_path, "suppliers", "import", str(half))
    allowed = forumbot(tmp_path, "suppliers", "import", str(half), "--allow-mass-closure")

    assert refused.returncode == 1
    assert "Nothing was changed" in refused.stderr
    assert "--allow-mass-closure" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert "closed" in allowed.stdout
