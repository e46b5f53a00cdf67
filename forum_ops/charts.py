"""Chart images, kept for a while and served by an unguessable token."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forum_ops.db.schema import ChartRow

KEEP_CHARTS_FOR = timedelta(days=30)  # cards stay in chats; their pictures must still load


def keep_chart(session: Session, png: bytes, now: datetime) -> str:
    token = secrets.token_urlsafe(24)
    session.add(ChartRow(token=token, png=png, expires_at=now + KEEP_CHARTS_FOR))
    return token


def find_chart(session: Session, token: str, now: datetime) -> bytes | None:
    return session.scalar(
        select(ChartRow.png).where(ChartRow.token == token, ChartRow.expires_at > now)
    )


def forget_expired_charts(session: Session, now: datetime) -> int:
    result = session.execute(delete(ChartRow).where(ChartRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
