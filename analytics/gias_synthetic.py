"""A synthetic GIAS extract for London: demo data and tests, since GIAS is not reachable here.

Real column headers and vocabularies, plausible but clearly fictitious schools (invented names
marked "(demo)", ZZ99 postcodes, example.org websites), and realistic mixes: ASD the most common
specialism; SEMH far more common among independent special schools than state ones; some closed
schools and mainstream schools without SEN provision, which the directory must leave out.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.gias_format import COLUMNS, SEN_COLUMNS, SEN_NEEDS

NAME_OF = {code: name for name, code in SEN_NEEDS.items()}
SUBREGION_CENTRES = {
    "North Central": (528000, 188000),
    "North East": (545000, 184000),
    "North West": (514000, 182000),
    "South East": (540000, 172000),
    "South West": (522000, 166000),
}
STATE_TYPES = (
    ("7", "Community special school"),
    ("12", "Foundation special school"),
    ("33", "Academy special sponsor led"),
    ("36", "Free schools special"),
    ("44", "Academy special converter"),
)
MAINSTREAM_TYPES = (
    ("1", "Community school"),
    ("28", "Academy sponsor led"),
    ("34", "Academy converter"),
)
STATE_NEEDS = {
    "ASD": 30,
    "SLD": 14,
    "PMLD": 10,
    "MLD": 14,
    "SLCN": 10,
    "SEMH": 5,
    "PD": 6,
    "HI": 3,
    "VI": 3,
    "MSI": 2,
}
INDEPENDENT_NEEDS = {
    "ASD": 30,
    "SEMH": 30,
    "SLCN": 8,
    "MLD": 8,
    "SPLD": 8,
    "SLD": 4,
    "PMLD": 2,
    "OTH": 5,
}
UNIT_NEEDS = {"ASD": 40, "SLCN": 20, "HI": 10, "VI": 5, "PD": 8, "MLD": 10, "SEMH": 7}
PARTS_A = (
    "Brindle",
    "Quill",
    "Farrow",
    "Otter",
    "Larch",
    "Wren",
    "Heron",
    "Bramble",
    "Ember",
    "Thistle",
    "Marram",
    "Sorrel",
    "Linnet",
    "Tansy",
    "Rowan",
    "Alder",
    "Cress",
    "Juniper",
    "Mallow",
    "Sedge",
)
PARTS_B = (
    "wick",
    "mere",
    "dell",
    "hollow",
    "field",
    "combe",
    "ford",
    "stead",
    "brook",
    "gate",
    "ley",
    "holt",
)
OFSTED = (("Outstanding", 25), ("Good", 55), ("Requires improvement", 15), ("Inadequate", 5))


def synthetic_extract(
    boroughs: Iterable[tuple[str, str, str]], seed: int = 2026, scale: float = 1.0
) -> str:
    """CSV text in GIAS format for these (LA code, name, sub-region) boroughs; `scale` multiplies
    the number of schools (about 500 for London at 1.0)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    rows: list[dict[str, str]] = []
    urns = iter(range(900001, 9999999))
    for code, la_name, subregion in boroughs:
        centre = SUBREGION_CENTRES.get(subregion, (530000, 180000))
        place = _Place(
            code,
            la_name,
            (centre[0] + rng.randint(-6000, 6000), centre[1] + rng.randint(-6000, 6000)),
        )
        for _ in range(_count(rng, 3, 6, scale)):
            rows.append(
                _school(rng, next(urns), place, "School", *rng.choice(STATE_TYPES), STATE_NEEDS)
            )
        for _ in range(_count(rng, 2, 5, scale)):
            kind = rng.choice(("School", "College", "Academy"))
            rows.append(
                _school(
                    rng,
                    next(urns),
                    place,
                    kind,
                    "10",
                    "Other independent special school",
                    INDEPENDENT_NEEDS,
                )
            )
        if rng.random() < 0.4 * scale:
            rows.append(
                _school(
                    rng,
                    next(urns),
                    place,
                    "School",
                    "8",
                    "Non-maintained special school",
                    STATE_NEEDS,
                )
            )
        for _ in range(_count(rng, 3, 7, scale)):
            kind = rng.choice(("Primary School", "Academy", "High School"))
            rows.append(
                _school(
                    rng,
                    next(urns),
                    place,
                    kind,
                    *rng.choice(MAINSTREAM_TYPES),
                    UNIT_NEEDS,
                    unit=rng.choice(("Resourced provision", "SEN unit")),
                )
            )
        rows.append(
            _school(rng, next(urns), place, "Primary School", *MAINSTREAM_TYPES[0], {}, plain=True)
        )
        if rng.random() < 0.25:
            rows.append(
                _school(
                    rng, next(urns), place, "School", *STATE_TYPES[0], STATE_NEEDS, status="Closed"
                )
            )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Place:
    la_code: str
    la_name: str
    anchor: tuple[int, int]  # a point in the borough, British National Grid metres


