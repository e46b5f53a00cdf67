"""Boroughs' INMSS returns: submitted whole, checked whole, replaced whole, and audited.

A return with any problem imports nothing (the refusal is still audited); a clean return replaces
that borough's earlier return for the period in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from analytics.disclosure import random_record_keys
from analytics.errors import CellProblem, InvalidReturn
from analytics.returns_format import COLUMNS
from analytics.returns_read import read_return
from cards.views.benchmarks import Release
from forum_ops.db.engine import Database
from forum_ops.db.schema import PlacementKeyRow, PlacementRow, ReturnSubmissionRow
from forum_ops.errors import ForumError, ImportRejected, LimitExceeded, Problem
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.ports import Clock, RenderedCard
from forum_ops.returns.plausibility import Plausibility, hold_reasons
from forum_ops.returns.releases import (
    latest_release,
    release_rows,
    releases,
    tell_secretariat_of_hold,
    uploads_since,
)
from forum_ops.sandbox import Limits, run_limited

log = logging.getLogger(__name__)
BOROUGHS = {la.code: la.name for la in LOCAL_AUTHORITIES}
READ_LIMITS = Limits(memory_bytes=2**30, seconds=30.0)
PLAUSIBLE = Plausibility()  # the default thresholds (bot/settings.py reads the configured ones)
KEYS = PlacementKeyRow.metadata.tables[PlacementKeyRow.__tablename__]
_CHUNK = 500  # placement ids per statement


@dataclass(frozen=True)
class Submission:
    borough: str  # DfE LA code
    period: str  # 2025-26
    submitted_by: str  # who sent it: an Entra object id, or "cli:<user>"
    filename: str


@dataclass(frozen=True)
class ReturnReport:
    placements: int
    replaced: int  # placements of the earlier return for the same borough and period
    spend: float
    held: bool = False  # kept out of releases until the secretariat accepts it (rule 11)
    submission_id: int = 0


def submit_return(
    db: Database,
    raw: bytes,
    submission: Submission,
    now: datetime,
    plausibility: Plausibility = PLAUSIBLE,
) -> ReturnReport:
    """Check the whole file, then replace the borough's return for the period in one
    transaction. Any problem raises ImportRejected listing them all, and nothing changes. A
    clean return that fails the plausibility checks is imported but held out of releases."""
    if submission.borough not in BOROUGHS:
        raise ForumError(f"'{submission.borough[:10]}' is not a London borough's DfE LA code.")
    try:
        frame = read_isolated(raw, submission.filename, submission.period)
    except InvalidReturn as invalid:
        problems = [Problem(p.line, p.column, p.reason) for p in invalid.problems]
        with db.transaction() as session:
            _audit(session, submission, "rejected", 0, len(problems), 0, now)
        log.info(
            "returns.rejected",
            extra={
                "borough": submission.borough,
                "period": submission.period,
                "problems": len(problems),
            },
        )
        raise ImportRejected(f"The return {submission.filename}", problems) from None
    with db.transaction() as session:
        last = latest_release(session, submission.period)
        released = None if last is None else release_rows(session, last.id)
        reasons = hold_reasons(session, submission.borough, frame, released, plausibility)
        report = replace_return(session, submission, frame, now, "; ".join(reasons))
    log.info(
        "returns.imported",
        extra={
            "borough": submission.borough,
            "period": submission.period,
            "placements": report.placements,
            "replaced": report.replaced,
            "held": report.held,
        },
    )
    return report


def read_isolated(raw: bytes, filename: str, period: str) -> pd.DataFrame:
    """read_return in a child process with memory and time limits (forum_ops/sandbox.py): a
    file that gets past the bomb checks still cannot stall or swell the bot."""
    try:
        return run_limited(read_return, raw, filename, period, limits=READ_LIMITS)
    except LimitExceeded as exceeded:
        raise InvalidReturn(
            [CellProblem(0, "", f"the file cannot be read safely: {exceeded}")]
        ) from None


def replace_return(
    session: Session,
    submission: Submission,
    frame: pd.DataFrame,
    now: datetime,
    hold_reason: str = "",
) -> ReturnReport:
    """In the caller's transaction: the borough's return for the period becomes `frame`. A
    placement gets the record key drawn when its id was first stored for the borough and
    period, whatever returns came between (rule 8); new ids get keys drawn at random. With a
    `hold_reason` the return waits for the secretariat."""
    replaced = session.execute(
        delete(PlacementRow).where(
            PlacementRow.borough == submission.borough, PlacementRow.period == submission.period
        )
    )
    rows = frame[list(COLUMNS)].astype(object).where(frame[list(COLUMNS)].notna(), None)
    records: list[dict[str, object]] = [
        {"borough": submission.borough, "period": submission.period}
        | {str(column): value for column, value in record.items()}
        for record in rows.to_dict("records")
    ]
    keys = record_keys(
        session, submission.borough, submission.period, [str(r["placement_id"]) for r in records]
    )
    for record in records:
        record["record_key"] = keys[key_spot(str(record["placement_id"]))]
    if records:
        session.execute(insert(PlacementRow), records)
    count = int(getattr(replaced, "rowcount", 0) or 0)
    audit = _audit(session, submission, "imported", len(records), 0, count, now)
    if hold_reason:
        audit.hold_reason, audit.decision = hold_reason[:600], "held"
    session.flush()
    return ReturnReport(
        len(records), count, float(frame["total_cost"].sum()), bool(hold_reason), audit.id
    )


def key_spot(placement_id: str) -> str:
    """A placement id as the return's check compares ids: "CAM-1" and "cam-1" are one."""
    return placement_id.casefold()


