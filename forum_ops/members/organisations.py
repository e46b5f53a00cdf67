"""The organisations registry: reference organisations kept in step, and look-ups by code or name."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from forum_ops.db.schema import OrganisationRow
from forum_ops.members.model import Organisation, OrganisationKind
from forum_ops.members.reference import ORGANISATIONS


def to_organisation(row: OrganisationRow) -> Organisation:
    return Organisation(
        row.code, row.name, OrganisationKind(row.kind), row.inner_outer, row.subregion
    )


def sync_reference_organisations(session: Session) -> None:
    """Insert or update the reference organisations; idempotent, run by `forumbot db upgrade`."""
    existing = {row.code: row for row in session.scalars(select(OrganisationRow))}
    for org in ORGANISATIONS:
        row = existing.get(org.code) or OrganisationRow(code=org.code)
        row.name, row.kind = org.name, org.kind.value
        row.inner_outer, row.subregion = org.inner_outer, org.subregion
        session.add(row)


def find_organisation_row(session: Session, code_or_name: str) -> OrganisationRow | None:
    """By DfE LA code, ICB code or name (any case): `202`, `Camden`, `LIIA`, `QMJ`."""
    wanted = code_or_name.strip().casefold()
    if not wanted:
        return None
    return session.scalars(
        select(OrganisationRow).where(
            or_(
                func.lower(OrganisationRow.code) == wanted,
                func.lower(OrganisationRow.name) == wanted,
            )
        )
    ).first()
