"""Boroughs' INMSS returns: submitted whole, checked whole, replaced whole, and audited.

A return with any problem imports nothing (the refusal is still audited); a clean return replaces
that borough's earlier return for the period in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from analytics.errors import CellProblem, InvalidReturn
from analytics.returns_format import COLUMNS
from analytics.returns_read import read_return
from forum_ops.db.engine import Database
from forum_ops.db.schema import PlacementRow, ReturnSubmissionRow
from forum_ops.errors import ForumError, ImportRejected, Problem
from forum_ops.reference import LOCAL_AUTHORITIES
from forum_ops.sandbox import LimitExceeded, Limits, run_limited

log = logging.getLogger(__name__)
BOROUGHS = {la.code: la.name for la in LOCAL_AUTHORITIES}
READ_LIMITS = Limits(memory_bytes=2**30, seconds=30.0)


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


def submit_return(db: Database, raw: bytes, submission: Submission, now: datetime) -> ReturnReport:
    """Check the whole file, then replace the borough's return for the period in one
    transaction. Any problem raises ImportRejected listing them all, and nothing changes."""
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
        report = replace_return(session, submission, frame, now)
    log.info(
        "returns.imported",
        extra={
            "borough": submission.borough,
            "period": submission.period,
            "placements": report.placements,
            "replaced": report.replaced,
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
    session: Session, submission: Submission, frame: pd.DataFrame, now: datetime
) -> ReturnReport:
    """In the caller's transaction: the borough's return for the period becomes `frame`."""
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
    if records:
        session.execute(insert(PlacementRow), records)
    count = int(getattr(replaced, "rowcount", 0) or 0)
    _audit(session, submission, "imported", len(records), 0, count, now)
    return ReturnReport(len(records), count, float(frame["total_cost"].sum()))


def _audit(
    session: Session,
    submission: Submission,
    outcome: str,
    placements: int,
    problems: int,
    replaced: int,
    now: datetime,
) -> None:
    session.add(
        ReturnSubmissionRow(
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
    )


def all_placements(session: Session) -> pd.DataFrame:
    """Every borough's placements, all periods: `borough`, `period` and the return's COLUMNS."""
    columns = ["borough", "period", *COLUMNS]
    result = session.execute(select(*(getattr(PlacementRow, c) for c in columns)))
    return pd.DataFrame(result.all(), columns=columns)


def returns_version(session: Session) -> int | None:
    """Changes whenever a return is imported (the latest import's audit id); None: no returns."""
    return session.scalar(
        select(func.max(ReturnSubmissionRow.id)).where(ReturnSubmissionRow.outcome == "imported")
    )


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
