"""The reference organisations match the checked list in shared/data/london_boroughs.csv."""

from __future__ import annotations

import csv

from sqlalchemy import select

from forum_ops.db import Database
from forum_ops.db.schema import OrganisationRow
from forum_ops.members.model import OrganisationKind
from forum_ops.members.reference import ICBS, LOCAL_AUTHORITIES, ORGANISATIONS, SUBREGIONS
from tests.conftest import SHARED


def test_the_33_london_authorities_match_the_checked_list() -> None:
    with (SHARED / "data" / "london_boroughs.csv").open(encoding="utf-8") as f:
        rows = {r["la_code"]: r for r in csv.DictReader(f)}

    assert len(LOCAL_AUTHORITIES) == 33
    assert {la.code for la in LOCAL_AUTHORITIES} == set(rows)
    for la in LOCAL_AUTHORITIES:
        row = rows[la.code]
        assert (la.name, la.inner_outer, la.subregion) == (
            row["la_name"],
            row["inner_outer"],
            row["subregion"],
        ), la.code


def test_each_subregion_has_one_icb_named_as_the_checked_list_names_it() -> None:
    with (SHARED / "data" / "london_boroughs.csv").open(encoding="utf-8") as f:
        icb_names = {(r["subregion"], r["icb_name"]) for r in csv.DictReader(f)}
    assert {(icb.subregion, icb.name) for icb in ICBS} == icb_names
    assert sorted(icb.subregion for icb in ICBS) == sorted(SUBREGIONS)


def test_db_upgrade_seeds_every_organisation_once_and_is_idempotent(any_database: Database) -> None:
    from forum_ops.install import upgrade

    upgrade(any_database)  # a second run changes nothing
    with any_database.transaction() as session:
        rows = session.scalars(select(OrganisationRow)).all()
    assert len(rows) == len(ORGANISATIONS) == 39
    assert {r.kind for r in rows} == {k.value for k in OrganisationKind}
