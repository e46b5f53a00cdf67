"""The supplier search service: `suppliers <filters>`, its "more" page and the search extension.

Holds the stored GIAS snapshot as a frame (rebuilt once per import) and searches it
(forum_ops/suppliers/schools.py) for the member who asks: a page depends only on the snapshot, the words,
the page asked for and the member's borough (nearest first), so each is found once.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime

from sqlalchemy.orm import Session

from analytics.gias import borough_centroids, directory_from_records
from cards.views.common import LONDON
from cards.views.suppliers import PAGE, SchoolsPage
from forum_ops.db import Database
from forum_ops.errors import NoDirectory
from forum_ops.members.model import Member
from forum_ops.suppliers.schools import MAX_QUERY_CHARS, Directory, find_schools
from forum_ops.suppliers.snapshot import snapshot_rows, snapshot_stamp
from forum_ops.usage import SUPPLIER_LOOKUP, record_use
from forum_ops.versioned import ANSWERS_FRESH_FOR, ANSWERS_KEPT, Answers, ComputedOnce


def read_directory(session: Session) -> Directory:
    schools = directory_from_records(snapshot_rows(session))
    return Directory(schools, borough_centroids(schools))


class SupplierSearch:
    """Lives as long as the app: it holds the directory's frame between requests."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._directory: ComputedOnce[Session, Directory] = ComputedOnce(
            snapshot_stamp, read_directory
        )
        self._pages: Answers[SchoolsPage] = Answers(ANSWERS_KEPT, ANSWERS_FRESH_FOR)

    def directory(self) -> Directory:
        return self._versioned()[1]

    def find(self, words: str, member: Member, offset: int = 0, page: int = PAGE) -> SchoolsPage:
        with self._db.transaction() as session:  # one transaction: the version, the count
            version, directory = self._held(session)
            found = self._pages.get(
                version,
                (words[:MAX_QUERY_CHARS], member.borough, offset, page),
                lambda: find_schools(directory, words, member, offset, page),
            )
            if offset == 0:  # a look-up, not its next page: counted for recommendation 14
                record_use(session, SUPPLIER_LOOKUP, datetime.now(LONDON).date())
        return found

    def _versioned(self) -> tuple[Hashable, Directory]:
        with self._db.transaction() as session:
            return self._held(session)

    def _held(self, session: Session) -> tuple[Hashable, Directory]:
        held = self._directory.versioned(session)
        if held is None:
            raise NoDirectory()
        return held
