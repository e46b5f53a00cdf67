"""What a benchmark is asked for: a period, needs, phases, placement types and an area.

`parse_filters("SEMH secondary South East", ...)` -> Filters; `matching` keeps the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

LONDON = "London"


@dataclass(frozen=True)
class Geography:
    """Named groups of boroughs a benchmark can be limited to: London, Inner, Outer, sub-regions."""

    areas: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, boroughs: Mapping[str, tuple[str, str]]) -> Geography:
        """From LA code -> (sub-region, inner/outer)."""
        areas: dict[str, set[str]] = {LONDON: set(boroughs)}
        for code, (subregion, inner_outer) in boroughs.items():
            areas.setdefault(subregion, set()).add(code)
            areas.setdefault(inner_outer, set()).add(code)
        return cls({name: frozenset(codes) for name, codes in areas.items()})


@dataclass(frozen=True)
class Filters:
    period: str
    needs: frozenset[str] = frozenset()
    phases: frozenset[str] = frozenset()
    placement_types: frozenset[str] = frozenset()
    area: str = LONDON

    def words(self) -> str:
        parts = [*sorted(self.needs), *sorted(self.phases), *sorted(self.placement_types)]
        return ", ".join([*parts, self.area, self.period])


def matching(placements: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The period's placements that pass every filter but the area (any borough)."""
    mask = placements["period"] == filters.period
    for column, wanted in (
        ("primary_need", filters.needs),
        ("phase", filters.phases),
        ("placement_type", filters.placement_types),
    ):
        if wanted:
            mask &= placements[column].isin(list(wanted))
    return placements[mask]


NEED_WORDS = {"autism": "ASD", "autistic": "ASD", "other": "OTH"}
PHASE_WORDS = {
    "primary": "primary",
    "secondary": "secondary",
    "post-16": "post-16",
    "post16": "post-16",
}
TYPE_WORDS = {
    "day": ("day",),
    "weekly": ("weekly boarding",),
    "boarding": ("weekly boarding",),
    "38-week": ("38-week residential",),
    "termly": ("38-week residential",),
    "52-week": ("52-week residential",),
    "residential": ("38-week residential", "52-week residential", "weekly boarding"),
}


def parse_filters(words: str, needs: tuple[str, ...], geography: Geography, period: str) -> Filters:
    """Free words in any order: need codes, phases, placement types, an area (London, Inner,
    Outer or a sub-region) and a period such as 2025-26. Unknown words raise ValueError naming
    them, so a typo never silently widens the benchmark."""
    tokens = words.casefold().replace(",", " ").split()
    areas = {name.casefold(): name for name in geography.areas}
    found_needs: set[str] = set()
    phases: set[str] = set()
    kinds: set[str] = set()
    area, unknown = LONDON, []
    codes = {n.casefold(): n for n in needs}
    i = 0
    while i < len(tokens):
        pair = " ".join(tokens[i : i + 2])
        if pair in areas:
            area, i = areas[pair], i + 2
            continue
        token = tokens[i]
        if token in codes or token in NEED_WORDS:
            found_needs.add(codes.get(token) or NEED_WORDS[token])
        elif token in PHASE_WORDS:
            phases.add(PHASE_WORDS[token])
        elif token in TYPE_WORDS:
            kinds.update(TYPE_WORDS[token])
        elif token in areas:
            area = areas[token]
        elif len(token) == 7 and token[4] == "-" and token[:4].isdigit() and token[5:].isdigit():
            period = token
        elif token not in {"london", "in", "and", "for", "the", "placements", "schools"}:
            unknown.append(token)
        i += 1
    if unknown:
        raise ValueError(", ".join(f"“{u[:30]}”" for u in unknown[:5]))
    return Filters(period, frozenset(found_needs), frozenset(phases), frozenset(kinds), area)
