"""Demo asks for the round robin: a few questions with replies, in every state, among the demo
members (forum_ops/demo.py). Written straight to the tables: no card is sent for the past."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum_ops.asks.service import AskStatus, RouteState
from forum_ops.db import fulltext
from forum_ops.db.schema import AskReplyRow, AskRouteRow, AskRow, MemberRow, OrganisationRow

# (days ago, author's organisation, tags, question, status, replies as (organisation, text, link))
DEMO_ASKS = (
    (
        20,
        "202",
        "s75;therapies",
        "Has anyone a draft Section 75 agreement for therapies with their ICB we could adapt?",
        AskStatus.RESOLVED,
        (
            (
                "204",
                "Ours (2025) is on our SharePoint; the schedules are the useful part.",
                "https://example.sharepoint.com/sites/demo/S75-therapies-draft.docx",
            ),
            ("QMJ", "We are renegotiating ours: happy to talk through the risk-share clause.", ""),
        ),
    ),
    (
        9,
        "210",
        "transport",
        "How are you handling the rise in home-to-school transport costs for post-16 learners?",
        AskStatus.ANSWERED,
        (("318", "We moved to personal travel budgets for most post-16 learners last year.", ""),),
    ),
    (2, "306", "short-breaks", "Who runs a DPS for short breaks providers?", AskStatus.OPEN, ()),
    (30, "212", "tribunal", "Tribunal trends for EOTAS requests?", AskStatus.CLOSED, ()),
)


def demo_asks(session: Session, now: datetime) -> str:
    """Load the demo asks once (nothing if any ask exists); says what it did."""
    if session.scalar(select(func.count()).select_from(AskRow)):
        return "Demo asks: already there."
    people = {
        code: aad
        for aad, code in session.execute(
            select(MemberRow.aad_object_id, OrganisationRow.code)
            .join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
            .order_by(MemberRow.aad_object_id)
        )
    }
    loaded = 0
    for days, org, tags, text, status, replies in DEMO_ASKS:
        author = people.get(org)
        if author is None:
            continue
        at = now - timedelta(days=days)
        row = AskRow(
            author_aad=author,
            organisation_code=org,
            text=text,
            details="",
            topics=tags,
            status=status.value,
            max_asked=7,
            created_at=at,
            updated_at=at,
            first_reply_at=at + timedelta(hours=6) if replies else None,
            finished_at=at + timedelta(days=3) if status.finished else None,
        )
        session.add(row)
        session.flush()
        responders = [o for o, _, _ in replies] or [c for c in ("204", "QMJ", "318") if c != org]
        for seq, code in enumerate(responders, start=1):
            if code not in people:
                continue
            replied = any(o == code for o, _, _ in replies)
            state = RouteState.REPLIED if replied else RouteState.WAITING
            if status is AskStatus.CLOSED:
                state = RouteState.EXPIRED
            session.add(
                AskRouteRow(
                    ask_id=row.id,
                    seq=seq,
                    responder_aad=people[code],
                    organisation_code=code,
                    topic_match=True,
                    state=state.value,
                    reason="",
                    asked_at=at,
                    due_at=at + timedelta(days=2),
                    done_at=at + timedelta(hours=6) if replied else None,
                )
            )
        for n, (code, reply, link) in enumerate(replies):
            if code in people:
                session.add(
                    AskReplyRow(
                        ask_id=row.id,
                        author_aad=people[code],
                        organisation_code=code,
                        text=reply,
                        link=link,
                        created_at=at + timedelta(hours=6 + n),
                    )
                )
        session.flush()
        fulltext.index_ask(session, row.id)
        if status is AskStatus.RESOLVED:
            row.best_reply_id = session.scalar(
                select(func.min(AskReplyRow.id)).where(AskReplyRow.ask_id == row.id)
            )
        loaded += 1
    return f"Demo asks loaded: {loaded} fictitious questions with their replies."
