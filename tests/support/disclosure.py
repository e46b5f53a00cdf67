"""Placements of a few London boroughs for the disclosure and benchmark tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from analytics.benchmark_filters import Geography
from analytics.disclosure import with_record_keys
from forum_ops.members.reference import LOCAL_AUTHORITIES
from forum_ops.returns.model import Release

GEOGRAPHY = Geography.of(
    {la.code: (str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
)
PERIOD = "2025-26"
CAMDEN, ISLINGTON, BARNET, ENFIELD, HARINGEY = "202", "206", "302", "308", "309"
GREENWICH, LAMBETH, BROMLEY = "203", "208", "305"
BOROUGHS = [CAMDEN, ISLINGTON, BARNET, ENFIELD, GREENWICH, LAMBETH, BROMLEY]
# a release for cards made in tests without a database
RELEASE = Release(1, PERIOD, datetime(2026, 12, 1, 6, 0, tzinfo=UTC), "schedule", 33, 4_688)


def placements(rows: list[tuple[str, str, str, float]], kind: str = "day") -> pd.DataFrame:
    """(borough, need, provider URN, total cost) per placement; the fee is the total. As a
    release holds them: with record keys (seeded, as the server would draw them)."""
    frame = pd.DataFrame(rows, columns=["borough", "primary_need", "provider_urn", "total_cost"])
    return with_record_keys(
        frame.assign(
            period=PERIOD,
            phase="secondary",
            placement_type=kind,
            core_fee=frame["total_cost"],
            residential_care=0.0,
        )
    )
