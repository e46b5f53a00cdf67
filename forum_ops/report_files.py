"""Generated files kept for a week, from any replica.

A report that names people or holds the forum's figures (the asks report's CSV, the quarterly
report's Word document and workbook) is offered to one member in Teams: a file consent card in
their 1:1 chat, and on "Allow" the bot puts the file in their OneDrive (bot/file_offers.py). It
is never served at a link, so a forwarded message gives nobody the file. Only what is not
private (a meeting's calendar file) is served at an unguessable URL (bot/app.py:
/reports/<token>/<file name>).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from cards.views.common import FileOffer
from forum_ops.db import Database
from forum_ops.db.schema import ReportFileRow
from forum_ops.members.model import Member

KEEP_FOR = timedelta(days=7)


@dataclass(frozen=True)
class OfferedFile:
    filename: str
    content: bytes
    again: str  # what to say to have it offered again, e.g. "asks report"


def keep_file(db: Database, filename: str, content: bytes, now: datetime) -> str:
    """Store a file that is not private (served at a link); returns its token. Not a turn's
    change (forum_ops/turns.py): a card given again links to it too."""
    with db.transaction(effect=False) as session:
        return keep_file_in(session, filename, content, now)


def keep_file_in(session: Session, filename: str, content: bytes, now: datetime) -> str:
    """Store a file that is not private in the caller's transaction; returns its token."""
    token = secrets.token_urlsafe(24)
    session.add(
        ReportFileRow(token=token, filename=filename, content=content, expires_at=now + KEEP_FOR)
    )
    return token


def offer_file_in(
    session: Session,
    to: str,
    filename: str,
    content: bytes,
    now: datetime,
    *,
    description: str,
    again: str,
) -> FileOffer:
    """Keep a private file for the member whose AAD object id is `to`, alone (its consent
    card goes to their 1:1 chat)."""
    token = secrets.token_urlsafe(24)
    session.add(
        ReportFileRow(
            token=token,
            filename=filename,
            content=content,
            expires_at=now + KEEP_FOR,
            offered_to=to,
            again=again[:200],
        )
    )
    return FileOffer(token, filename, len(content), description)


def offer_file(
    db: Database,
    to: str,
    filename: str,
    content: bytes,
    now: datetime,
    *,
    description: str,
    again: str,
) -> FileOffer:
    """As offer_file_in, in a transaction of its own (not a turn's change, as keep_file)."""
    with db.transaction(effect=False) as session:
        return offer_file_in(
            session, to, filename, content, now, description=description, again=again
        )


def offered_file(db: Database, token: str, member: Member, now: datetime) -> OfferedFile | None:
    """The file offered to `member` under `token`, while they may still have it: offered to
    them, not expired, and they are still in the secretariat (every private file is one of
    its reports). None otherwise, whoever asks: the card's context is only a key."""
    if not member.is_secretariat:
        return None
    with db.transaction() as session:
        row = session.get(ReportFileRow, token) if token else None
        if row is None or row.expires_at <= now or row.offered_to != member.aad_object_id:
            return None
        return OfferedFile(row.filename, row.content, row.again)


def claim_answer(db: Database, token: str, now: datetime) -> bool:
    """Mark an offered file's consent card answered; False if it was already (Teams delivered
    the same Allow or Decline again, or two replicas race): only one upload, one word back."""
    with db.transaction(effect=False) as session:
        result = session.execute(
            update(ReportFileRow)
            .where(ReportFileRow.token == token, ReportFileRow.answered_at.is_(None))
            .values(answered_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1


def release_answer(db: Database, token: str) -> None:
    """The upload failed: the file may be asked for again under the same card."""
    with db.transaction(effect=False) as session:
        session.execute(
            update(ReportFileRow).where(ReportFileRow.token == token).values(answered_at=None)
        )


def file_url(public_url: str, token: str, filename: str) -> str:
    """Where the app serves a kept public file (bot/app.py's /reports route)."""
    return f"{public_url.rstrip('/')}/reports/{token}/{filename}"


def find_file(db: Database, token: str, now: datetime) -> tuple[str, bytes] | None:
    """A kept public file; never one offered to a member."""
    with db.transaction() as session:
        row = session.get(ReportFileRow, token)
        if row is None or row.expires_at <= now or row.offered_to is not None:
            return None
        return row.filename, row.content


def forget_expired_files(session: Session, now: datetime) -> int:
    result = session.execute(delete(ReportFileRow).where(ReportFileRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