def record_keys(
    session: Session, borough: str, period: str, placement_ids: list[str]
) -> dict[str, int]:
    """Rule 8, in the caller's transaction: each placement id's record key (by `key_spot`) for
    the borough and period. One drawn before is given again, whichever of the borough's returns
    drew it; an id never seen gets a key drawn at random by the server and kept for good, so
    re-submitting the same placements, with other returns between or not, never draws afresh."""
    spots = list(dict.fromkeys(key_spot(i) for i in placement_ids))
    keys = _stored_keys(session, borough, period, spots)
    new = [spot for spot in spots if spot not in keys]
    if new:
        connection = session.connection()
        insert_into = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        drawn = random_record_keys(len(new))
        rows = [
            {"borough": borough, "period": period, "placement_id": spot, "record_key": int(key)}
            for spot, key in zip(new, drawn, strict=True)
        ]
        statement = insert_into(KEYS).on_conflict_do_nothing(
            index_elements=["borough", "period", "placement_id"]
        )
        for start in range(0, len(rows), _CHUNK):
            connection.execute(statement, rows[start : start + _CHUNK])
        # read back: an upload of the same borough at the same moment may have drawn one first
        keys.update(_stored_keys(session, borough, period, new))
    return keys


def _stored_keys(session: Session, borough: str, period: str, spots: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(spots), _CHUNK):
        rows = session.execute(
            select(PlacementKeyRow.placement_id, PlacementKeyRow.record_key).where(
                PlacementKeyRow.borough == borough,
                PlacementKeyRow.period == period,
                PlacementKeyRow.placement_id.in_(spots[start : start + _CHUNK]),
            )
        )
        found.update({str(spot): int(key) for spot, key in rows.all()})
    return found


def _audit(
    session: Session,
    submission: Submission,
    outcome: str,
    placements: int,
    problems: int,
    replaced: int,
    now: datetime,
) -> ReturnSubmissionRow:
    row = ReturnSubmissionRow(
        borough=submission.borough,
        period=submission.period,
        submitted_by=submission.submitted_by,
        filename=submission.filename[:300],
        outcome=outcome,
        placements=placements,
        problems=problems,
        replaced=replaced,
        submitted_at=now,
    )
    session.add(row)
    return row


def all_placements(session: Session) -> pd.DataFrame:
    """Every borough's placements, all periods: `borough`, `period` and the return's COLUMNS."""
    columns = ["borough", "period", *COLUMNS]
    result = session.execute(select(*(getattr(PlacementRow, c) for c in columns)))
    return pd.DataFrame(result.all(), columns=columns)


_RETURNS_VERSION = select(func.max(ReturnSubmissionRow.__table__.c.id)).where(
    ReturnSubmissionRow.__table__.c.outcome == "imported"
)


def returns_version(session: Session) -> int | None:
    """Changes whenever a return is imported (the latest import's audit id); None: no returns."""
    return session.connection().execute(_RETURNS_VERSION).scalar()  # Core: asked every benchmark


@dataclass(frozen=True)
class SubmissionLine:
    """One attempt at a return, as the borough's `returns` card lists it."""

    period: str
    submitted_at: datetime
    outcome: str  # imported, rejected
    placements: int
    problems: int


def latest_submissions(db: Database, borough: str, limit: int = 8) -> list[SubmissionLine]:
    """The borough's latest attempts, newest first, in their own unit of work."""
    with db.transaction() as session:
        return [
            SubmissionLine(s.period, s.submitted_at, s.outcome, s.placements, s.problems)
            for s in submissions(session, limit, borough)
        ]


