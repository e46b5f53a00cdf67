"""Chart images, kept for a while and served by an unguessable token; each picture kept once.

A chart is found again by its content (the PNG's SHA-256), so asking the same question again
adds nothing to the database: the row is reused and its expiry pushed back. The URL stays the
row's random token, never the content key: a token cannot be worked out from a picture someone
could draw for themselves (another borough's own figure, guessed and drawn, is not a way in).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from forum_ops.db.engine import Database
from forum_ops.db.schema import ChartRow
from forum_ops.ports import ChartStore, Clock

KEEP_CHARTS_FOR = timedelta(days=30)  # cards stay in chats; their pictures must still load


def content_key(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()


def keep_chart(session: Session, png: bytes, now: datetime) -> str:
    """The token the picture is served under: the one it already has (kept for another
    KEEP_CHARTS_FOR from now), or a new one. Safe when replicas keep the same picture at once."""
    expires_at = now + KEEP_CHARTS_FOR
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ChartRow)
        .values(
            token=secrets.token_urlsafe(24),
            png=png,
            expires_at=expires_at,
            content_key=content_key(png),
        )
        .on_conflict_do_update(index_elements=["content_key"], set_={"expires_at": expires_at})
        .returning(ChartRow.token)
    )
    return str(session.execute(statement).scalar_one())


def find_chart(session: Session, token: str, now: datetime) -> bytes | None:
    return session.scalar(
        select(ChartRow.png).where(ChartRow.token == token, ChartRow.expires_at > now)
    )


def forget_expired_charts(session: Session, now: datetime) -> int:
    result = session.execute(delete(ChartRow).where(ChartRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def chart_url(public_url: str, token: str) -> str:
    """Where the app serves a kept chart (bot/app.py's /charts/<token>.png)."""
    return f"{public_url.rstrip('/')}/charts/{token}.png"


class SessionCharts:
    """The ChartStore port inside the caller's transaction: a job's chart is kept with the
    card that links to it (the meetings' cycle keeps the agenda's SEND Data charts so)."""

    def __init__(self, session: Session, now: datetime, public_url: str) -> None:
        self._session, self._now, self._public_url = session, now, public_url

    def store(self, key: str, png: bytes) -> str:
        return chart_url(self._public_url, keep_chart(self._session, png, self._now))


class ChartTable:
    """The ChartStore port in a transaction of its own: a chart a command draws is kept whether
    or not the turn changes anything (not a turn's change, forum_ops/turns.py: a card given
    again links to it too)."""

    def __init__(self, db: Database, public_url: str, clock: Clock) -> None:
        self._db, self._public_url, self._clock = db, public_url, clock

    def store(self, key: str, png: bytes) -> str:
        """`key` names the chart for the caller; the URL is the chart table's unguessable
        token, the same for the same picture (each picture is kept once)."""
        with self._db.transaction(effect=False) as session:
            token = keep_chart(session, png, self._clock.now())
        return chart_url(self._public_url, token)


_PORTS: tuple[type[ChartStore], ...] = (SessionCharts, ChartTable)  # mypy holds them to the port
