"""Specialist supplier search: free words in any order become filters; results rank by fit.

`parse_query("SEMH secondary South East spaces", areas)` -> a Query; `search(directory, query,
centroids, asker_la)` -> the matching schools ranked by need match, then phase, then distance from
the asker's borough (British National Grid is metres, so plain geometry is fine); when nothing
matches, `advice` says which filter to relax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from analytics.gias import MAINSTREAM
from analytics.gias_format import INDEPENDENT, NMSS, SEN_NEEDS, STATE

NEED_CODES = frozenset(SEN_NEEDS.values())
NEED_WORDS = {
    "autism": "ASD",
    "autistic": "ASD",
    "spld": "SPLD",
    **{c.lower(): c for c in NEED_CODES},
}
PHASE_WORDS = {
    "early": "early years",
    "eyfs": "early years",
    "nursery": "early years",
    "primary": "primary",
    "secondary": "secondary",
    "post-16": "post-16",
    "post16": "post-16",
    "sixth": "post-16",
    "16-19": "post-16",
    "college": "post-16",
}
SECTOR_WORDS = {
    "independent": INDEPENDENT,
    "nmss": NMSS,
    "non-maintained": NMSS,
    "state": STATE,
    "maintained": STATE,
}
NAME_MATCH_CUTOFF = 70
# Words in so many schools' names that they say nothing about which school is meant: a name
# is matched on its other words ("Juniperfield High School" on "Juniperfield"), these only
# break ties between schools whose other words match equally
COMMON_NAME_WORDS = frozenset(
    {"school", "schools", "academy", "high", "primary", "secondary", "college", "the", "of",
     "and", "special", "centre", "st"}
)  # fmt: skip


@dataclass(frozen=True)
class Areas:
    """London's authorities as the query understands them: code -> (name, sub-region, inner/outer)."""

    boroughs: dict[str, tuple[str, str, str]]
    # The caller's resolver, phrase -> LA code or None (the forum's accepts the names people
    # use, "Hammersmith", "the City"); without one, only the names above.
    lookup: Callable[[str], str | None] | None = None

    def by_name(self) -> dict[str, str]:
        return {name.casefold(): code for code, (name, _, _) in self.boroughs.items()}

    def borough_of(self, phrase: str) -> str | None:
        if self.lookup is not None:
            return self.lookup(phrase)
        return self.by_name().get(phrase.replace("&", "and"))

    def subregions(self) -> set[str]:
        return {sub.casefold() for _, sub, _ in self.boroughs.values()}


@dataclass(frozen=True)
class Query:
    needs: frozenset[str] = frozenset()
    phases: frozenset[str] = frozenset()
    boroughs: frozenset[str] = frozenset()  # LA codes
    subregion: str = ""
    inner_outer: str = ""
    sectors: frozenset[str] = frozenset()
    spaces: bool = False
    name: str = ""

    def described(self) -> list[tuple[str, Query]]:
        """Each filter in words, with the query that would be left without it."""
        parts: list[tuple[str, Query]] = []
        if self.needs:
            parts.append((" and ".join(sorted(self.needs)), replace(self, needs=frozenset())))
        if self.phases:
            parts.append((" or ".join(sorted(self.phases)), replace(self, phases=frozenset())))
        if self.boroughs:
            parts.append(("the borough", replace(self, boroughs=frozenset())))
        if self.subregion:
            parts.append((f"{self.subregion} London", replace(self, subregion="")))
        if self.inner_outer:
            parts.append((f"{self.inner_outer} London", replace(self, inner_outer="")))
        if self.sectors:
            parts.append((" or ".join(sorted(self.sectors)), replace(self, sectors=frozenset())))
        if self.spaces:
            parts.append(("places free", replace(self, spaces=False)))
        if self.name:
            parts.append((f"the name “{self.name}”", replace(self, name="")))
        return parts


def parse_query(text: str, areas: Areas) -> Query:
    words = text.replace(",", " ").split()
    lowered = [w.casefold() for w in words]
    subregions = areas.subregions()
    codes = set(areas.boroughs)
    needs: set[str] = set()
    phases: set[str] = set()
    found_boroughs: set[str] = set()
    sectors: set[str] = set()
    subregion = inner_outer = ""
    spaces = False
    rest: list[str] = []
    i = 0
    while i < len(words):
        # the longest run of words naming a borough or sub-region ("Kingston upon Thames")
        for n in (4, 3, 2, 1):
            phrase = " ".join(lowered[i : i + n])
            borough = areas.borough_of(phrase)
            if borough is not None:
                found_boroughs.add(borough)
                break
            if phrase in subregions and n > 1:
                subregion = next(s for _, s, _ in areas.boroughs.values() if s.casefold() == phrase)
                break
        else:
            n = 1
            word = lowered[i]
            if word.upper() in NEED_CODES or word in NEED_WORDS:
                needs.add(NEED_WORDS.get(word, word.upper()))
            elif word in PHASE_WORDS:
                phases.add(PHASE_WORDS[word])
            elif word in SECTOR_WORDS:
                sectors.add(SECTOR_WORDS[word])
            elif word in ("spaces", "space", "places", "vacancies"):
                spaces = True
            elif word in ("inner", "outer"):
                inner_outer = word.capitalize()
            elif word in codes:
                found_boroughs.add(word)
            elif word not in ("london", "in", "with", "and", "school", "schools"):
                rest.append(words[i])
        i += n
    return Query(
        frozenset(needs),
        frozenset(phases),
        frozenset(found_boroughs),
        subregion,
        inner_outer,
        frozenset(sectors),
        spaces,
        " ".join(rest),
    )