def _school(
    rng: random.Random,
    urn: int,
    place: _Place,
    kind: str,
    type_code: str,
    type_name: str,
    needs: dict[str, int],
    status: str = "Open",
    unit: str = "",
    plain: bool = False,
) -> dict[str, str]:
    """One establishment's row: special unless `unit` (mainstream with that provision) or `plain`
    (mainstream with no SEN provision at all)."""
    name = f"{rng.choice(PARTS_A)}{rng.choice(PARTS_B)} {kind} (demo)"
    special = not unit and not plain
    low, high = rng.choice(
        ((2, 19), (3, 11), (4, 11), (11, 19), (5, 16), (11, 16), (7, 19))
        if special
        else ((4, 11), (11, 16), (11, 18))
    )
    if type_code == "10":
        capacity = rng.randint(20, 90)
    else:
        capacity = rng.randint(60, 250) if special else rng.randint(300, 1500)
    chosen = _weighted_distinct(rng, needs, rng.choice((1, 1, 2, 2, 3, 4)))
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        {
            "URN": str(urn),
            "LA (code)": place.la_code,
            "LA (name)": place.la_name,
            "EstablishmentName": name,
            "TypeOfEstablishment (code)": type_code,
            "TypeOfEstablishment (name)": type_name,
            "EstablishmentStatus (name)": status,
            "StatutoryLowAge": str(low),
            "StatutoryHighAge": str(high),
            "SchoolCapacity": str(capacity),
            "NumberOfPupils": str(round(capacity * rng.uniform(0.8, 1.04))),
            "OfstedRating (name)": _weighted(rng, OFSTED)
            if type_code != "10" or rng.random() < 0.8
            else "",
            "Postcode": f"ZZ99 {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}",
            "SchoolWebsite": f"https://{name.split()[0].lower()}-{place.la_code}.example.org",
            "Easting": str(place.anchor[0] + rng.randint(-2500, 2500)),
            "Northing": str(place.anchor[1] + rng.randint(-2500, 2500)),
            "TypeOfResourcedProvision (name)": unit or "Not applicable",
        }
    )
    if unit:
        which = "ResourcedProvision" if unit.startswith("Resourced") else "SenUnit"
        row[f"{which}Capacity"] = str(rng.randint(8, 30))
        row[f"{which}OnRoll"] = str(rng.randint(5, 30))
    for column, need in zip(SEN_COLUMNS, chosen, strict=False):
        row[column] = NAME_OF[need]
    return row


def _weighted_distinct(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    """Up to k different needs, each drawn by weight from those not yet drawn."""
    left, chosen = dict(weights), list[str]()
    while left and len(chosen) < k:
        pick = rng.choices(list(left), weights=list(left.values()))[0]
        chosen.append(pick)
        del left[pick]
    return chosen


def _count(rng: random.Random, low: int, high: int, scale: float) -> int:
    return max(0, round(rng.randint(low, high) * scale))


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]
