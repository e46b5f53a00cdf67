"""The INMSS returns as the benchmarks read them: London's figures from a release (read once per
release: it never changes), the viewer's own from its live rows."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.benchmark_filters import Geography
from forum_ops.db.schema import PlacementRow
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.returns.model import Release
from forum_ops.returns.releases import release_names, release_rows

GEOGRAPHY = Geography.of(
    {la.code: (str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
)
OWN_COLUMNS = (
    "period", "borough", "provider_urn", "provider_name", "primary_need", "phase",
    "placement_type", "core_fee", "residential_care", "total_cost",
)  # fmt: skip


@dataclass(frozen=True)
class Released:
    """One release as the benchmarks read it."""

    release: Release
    frame: pd.DataFrame  # the release's placements (releases.COLUMNS and `period`)
    names: dict[str, str]  # provider URN -> the name others see (GIAS, or the first accepted)


class ReleasesRead:
    """Releases read from the database once each (they never change), the latest few kept."""

    def __init__(self, kept: int = 4) -> None:
        self._kept = kept
        self._held: OrderedDict[int, Released] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, release: Release) -> Released:
        with self._lock:
            if release.id in self._held:
                self._held.move_to_end(release.id)
                return self._held[release.id]
        read = Released(
            release, release_rows(session, release.id), release_names(session, release.id)
        )
        with self._lock:
            self._held[release.id] = read
            while len(self._held) > self._kept:
                self._held.popitem(last=False)
        return read


def own_rows(session: Session, borough: str, period: str | None = None) -> pd.DataFrame:
    """A borough's own placements as stored now (live: rule 4), of one period or all."""
    query = select(*(getattr(PlacementRow, c) for c in OWN_COLUMNS)).where(
        PlacementRow.borough == borough
    )
    if period is not None:
        query = query.where(PlacementRow.period == period)
    return pd.DataFrame(session.execute(query).all(), columns=list(OWN_COLUMNS))
