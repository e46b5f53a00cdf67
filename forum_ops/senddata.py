"""The SEND Data service: `senddata [borough]` and the forum's standing SEND Data agenda item.

Reads the stored DfE release (parsed once per import), chooses the area and returns the figures
(forum_ops/senddata_figures.py), keeping the trend chart through the ChartStore port.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from analytics.sen2 import load_caseload, load_needs
from forum_ops.db import Database
from forum_ops.model import Member
from forum_ops.ports import ChartStore
from forum_ops.sen2 import latest_release, release_stamp
from forum_ops.senddata_figures import (
    NoSendData,
    Sen2Frames,
    SendDataFigures,
    agenda_figures,
    area_figures,
    choose_area,
)
from forum_ops.versioned import ComputedOnce


def read_frames(session: Session) -> Sen2Frames:
    release = latest_release(session)
    if release is None:
        raise NoSendData()
    files = release.caseload.filename + (f", {release.needs.filename}" if release.needs else "")
    return Sen2Frames(
        load_caseload(release.caseload.content, release.caseload.filename),
        load_needs(release.needs.content, release.needs.filename) if release.needs else None,
        f"DfE, Education, health and care plans ({files}), imported {release.imported_at:%d %B %Y}",
    )


class SendData:
    """Lives as long as the app: it holds the parsed release between requests."""

    def __init__(self, db: Database, charts: ChartStore) -> None:
        self._db = db
        self._charts = charts
        self._frames: ComputedOnce[Session, Sen2Frames] = ComputedOnce(release_stamp, read_frames)

    def frames(self) -> Sen2Frames:
        with self._db.transaction() as session:
            frames = self._frames.get(session)
        if frames is None:
            raise NoSendData()
        return frames

    def for_area(self, words: str, member: Member) -> SendDataFigures:
        """`senddata [borough]`: the borough named, else the member's own, else London."""
        frames = self.frames()
        return area_figures(frames, choose_area(words, member), self._charts)

    def agenda_item(self, meeting: date) -> SendDataFigures:
        return agenda_figures(self.frames(), meeting, self._charts)
