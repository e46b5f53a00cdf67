"""A synthetic GIAS extract of London's specialist schools (fictitious, fixed seed)."""

from __future__ import annotations

from functools import cache

from analytics.gias_synthetic import synthetic_extract
from forum_ops.members.reference import LOCAL_AUTHORITIES


@cache
def london_text() -> str:
    return synthetic_extract(
        [(la.code, la.name, str(la.subregion)) for la in LOCAL_AUTHORITIES], seed=7
    )
