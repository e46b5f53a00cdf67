"""Releases (SPEC 6.2, DOMAIN rule 10): the frozen snapshots that figures about London come from.

A release holds every borough's return for a period as it stood when it was cut: monthly by
the scheduler (the first working day of each month) or when the secretariat says `returns
release`. A return held by the plausibility checks (or refused) does not enter it: the borough's
rows from the release before are carried forward instead. A release is kept as published and
never changes; every viewer, in every conversation, reads the same figures from it, so a
borough's uploads between two releases change its own (live) figures and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from cards.views.benchmarks import Release
from cards.views.common import LONDON
from forum_ops.db.schema import (
    MemberRow,
    PlacementRow,
    ReleasePlacementRow,
    ReleaseProviderRow,
    ReleaseRow,
    ReturnSubmissionRow,
    SupplierRow,
)
from forum_ops.errors import NotReachable
from forum_ops.members.model import Role
from forum_ops.ports import Delivery, Messenger, RenderedCard
from forum_ops.scheduler import JobRun
from forum_ops.working_days import is_working_day

log = logging.getLogger(__name__)
COLUMNS = (
    "borough", "provider_urn", "primary_need", "phase", "placement_type", "core_fee",
    "residential_care", "total_cost", "record_key",
)  # fmt: skip
HELD = ("held", "refused")  # decisions that keep a return out of releases
SCHEDULE = "schedule"


def _release(row: ReleaseRow) -> Release:
    return Release(
        row.id, row.period, row.released_at, row.released_by, row.boroughs, row.placements
    )


def cut_release(session: Session, period: str, now: datetime, by: str) -> Release | None:
    """Freeze every borough's return for `period` that may enter a release, in the caller's
    transaction; None when nothing has changed since the period's last release."""
    previous = latest_release(session, period)
    held = held_boroughs(session, period)
    live = _live_rows(session, period)
    rows = live[~live["borough"].isin(list(held))]
    if held and previous is not None:
        carried = release_rows(session, previous.id)
        rows = pd.concat([rows, carried[carried["borough"].isin(list(held))][list(COLUMNS)]])
    rows = rows.sort_values(list(COLUMNS), ignore_index=True)
    if rows.empty:
        return None
    digest = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
    if previous is not None and _digest(session, previous.id) == digest:
        return None
    row = ReleaseRow(
        period=period,
        released_at=now,
        released_by=by[:64],
        boroughs=int(rows["borough"].nunique()),
        placements=len(rows),
        digest=digest,
    )
    session.add(row)
    session.flush()
    records = [
        {"release_id": row.id} | {str(k): v for k, v in r.items()}
        for r in rows.astype(object).to_dict("records")
    ]
    session.execute(insert(ReleasePlacementRow), records)
    names = provider_names(session, set(rows["provider_urn"]), previous, period)
    session.execute(
        insert(ReleaseProviderRow),
        [{"release_id": row.id, "provider_urn": u, "name": n} for u, n in sorted(names.items())],
    )
    release = _release(row)
    log.info(
        "returns.released",
        extra={"period": period, "release": row.id, "boroughs": release.boroughs,
               "placements": release.placements, "held": len(held), "by": by[:64]},
    )  # fmt: skip
    return release


def held_boroughs(session: Session, period: str) -> frozenset[str]:
    """Boroughs whose latest imported return for the period is held or refused."""
    latest = (
        select(ReturnSubmissionRow.borough, func.max(ReturnSubmissionRow.id).label("id"))
        .where(ReturnSubmissionRow.period == period, ReturnSubmissionRow.outcome == "imported")
        .group_by(ReturnSubmissionRow.borough)
        .subquery()
    )
    return frozenset(
        session.scalars(
            select(ReturnSubmissionRow.borough)
            .join(latest, ReturnSubmissionRow.id == latest.c.id)
            .where(ReturnSubmissionRow.decision.in_(HELD))
        )
    )


def provider_names(
    session: Session, urns: set[str], previous: Release | None, period: str
) -> dict[str, str]:
    """Names others see (rule 11): GIAS's; else the name the release before showed; else the
    name of the earliest stored placement at that URN. Never one borough's latest upload."""
    names: dict[str, str] = {}
    for urn, name in session.execute(
        select(PlacementRow.provider_urn, PlacementRow.provider_name)
        .where(PlacementRow.period == period, PlacementRow.provider_urn.in_(urns))
        .order_by(PlacementRow.id.desc())
    ):
        names[urn] = name  # the earliest row's name is written last
    if previous is not None:
        names |= release_names(session, previous.id)
    gias = session.execute(
        select(SupplierRow.urn, SupplierRow.name).where(SupplierRow.urn.in_(urns))
    )
    names |= dict(gias.all())
    return {u: names[u] for u in urns if u in names}


