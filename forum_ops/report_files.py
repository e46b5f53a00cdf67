"""Generated reports (the quarterly report's Word document and workbook) kept for a week and
served at an unguessable URL, from any replica (bot/app.py: /reports/<token>/<file name>)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from forum_ops.db import Database
from forum_ops.db.schema import ReportFileRow

KEEP_FOR = timedelta(days=7)


def keep_file(db: Database, filename: str, content: bytes, now: datetime) -> str:
    """Store a file; returns its token. Not a turn's change (forum_ops/turns.py): a card given
    again links to it too."""
    with db.transaction(effect=False) as session:
        return keep_file_in(session, filename, content, now)


def keep_file_in(session: Session, filename: str, content: bytes, now: datetime) -> str:
    """Store a file in the caller's transaction (a scheduled job's); returns its token."""
    token = secrets.token_urlsafe(24)
    session.add(
        ReportFileRow(token=token, filename=filename, content=content, expires_at=now + KEEP_FOR)
    )
    return token


def file_url(public_url: str, token: str, filename: str) -> str:
    """Where the app serves a kept file (bot/app.py's /reports route)."""
    return f"{public_url.rstrip('/')}/reports/{token}/{filename}"


def find_file(db: Database, token: str, now: datetime) -> tuple[str, bytes] | None:
    with db.transaction() as session:
        row = session.get(ReportFileRow, token)
        if row is None or row.expires_at <= now:
            return None
        return row.filename, row.content


def forget_expired_files(session: Session, now: datetime) -> int:
    result = session.execute(delete(ReportFileRow).where(ReportFileRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