def _matches(directory: pd.DataFrame, query: Query, areas: Areas) -> pd.Series:
    keep = pd.Series(True, index=directory.index)
    if query.needs:
        keep &= directory["needs"].map(lambda needs: bool(query.needs.intersection(needs)))
    if query.phases:
        keep &= directory["phases"].map(lambda phases: bool(query.phases.intersection(phases)))
    if query.boroughs:
        keep &= directory["la_code"].isin(query.boroughs)
    if query.subregion:
        keep &= directory["la_code"].isin(
            [c for c, (_, s, _) in areas.boroughs.items() if s == query.subregion]
        )
    if query.inner_outer:
        keep &= directory["la_code"].isin(
            [c for c, (_, _, io) in areas.boroughs.items() if io == query.inner_outer]
        )
    if query.sectors:
        keep &= directory["sector"].isin(query.sectors)
    if query.spaces:
        # a mainstream school's places free are the whole school's, not its SEN unit's
        keep &= (directory["places_free"] > 0) & (directory["sector"] != MAINSTREAM)
    if query.name:
        scores = name_scores(directory.loc[keep, "name"], query.name)
        keep &= directory.index.isin(list(scores.index[scores > 0]))
    return keep


def name_key(text: str) -> str:
    """A name's distinctive words: lower case, no punctuation, no common words."""
    words = "".join(c if c.isalnum() else " " for c in text.casefold()).split()
    return " ".join(w for w in words if w not in COMMON_NAME_WORDS)


def name_scores(names: pd.Series, wanted: str) -> pd.Series:
    """How well each name matches `wanted` (0-100; 0 below the cutoff), on the distinctive
    words alone when `wanted` has any, so a shared "High School" is no match by itself."""
    key = name_key(wanted)
    choices = names.map(name_key) if key else names.str.casefold()
    found = process.extract(
        key or wanted.casefold(),
        choices.to_dict(),
        scorer=fuzz.WRatio,
        score_cutoff=NAME_MATCH_CUTOFF,
        limit=None,
    )
    matched = {index: float(round(score)) for _, score, index in found}
    return pd.Series([matched.get(i, 0.0) for i in names.index], index=names.index, dtype=float)


def search(
    directory: pd.DataFrame,
    query: Query,
    areas: Areas,
    centroids: pd.DataFrame,
    asker_la: str | None = None,
) -> pd.DataFrame:
    """Matching schools, best fit first, with `need_match`, `phase_match` and `distance_km`.
    A name asked for comes first: the closest names (then the whole name, common words and
    all, for ties) before the need, phase and distance order of the filters."""
    found = directory[_matches(directory, query, areas)].copy()
    if query.name:
        found["name_match"] = name_scores(found["name"], query.name)
        found["whole_name_match"] = [
            fuzz.token_set_ratio(query.name.casefold(), name.casefold()) for name in found["name"]
        ]
    else:
        found["name_match"] = found["whole_name_match"] = 0.0
    found["need_match"] = found["needs"].map(lambda needs: len(query.needs.intersection(needs)))
    found["phase_match"] = found["phases"].map(
        lambda phases: len(query.phases.intersection(phases))
    )
    if asker_la is not None and asker_la in centroids.index:
        east = float(centroids["easting"].to_dict()[asker_la])
        north = float(centroids["northing"].to_dict()[asker_la])
        found["distance_km"] = np.hypot(found["easting"] - east, found["northing"] - north) / 1000
    else:
        found["distance_km"] = np.nan
    return found.sort_values(
        ["name_match", "whole_name_match", "need_match", "phase_match", "distance_km", "name"],
        ascending=[False, False, False, False, True, True],
        na_position="last",
    )


def advice(directory: pd.DataFrame, query: Query, areas: Areas) -> str:
    """For an empty result: the one filter whose removal finds the most schools."""
    options = [
        (int(_matches(directory, rest, areas).sum()), words) for words, rest in query.described()
    ]
    options = [o for o in options if o[0] > 0]
    if not options:
        return "No school matches even with one filter fewer: try fewer words."
    count, words = max(options)
    return f"No school matches all of that. Without {words} there {'is' if count == 1 else 'are'} {count}."
