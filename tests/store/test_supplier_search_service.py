"""The supplier search and its service, without a server or HTTP (SQLite stands for the store)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.gias import borough_centroids, read_extract, supplier_directory
from bot.commands.suppliers.imports import import_suppliers
from cards.suppliers import school_line, suppliers_view
from cards.views.suppliers import PAGE
from forum_ops.db import Database
from forum_ops.errors import NoDirectory
from forum_ops.members.model import Member, Organisation, OrganisationKind, Role
from forum_ops.suppliers.schools import Directory, find_schools
from forum_ops.suppliers.search import SupplierSearch
from tests.conftest import NOW
from tests.support.gias import london_text

CAMDEN = Member(
    "aad",
    "A Member",
    "a@example.org",
    Organisation("202", "Camden", OrganisationKind.LOCAL_AUTHORITY, "Inner", "North Central"),
    frozenset({Role.MEMBER}),
)
LIIA = Member(
    "aad2", "Sec", "s@example.org", Organisation("LIIA", "LIIA", OrganisationKind.SECRETARIAT)
)


@pytest.fixture(scope="module")
def directory() -> Directory:
    schools = supplier_directory(read_extract(london_text().encode("cp1252")))
    return Directory(schools, borough_centroids(schools))


def test_pages_of_schools_best_fit_first_with_distance_from_the_members_borough(
    directory: Directory,
) -> None:
    first = find_schools(directory, "SEMH", CAMDEN)
    assert first.found > PAGE
    assert len(first.schools) == PAGE
    assert first.more
    assert all("SEMH" in school.needs for school in first.schools)
    assert all(school.distance_km is not None for school in first.schools)
    assert [s.distance_km for s in first.schools] == sorted(
        s.distance_km or 0 for s in first.schools
    )

    last = find_schools(directory, "SEMH", CAMDEN, offset=first.found - 1)
    assert len(last.schools) == 1
    assert not last.more

    view = suppliers_view(first)
    assert view.subtitle.startswith(f"Showing 1–{PAGE} of {first.found}")
    assert view.more_query == "SEMH"
    assert view.more_offset == PAGE


def test_no_borough_no_distance(directory: Directory) -> None:
    page = find_schools(directory, "SEMH", LIIA)
    assert page.schools
    assert all(s.distance_km is None for s in page.schools)
    assert "km away" not in school_line(page.schools[0]).details


def test_an_empty_result_says_which_filter_to_drop(directory: Directory) -> None:
    page = find_schools(directory, "PMLD Barnet zzzznotaschool", CAMDEN)
    assert page.found == 0
    assert page.schools == ()
    assert page.advice.startswith("No school matches")
    assert suppliers_view(page).subtitle.startswith("Showing none")


def test_what_is_typed_is_cut_to_500_characters(directory: Directory) -> None:
    assert len(find_schools(directory, "SEMH " * 200, CAMDEN).query) <= 500


def test_the_service_says_so_when_the_directory_is_empty(database: Database) -> None:
    with pytest.raises(NoDirectory):
        SupplierSearch(database).find("SEMH", CAMDEN)


def test_the_service_builds_the_directory_once_per_import(database: Database) -> None:
    service = SupplierSearch(database)
    import_suppliers(database, london_text().encode(), "demo.csv", NOW)
    first = service.directory()
    assert service.directory() is first
    assert service.find("SEMH", CAMDEN).found > 0

    import_suppliers(database, london_text().encode(), "again.csv", NOW + timedelta(days=1))
    assert service.directory() is not first
