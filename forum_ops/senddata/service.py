"""The SEND Data service: `senddata [borough]` and the forum's standing SEND Data agenda item.

Reads the stored DfE release (parsed once per import), chooses the area and returns the figures
(forum_ops/senddata/figures.py), keeping the trend chart through the ChartStore port. The DfE
figures are public, so an area's answer, and a meeting's agenda item, is computed once per
release, whoever asks.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime

from sqlalchemy.orm import Session

from analytics.sen2 import load_caseload, load_needs
from cards.views.common import LONDON
from cards.views.senddata import SendDataFigures
from forum_ops.db import Database
from forum_ops.errors import NoSendData
from forum_ops.members.model import Member
from forum_ops.ports import ChartStore
from forum_ops.senddata.figures import (
    Sen2Frames,
    agenda_figures,
    area_figures,
    choose_area,
)
from forum_ops.senddata.sen2 import latest_release, release_stamp
from forum_ops.versioned import ANSWERS_FRESH_FOR, ANSWERS_KEPT, Answers, ComputedOnce


def read_frames(session: Session) -> Sen2Frames:
    release = latest_release(session)
    if release is None:
        raise NoSendData()
    files = release.caseload.filename + (f", {release.needs.filename}" if release.needs else "")
    return Sen2Frames(
        load_caseload(release.caseload.content, release.caseload.filename),
        load_needs(release.needs.content, release.needs.filename) if release.needs else None,
        f"DfE, Education, health and care plans ({files}), imported {_british(release.imported_at)}",
    )


def _british(at: datetime) -> str:
    """The day in London, as every card says a day: "Monday 2 February 2026" (not "02 February")."""
    day = at.astimezone(LONDON)
    return f"{day:%A} {day.day} {day:%B %Y}"


class SendData:
    """Lives as long as the app: it holds the parsed release between requests."""

    def __init__(self, db: Database, charts: ChartStore) -> None:
        self._db = db
        self._charts = charts
        self._frames: ComputedOnce[Session, Sen2Frames] = ComputedOnce(release_stamp, read_frames)
        self._areas: Answers[SendDataFigures] = Answers(ANSWERS_KEPT, ANSWERS_FRESH_FOR)
        self._items: Answers[SendDataFigures] = Answers(ANSWERS_KEPT, ANSWERS_FRESH_FOR)

    def frames(self) -> Sen2Frames:
        return self._versioned()[1]

    def for_area(self, words: str, member: Member) -> SendDataFigures:
        """`senddata [borough]`: the borough named, else the member's own, else London."""
        version, frames = self._versioned()
        area = choose_area(words, member)
        return self._areas.get(version, area, lambda: area_figures(frames, area, self._charts))

    def _versioned(self) -> tuple[Hashable, Sen2Frames]:
        with self._db.transaction() as session:
            held = self._frames.versioned(session)
        if held is None:
            raise NoSendData()
        return held

    def agenda_item(self, meeting: date) -> SendDataFigures:
        """A meeting's standing item: drawn once per release and meeting (every `agenda` and
        the circulation day's agenda to every member show the same figures and chart)."""
        version, frames = self._versioned()
        return self._items.get(
            version, meeting, lambda: agenda_figures(frames, meeting, self._charts)
        )
