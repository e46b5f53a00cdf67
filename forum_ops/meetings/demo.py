"""Demo meetings: the Year 1 forward plan of SPEC section 2 and the 8-week cadence after it,
with demo chairs for the first meetings (fictitious members of forum_ops/demo.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum_ops.db.schema import MeetingRow
from forum_ops.meetings.service import seed_year_one
from forum_ops.members.demo import demo_id

DEMO_CHAIRS = {"2025-11-20": ("LIIA", 1), "2026-01-22": ("202", 1), "2026-03-19": ("QMJ", 1)}


def load_demo_meetings(session: Session, now: datetime) -> int:
    """Idempotent: days already planned are left as they are. Returns meetings added."""
    added = seed_year_one(session, now)
    for row in session.scalars(select(MeetingRow).where(MeetingRow.day.in_(DEMO_CHAIRS))):
        if row.chair_aad is None:
            org, n = DEMO_CHAIRS[row.day]
            row.chair_aad, row.chair_org = demo_id(org, n), org
    return added
