"""Specialist schools found for a member (forum_ops/suppliers/schools.py finds them;
cards/suppliers.py writes them)."""

from __future__ import annotations

from dataclasses import dataclass

PAGE = 10


@dataclass(frozen=True)
class School:
    urn: int
    name: str
    type: str
    sector: str  # state, nmss, independent, or empty: mainstream
    la_name: str
    low_age: float | None
    high_age: float | None
    needs: tuple[str, ...]
    capacity: float | None
    pupils: float | None
    places_free: float | None
    ofsted: str
    distance_km: float | None  # from the asker's borough, where known


@dataclass(frozen=True)
class SchoolsPage:
    query: str  # as typed, trimmed
    schools: tuple[School, ...]
    offset: int
    found: int
    advice: str  # for an empty result: the filter to drop

    @property
    def more(self) -> bool:
        return self.offset + PAGE < self.found
