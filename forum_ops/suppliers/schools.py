"""Specialist schools found for a member: the search over the directory's frame (pure: the
service in forum_ops/suppliers/search.py reads the stored snapshot and owns the transaction).
Schools come back as plain values; cards/suppliers.py writes them for a card."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.suppliers import Areas, advice, parse_query, search
from cards.views.suppliers import PAGE, School, SchoolsPage
from forum_ops.members.authorities import find_authority
from forum_ops.members.model import Member
from forum_ops.members.reference import LOCAL_AUTHORITIES

MAX_QUERY_CHARS = 500


def _named_borough(phrase: str) -> str | None:
    """Exact names only (official, short or LA code): in free text a guessed typo could be
    a school's name."""
    found = find_authority(phrase)
    return found.code if found else None


AREAS = Areas(
    {la.code: (la.name, str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES},
    _named_borough,
)


@dataclass(frozen=True)
class Directory:
    schools: pd.DataFrame
    centroids: pd.DataFrame


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def school_of(row: pd.Series) -> School:
    return School(
        urn=int(row["urn"]),
        name=str(row["name"]),
        type=str(row["type"]),
        sector=_text(row["sector"]),
        la_name=str(row["la_name"]),
        low_age=_number(row["low_age"]),
        high_age=_number(row["high_age"]),
        needs=tuple(row["needs"]),
        capacity=_number(row["capacity"]),
        pupils=_number(row["pupils"]),
        places_free=_number(row["places_free"]),
        ofsted=_text(row["ofsted"]),
        distance_km=_number(row.get("distance_km")),
    )


def find_schools(
    directory: Directory, words: str, member: Member, offset: int = 0, page: int = PAGE
) -> SchoolsPage:
    """Schools matching `words`, best fit first (need, phase, then distance from the
    member's borough): `page` of them from `offset`."""
    words = words[:MAX_QUERY_CHARS]
    query = parse_query(words, AREAS)
    found = search(directory.schools, query, AREAS, directory.centroids, member.borough)
    shown = found.iloc[offset : offset + page]
    return SchoolsPage(
        query=words.strip(),
        schools=tuple(school_of(row) for _, row in shown.iterrows()),
        offset=offset,
        found=len(found),
        advice=advice(directory.schools, query, AREAS) if found.empty else "",
    )