def latest_release(session: Session, period: str) -> Release | None:
    row = session.scalars(
        select(ReleaseRow)
        .where(ReleaseRow.period == period)
        .order_by(ReleaseRow.released_at.desc(), ReleaseRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _release(row)


def releases(
    session: Session, period: str | None = None, before: datetime | None = None
) -> list[Release]:
    """Every release (of a period; cut before a moment), newest first."""
    query = select(ReleaseRow)
    if period is not None:
        query = query.where(ReleaseRow.period == period)
    if before is not None:
        query = query.where(ReleaseRow.released_at < before)
    rows = session.scalars(query.order_by(ReleaseRow.released_at.desc(), ReleaseRow.id.desc()))
    return [_release(r) for r in rows]


@dataclass(frozen=True)
class Published:
    """Every release as stored now, newest first: a few a month, read in one query by each
    benchmark (what its answer depends on), instead of one query per question about them."""

    releases: tuple[Release, ...]

    @property
    def periods(self) -> list[str]:
        """The periods with a release, oldest first."""
        return sorted({r.period for r in self.releases})

    def latest(self, period: str) -> Release | None:
        return next((r for r in self.releases if r.period == period), None)

    def by_id(self, release_id: int) -> Release | None:
        return next((r for r in self.releases if r.id == release_id), None)

    def latest_of_each_period(self) -> list[Release]:
        """Each period's newest release, oldest period first."""
        return [r for p in self.periods if (r := self.latest(p)) is not None]


_RELEASES = ReleaseRow.__table__
_PUBLISHED = select(
    _RELEASES.c.id,
    _RELEASES.c.period,
    _RELEASES.c.released_at,
    _RELEASES.c.released_by,
    _RELEASES.c.boroughs,
    _RELEASES.c.placements,
).order_by(_RELEASES.c.released_at.desc(), _RELEASES.c.id.desc())


def published(session: Session) -> Published:
    rows = session.connection().execute(_PUBLISHED)  # Core: the ORM's loading costs more
    return Published(tuple(Release(*row) for row in rows))


def release_by_id(session: Session, release_id: int) -> Release | None:
    row = session.get(ReleaseRow, release_id)
    return None if row is None else _release(row)


def release_rows(session: Session, release_id: int) -> pd.DataFrame:
    """The release's placements: COLUMNS (and `period`, for the benchmarks' filters)."""
    result = session.execute(
        select(*(getattr(ReleasePlacementRow, c) for c in COLUMNS), ReleaseRow.period)
        .join(ReleaseRow, ReleaseRow.id == ReleasePlacementRow.release_id)
        .where(ReleasePlacementRow.release_id == release_id)
    )
    return pd.DataFrame(result.all(), columns=[*COLUMNS, "period"])


def release_names(session: Session, release_id: int) -> dict[str, str]:
    result = session.execute(
        select(ReleaseProviderRow.provider_urn, ReleaseProviderRow.name).where(
            ReleaseProviderRow.release_id == release_id
        )
    )
    return dict(result.all())


def uploads_since(session: Session, period: str, since: datetime | None) -> dict[str, int]:
    """Per borough: returns sent for the period since `since` (all of them when None), every
    outcome counted: the secretariat sees how often a borough re-submits between releases."""
    query = select(ReturnSubmissionRow.borough, func.count()).where(
        ReturnSubmissionRow.period == period
    )
    if since is not None:
        query = query.where(ReturnSubmissionRow.submitted_at >= since)
    return dict(session.execute(query.group_by(ReturnSubmissionRow.borough)).all())


def _live_rows(session: Session, period: str) -> pd.DataFrame:
    result = session.execute(
        select(*(getattr(PlacementRow, c) for c in COLUMNS)).where(PlacementRow.period == period)
    )
    return pd.DataFrame(result.all(), columns=list(COLUMNS))


def _digest(session: Session, release_id: int) -> str | None:
    return session.scalar(select(ReleaseRow.digest).where(ReleaseRow.id == release_id))


def released_periods(session: Session) -> list[str]:
    """The periods with a release, oldest first."""
    return list(session.scalars(select(ReleaseRow.period).distinct().order_by(ReleaseRow.period)))


def _periods(session: Session) -> list[str]:
    return list(
        session.scalars(select(PlacementRow.period).distinct().order_by(PlacementRow.period))
    )


def release_monthly(session: Session, run: JobRun) -> None:
    """The scheduled release: on the first working day of each month (England's bank holidays
    excluded), every period with returns is released if anything changed."""
    today = run.due_at.astimezone(LONDON).date()
    first = today.replace(day=1)
    while not is_working_day(first):
        first = first.replace(day=first.day + 1)
    if today != first:
        return
    for period in _periods(session):
        cut_release(session, period, run.now, SCHEDULE)


def release_now(session: Session, now: datetime, by: str) -> list[Release]:
    """`returns release` (the secretariat): every period with returns, where anything changed."""
    cut = (cut_release(session, period, now, by) for period in _periods(session))
    return [r for r in cut if r is not None]


def tell_secretariat_of_hold(
    session: Session, messenger: Messenger, card: RenderedCard, submission_id: int
) -> int:
    """A held return's card to every secretariat member (1:1), once per return; how many."""
    secretariat = session.scalars(
        select(MemberRow.aad_object_id).where(MemberRow.roles.contains(Role.SECRETARIAT.value))
    ).all()
    told = 0
    for aad in secretariat:
        try:
            messenger.to_member(
                aad, card, Delivery(f"return:{submission_id}:held:{aad}", "return-held")
            )
            told += 1
        except NotReachable:
            continue  # they see it in `returns` too
    return told
