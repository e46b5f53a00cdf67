"""Supplier lookup cards: `suppliers <filters>`, its "more" action and the search extension."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from botbuilder.schema import Attachment, ThumbnailCard
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)

from analytics.gias import borough_centroids, directory_from_records
from analytics.suppliers import Areas, advice, parse_query, search
from bot.replies import ADAPTIVE_CARD
from cards import Card, render_card
from cards.views import SchoolLine, SuppliersView
from forum_ops.authorities import find_authority
from forum_ops.db import Database
from forum_ops.model import Member
from forum_ops.reference import LOCAL_AUTHORITIES
from forum_ops.suppliers import snapshot_rows, snapshot_stamp

PAGE = 10
GIAS_PAGE = (
    "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/{urn}"
)


def _named_borough(phrase: str) -> str | None:
    """Exact names only (official, short or LA code): in free text a guessed typo could be
    a school's name."""
    found = find_authority(phrase)
    return found.code if found else None


AREAS = Areas(
    {la.code: (la.name, str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES},
    _named_borough,
)
SECTOR_LABELS = {"state": "state-funded", "nmss": "non-maintained", "independent": "independent"}


@dataclass(frozen=True)
class Directory:
    schools: pd.DataFrame
    centroids: pd.DataFrame


class DirectoryCache:
    """The stored snapshot as a frame, rebuilt only after a new import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: datetime | None = None
        self._directory: Directory | None = None

    def load(self, db: Database) -> Directory | None:
        with db.transaction() as session:
            stamp = snapshot_stamp(session)
            if stamp is None:
                return None
            with self._lock:
                if stamp != self._stamp:
                    schools = directory_from_records(snapshot_rows(session))
                    self._directory = Directory(schools, borough_centroids(schools))
                    self._stamp = stamp
                return self._directory


def find(directory: Directory, words: str, member: Member) -> pd.DataFrame:
    return search(
        directory.schools,
        parse_query(words, AREAS),
        AREAS,
        directory.centroids,
        member.borough,
    )


def school_line(row: pd.Series) -> SchoolLine:
    ages = (
        f"ages {row['low_age']:.0f}–{row['high_age']:.0f}"
        if pd.notna(row["low_age"])
        else "ages not recorded"
    )
    summary = f"{row['type']} ({SECTOR_LABELS.get(row['sector'], 'mainstream')}), {row['la_name']}, {ages}"
    parts = [", ".join(row["needs"]) or "needs not recorded"]
    if pd.notna(row["capacity"]):
        places = row["places_free"]
        free = f"{places:.0f} places free" if pd.notna(places) and places > 0 else "full"
        parts.append(f"capacity {row['capacity']:.0f}, {row['pupils']:.0f} pupils, {free}")
    parts.append(f"Ofsted: {row['ofsted'] or 'not recorded'}")
    if pd.notna(row.get("distance_km")):
        parts.append(f"{row['distance_km']:.1f} km away")
    return SchoolLine(
        str(row["name"]), GIAS_PAGE.format(urn=row["urn"]), summary, " · ".join(parts)
    )


def suppliers_card(directory: Directory, words: str, member: Member, offset: int = 0) -> Card:
    found = find(directory, words, member)
    page = found.iloc[offset : offset + PAGE]
    query = words.strip()
    shown = f"{offset + 1}–{offset + len(page)} of {len(found)}" if len(page) else "none"
    view = SuppliersView(
        title=f"Specialist schools: {query}" if query else "Specialist schools",
        subtitle=f"Showing {shown}, best fit first (need, phase, then distance). Source: DfE GIAS.",
        schools=tuple(school_line(row) for _, row in page.iterrows()),
        advice=advice(directory.schools, parse_query(words, AREAS), AREAS) if found.empty else "",
        more_query=query if offset + PAGE < len(found) else "",
        more_offset=offset + PAGE,
    )
    return render_card("suppliers", view)


def school_card(row: pd.Series) -> Card:
    """One school, for the messaging extension to drop into a conversation."""
    view = SuppliersView(
        title=str(row["name"]),
        subtitle="Specialist school (DfE GIAS)",
        schools=(school_line(row),),
        advice="",
        more_query="",
        more_offset=0,
    )
    return render_card("suppliers", view)


def extension_results(
    directory: Directory, words: str, member: Member
) -> MessagingExtensionResponse:
    """The search messaging extension's answer: the best schools as cards, each with a preview."""
    found = find(directory, words[:500], member)
    attachments = [
        MessagingExtensionAttachment(
            content_type=ADAPTIVE_CARD,
            content=school_card(row).content,
            preview=Attachment(
                content_type="application/vnd.microsoft.card.thumbnail",
                content=ThumbnailCard(title=str(row["name"]), text=school_line(row).summary),
            ),
        )
        for _, row in found.head(PAGE).iterrows()
    ]
    return MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(
            type="result", attachment_layout="list", attachments=attachments
        )
    )
