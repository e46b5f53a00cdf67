"""The membership registry: CSV import is validated whole and applied all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum_ops.db import Database
from forum_ops.errors import ImportRejected
from forum_ops.members.model import Role
from forum_ops.members.registry import find_member, import_members
from tests.conftest import CAMDEN, NOW

HEADER = "aad_object_id,name,email,organisation,roles,topics\n"
NEW = "0b0b0b0b-1c1c-4d2d-8e3e-4f4f4f4f4f4f"


def test_a_clean_file_adds_and_updates(any_database: Database) -> None:
    text = HEADER + (
        f"{NEW},Lee Moreno,lee.moreno@nhs.example,NHS North Central London ICB,member;chair,therapies;S75\n"
        f"{CAMDEN},Priya Shah-Jones,priya@camden.example,camden,member,\n"
    )

    report = import_members(any_database, text, NOW)

    assert (report.added, report.updated) == (1, 1)
    with any_database.transaction() as session:
        lee = find_member(session, NEW)
        priya = find_member(session, CAMDEN)
    assert lee is not None
    assert lee.organisation.code == "QMJ"
    assert lee.roles == {Role.MEMBER, Role.CHAIR}
    assert lee.topics == ("therapies", "S75")
    assert priya is not None
    assert priya.name == "Priya Shah-Jones"
    assert priya.roles == {Role.MEMBER}  # roles are replaced, not merged


def test_every_bad_line_is_reported_and_nothing_changes(any_database: Database) -> None:
    text = HEADER + (
        f"{NEW},Lee Moreno,lee@nhs.example,QMJ,member,\n"  # fine on its own
        "not-a-guid,Ann,ann@x.example,202,member,\n"
        f"{CAMDEN},,priya@camden.example,202,boss,\n"
        f"{NEW},Lee Again,lee-at-example,202,member,\n"
    )

    with pytest.raises(ImportRejected) as rejected:
        import_members(any_database, text, NOW)

    found = {(p.line, p.column) for p in rejected.value.problems}
    assert found == {
        (3, "aad_object_id"),
        (4, "name"),
        (4, "roles"),
        (5, "aad_object_id"),
        (5, "email"),
    }
    assert "'boss' is not a role" in str(
        next(p for p in rejected.value.problems if p.column == "roles")
    )
    with any_database.transaction() as session:
        assert find_member(session, NEW) is None
        priya = find_member(session, CAMDEN)
    assert priya is not None
    assert priya.name == "Priya Shah"


def test_an_unknown_organisation_rejects_the_whole_file(any_database: Database) -> None:
    text = HEADER + f"{NEW},Lee Moreno,lee@nhs.example,Atlantis Council,member,\n"
    with pytest.raises(ImportRejected) as rejected:
        import_members(any_database, text, NOW)
    [problem] = rejected.value.problems
    assert (problem.line, problem.column) == (2, "organisation")
    with any_database.transaction() as session:
        assert find_member(session, NEW) is None


def test_a_missing_column_is_named(any_database: Database) -> None:
    with pytest.raises(ImportRejected) as rejected:
        import_members(any_database, "aad_object_id,name,email\n", NOW)
    assert {p.column for p in rejected.value.problems} == {"organisation", "roles", "topics"}


def test_a_bom_and_windows_line_endings_are_fine(any_database: Database, tmp_path: Path) -> None:
    text = "\ufeff" + (HEADER + f"{NEW},Zoë Brontë,zoe@camden.example,202,member,\n").replace(
        "\n", "\r\n"
    )
    assert import_members(any_database, text, NOW).added == 1


def test_a_name_is_stored_without_bidi_or_zero_width_controls(any_database: Database) -> None:
    text = HEADER + f"{NEW},Lee\u200b Mor\u202eeno\u202c,lee@nhs.example,camden,member,\n"

    import_members(any_database, text, NOW)

    with any_database.transaction() as session:
        lee = find_member(session, NEW)
    assert lee is not None
    assert lee.name == "Lee Moreno"
