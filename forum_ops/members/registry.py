"""The membership registry: who is in the forum, for which organisation, in which roles.

The CSV format is SPEC section 10: `aad_object_id,name,email,organisation,roles,topics`, with
roles and topics `;`-separated. An import is all or nothing: any bad line rejects the file.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from forum_ops.csv_files import Checked, CsvFile
from forum_ops.db.engine import Database
from forum_ops.db.schema import MemberRow, OrganisationRow
from forum_ops.errors import ForumError, ImportRejected, Problem
from forum_ops.members.model import Member, Organisation, OrganisationKind, Role
from forum_ops.members.organisations import find_organisation_row, to_organisation
from forum_ops.readable import readable

CSV_COLUMNS = ("aad_object_id", "name", "email", "organisation", "roles", "topics")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class MemberRecord:
    """One validated line of a membership file."""

    aad_object_id: str
    name: str
    email: str
    organisation: str
    roles: frozenset[Role]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int


def to_member(row: MemberRow) -> Member:
    return _member(row, to_organisation(row.organisation))


def _member(row: MemberRow | Row[*tuple[Any, ...]], organisation: Organisation) -> Member:
    """A member from its stored columns (an ORM row or a Core row of the same names)."""
    return Member(
        aad_object_id=row.aad_object_id,
        name=row.name,
        email=row.email,
        organisation=organisation,
        roles=frozenset(Role(r) for r in row.roles.split(";") if r),
        topics=tuple(t for t in row.topics.split(";") if t),
    )


_MEMBERS, _ORGANISATIONS = MemberRow.__table__, OrganisationRow.__table__
# Core, not the ORM: every turn starts by finding its sender, and the ORM's loading of a member
# with its organisation costs more than the query itself.
_MEMBER_COLUMNS = select(
    _MEMBERS.c.aad_object_id,
    _MEMBERS.c.name,
    _MEMBERS.c.email,
    _MEMBERS.c.roles,
    _MEMBERS.c.topics,
    _ORGANISATIONS.c.code,
    _ORGANISATIONS.c.name.label("organisation_name"),
    _ORGANISATIONS.c.kind,
    _ORGANISATIONS.c.inner_outer,
    _ORGANISATIONS.c.subregion,
).join_from(_MEMBERS, _ORGANISATIONS, _MEMBERS.c.organisation_id == _ORGANISATIONS.c.id)
_FIND_MEMBER = _MEMBER_COLUMNS.where(_MEMBERS.c.aad_object_id == bindparam("aad_object_id"))


def find_member(session: Session, aad_object_id: str) -> Member | None:
    """The member as stored: a Core query does not flush the session first, so a unit of work
    that changed members flushes before it asks."""
    found = session.connection().execute(_FIND_MEMBER, {"aad_object_id": aad_object_id})
    row = found.first()
    return None if row is None else _member(row, _organisation(row))


def members_by_id(session: Session, aad_object_ids: Collection[str]) -> dict[str, Member]:
    """The members stored among `aad_object_ids`, in one query (the ids of former members are
    left out)."""
    if not aad_object_ids:
        return {}
    query = _MEMBER_COLUMNS.where(_MEMBERS.c.aad_object_id.in_(sorted(aad_object_ids)))
    found = session.connection().execute(query)
    return {row.aad_object_id: _member(row, _organisation(row)) for row in found}


def _organisation(row: Row[*tuple[Any, ...]]) -> Organisation:
    return Organisation(
        row.code, row.organisation_name, OrganisationKind(row.kind), row.inner_outer, row.subregion
    )


def _guid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _check_member(value: Mapping[str, str]) -> Checked[MemberRecord]:
    problems: list[Problem] = []
    aad_id = _guid(value["aad_object_id"]) or ""
    if not aad_id:
        problems.append(Problem(0, "aad_object_id", "is not an Entra object id (a GUID)"))
    if not value["name"]:
        problems.append(Problem(0, "name", "is empty"))
    elif len(value["name"]) > 200:
        problems.append(Problem(0, "name", "is longer than 200 characters"))
    if not _EMAIL.match(value["email"]):
        problems.append(Problem(0, "email", "is not an email address"))
    if not value["organisation"]:
        problems.append(Problem(0, "organisation", "is empty"))
    roles: set[Role] = set()
    for word in filter(None, (w.strip().casefold() for w in value["roles"].split(";"))):
        try:
            roles.add(Role(word))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            problems.append(Problem(0, "roles", f"'{word}' is not a role ({allowed})"))
    if problems:
        return None, problems
    topics = tuple(t.strip() for t in value["topics"].split(";") if t.strip())
    record = MemberRecord(
        aad_id,
        value["name"],
        value["email"],
        value["organisation"],
        frozenset(roles or {Role.MEMBER}),
        topics,
    )
    return record, []


MEMBERS_FILE = CsvFile(
    "The membership file",
    CSV_COLUMNS,
    _check_member,
    key=lambda value: _guid(value["aad_object_id"]),
    key_column="aad_object_id",
)


def upsert_members(
    session: Session, records: Iterable[MemberRecord], now: datetime
) -> ImportReport:
    """Insert or update members in the caller's transaction; unknown organisations reject all."""
    records = list(records)
    problems: list[Problem] = []
    organisations = {}
    for line, record in enumerate(records, start=2):
        org = find_organisation_row(session, record.organisation)
        if org is None:
            problems.append(
                Problem(line, "organisation", f"'{record.organisation}' is not in the registry")
            )
        organisations[record.aad_object_id] = org
    if problems:
        raise ImportRejected("The membership file", problems)
    existing = {
        row.aad_object_id: row
        for row in session.scalars(
            select(MemberRow).where(MemberRow.aad_object_id.in_([r.aad_object_id for r in records]))
        )
    }
    added = 0
    for record in records:
        row = existing.get(record.aad_object_id)
        if row is None:
            row = MemberRow(aad_object_id=record.aad_object_id)
            session.add(row)
            added += 1
        row.name, row.email = readable(record.name), record.email
        row.organisation = organisations[record.aad_object_id]  # type: ignore[assignment]
        row.roles = ";".join(sorted(r.value for r in record.roles))
        row.topics = ";".join(record.topics)
        row.updated_at = now
    return ImportReport(added=added, updated=len(records) - added)


def list_members(db: Database, organisation: str = "") -> list[Member]:
    """Every member, or one organisation's (named as the membership file names it, or as people
    name a borough: "Hammersmith", "202"), by organisation and name."""
    with db.transaction() as session:
        query = select(MemberRow)
        if organisation.strip():
            org = find_organisation_row(session, organisation)
            if org is None:  # the names people use for a borough, typos forgiven
                # imported here: rapidfuzz stays out of the app's start-up (tests/test_features.py)
                from forum_ops.members.authorities import resolve_authority

                org = find_organisation_row(session, resolve_authority(organisation).code)
            if org is None:
                raise ForumError(f"No organisation called “{organisation[:80]}”.")
            query = query.where(MemberRow.organisation_id == org.id)
        members = [to_member(row) for row in session.scalars(query)]
    return sorted(members, key=lambda m: (m.organisation.name, m.name, m.aad_object_id))


def import_members(db: Database, text: str, now: datetime) -> ImportReport:
    """Validate a whole membership file, then upsert it in one transaction: all or nothing."""
    records = MEMBERS_FILE.read(text)
    with db.transaction() as session:
        return upsert_members(session, records, now)