def submissions(
    session: Session, limit: int = 50, borough: str | None = None
) -> list[ReturnSubmissionRow]:
    """The audit trail, newest first; one borough's when given."""
    query = select(ReturnSubmissionRow)
    if borough is not None:
        query = query.where(ReturnSubmissionRow.borough == borough)
    return list(
        session.scalars(
            query.order_by(
                ReturnSubmissionRow.submitted_at.desc(), ReturnSubmissionRow.id.desc()
            ).limit(limit)
        )
    )


@dataclass(frozen=True)
class HeldReturn:
    """A return the plausibility checks hold out of releases, as the secretariat decides on it."""

    id: int
    borough: str
    period: str
    submitted_at: datetime
    placements: int
    reason: str


def held_returns(db: Database) -> list[HeldReturn]:
    """Returns waiting for the secretariat: each borough's latest return if it is held."""
    with db.transaction() as session:
        latest = set(
            session.scalars(
                select(func.max(ReturnSubmissionRow.id))
                .where(ReturnSubmissionRow.outcome == "imported")
                .group_by(ReturnSubmissionRow.borough, ReturnSubmissionRow.period)
            )
        )
        rows = session.scalars(
            select(ReturnSubmissionRow)
            .where(ReturnSubmissionRow.decision == "held")
            .order_by(ReturnSubmissionRow.submitted_at, ReturnSubmissionRow.id)
        )
        return [
            HeldReturn(r.id, r.borough, r.period, r.submitted_at, r.placements, r.hold_reason or "")
            for r in rows
            if r.id in latest  # a later return replaced it: nothing to decide
        ]


def decide_held_return(
    db: Database, submission_id: int, accept: bool, by: str, now: datetime
) -> HeldReturn:
    """The secretariat accepts a held return (it enters the next release) or refuses it (the
    borough's last released rows stay in releases). Authority is the caller's to check."""
    with db.transaction() as session:
        row = session.get(ReturnSubmissionRow, submission_id, with_for_update=True)
        newer = row is not None and session.scalar(
            select(func.count()).where(
                ReturnSubmissionRow.borough == row.borough,
                ReturnSubmissionRow.period == row.period,
                ReturnSubmissionRow.outcome == "imported",
                ReturnSubmissionRow.id > row.id,
            )
        )
        if row is None or row.decision != "held" or newer:
            raise ForumError("That return is no longer waiting for a decision.")
        row.decision = "accepted" if accept else "refused"
        row.decided_by, row.decided_at = by[:64], now
        log.info(
            "returns.decided",
            extra={"borough": row.borough, "period": row.period, "decision": row.decision},
        )
        return HeldReturn(
            row.id, row.borough, row.period, row.submitted_at, row.placements, row.hold_reason or ""
        )


@dataclass(frozen=True)
class ReleaseDesk:
    """What the secretariat sees of returns and releases (`returns`)."""

    held: list[HeldReturn]
    uploads: list[
        tuple[tuple[str, str], int]
    ]  # ((borough, period), returns sent) since its last release
    releases: list[Release]


def release_desk(db: Database) -> ReleaseDesk:
    held = held_returns(db)
    with db.transaction() as session:
        cut = releases(session)
        uploads: list[tuple[tuple[str, str], int]] = []
        periods = session.scalars(select(ReturnSubmissionRow.period).distinct())
        for period in sorted(periods):
            last = next((r for r in cut if r.period == period), None)
            sent = uploads_since(session, period, None if last is None else last.released_at)
            uploads += [((b, period), n) for b, n in sorted(sent.items())]
    return ReleaseDesk(held, uploads, cut)


class ReturnCards(Protocol):
    """The returns' presenter (cards/return_cards.py)."""

    def held(
        self, submission_id: int, borough: str, period: str, placements: int, reason: str
    ) -> RenderedCard:
        """A held return for the secretariat (`borough` by name): its reason and the buttons
        to decide it."""
        ...


@dataclass(frozen=True)
class Returns:
    """The returns' messages as a service object, built once by bot/services.py with its
    database, clock, messenger factory and presenter."""

    db: Database
    clock: Clock
    messengers: MessengerFactory
    cards: ReturnCards

    def tell_of_hold(self, submission_id: int) -> int:
        """A held return's card to every member of the secretariat, in one transaction; how
        many were told (none if it is no longer held)."""
        held = next((h for h in held_returns(self.db) if h.id == submission_id), None)
        if held is None:
            return 0
        name = BOROUGHS.get(held.borough, held.borough)
        card = self.cards.held(held.id, name, held.period, held.placements, held.reason)
        now = self.clock.now()
        with self.db.transaction() as session:
            return tell_secretariat_of_hold(session, self.messengers(session, now), card, held.id)
