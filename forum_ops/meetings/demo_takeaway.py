"""A demo Useful Commissioning Takeaway: the latest meeting held gets one, published, so
`takeaway latest` (and tools/render_cards.py) show the card a member reads after a meeting."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum_ops.db.schema import MeetingRow, TakeawayRow
from forum_ops.meetings.takeaway import give_link

TITLE = "Post-16 travel assistance: one framework, shared"
INSIGHT = (
    "Boroughs buying post-16 travel assistance alone pay more for the same routes; three "
    "boroughs already call off one DPS with a bus and a taxi lot."
)
TOOL = "The DPS specification and route-costing sheet, shared in the forum's channel."
ACTIONS = (
    {"what": "Share the DPS specification with the forum", "who": "Camden"},
    {"what": "Compare route costs for post-16 learners", "who": "each borough"},
    {"what": "Report back on joining the DPS at the next meeting", "who": "the secretariat"},
)


def load_demo_takeaway(session: Session, now: datetime) -> str:
    """Idempotent: the latest meeting held before `now` gets the demo takeaway if it has none."""
    held = session.scalars(
        select(MeetingRow).where(MeetingRow.starts_at < now).order_by(MeetingRow.starts_at.desc())
    ).first()
    if held is None or session.get(TakeawayRow, held.id) is not None:
        return "Demo takeaway: none added."
    published = min(held.starts_at + timedelta(days=2), now)
    row = TakeawayRow(
        meeting_id=held.id,
        title=TITLE,
        insight=INSIGHT,
        tool=TOOL,
        actions=json.dumps(list(ACTIONS)),
        author_aad=held.chair_aad,
        status="published",
        published_at=published,
        updated_at=published,
    )
    give_link(row, now)
    session.add(row)
    return f"Demo takeaway published for the meeting of {held.day}."
