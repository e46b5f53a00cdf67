"""The INMSS placement return: one pseudonymised row per placement (SPEC 6.2, DOMAIN "Returns").

No names or dates of birth: a placement is known by a pseudonymous id the borough keeps. Each
field is described once here; the template, the validator and the benchmarks read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

NEEDS = ("ASD", "SEMH", "SLCN", "MLD", "SPLD", "SLD", "PD", "PMLD", "OTH", "HI", "VI", "MSI")
PHASES = ("primary", "secondary", "post-16")
PLACEMENT_TYPES = ("day", "weekly boarding", "38-week residential", "52-week residential")
ESTABLISHMENT_TYPES = ("independent special", "non-maintained special")
ROUTES = ("framework", "DPS", "spot")
OUTCOMES = ("met", "partly", "not met")
NEGOTIATION = ("yes", "partly", "no")
YES_NO = ("yes", "no")
# National curriculum years a phase column may hold instead of a phase ("R", "Year 7", "12")
NC_YEAR_PHASE = {
    "R": "primary",
    **{str(y): "primary" for y in range(1, 7)},
    **{str(y): "secondary" for y in range(7, 12)},
    **{str(y): "post-16" for y in range(12, 15)},
}
PERIOD = re.compile(r"^(20\d\d)-(\d\d)$")  # 2025-26
MAX_MONEY = 1_000_000.0  # a year's placement above this is a typing error, not a price


class Kind(StrEnum):
    TEXT = "text"
    URN = "urn"
    CODE = "code"
    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"
    DATE = "date"


@dataclass(frozen=True)
class Field:
    name: str  # the column as stored and as a CSV header
    label: str  # the column as the template heads it (also accepted as a header)
    kind: Kind
    required: bool
    help: str
    choices: tuple[str, ...] = ()


FIELDS = (
    Field(
        "placement_id", "Placement ID", Kind.TEXT, True,
        "Your pseudonymous reference for the placement: never a name or date of birth",
    ),
    Field("provider_urn", "Provider URN", Kind.URN, True, "The school's 6-digit URN in GIAS"),
    Field("provider_name", "Provider name", Kind.TEXT, True, "The school's name"),
    Field(
        "establishment_type", "Establishment type", Kind.CODE, True,
        "Independent or non-maintained special school", ESTABLISHMENT_TYPES,
    ),
    Field("s41_approved", "Section 41 approved", Kind.CODE, False, "yes or no", YES_NO),
    Field("primary_need", "Primary need", Kind.CODE, True, "The EHCP primary need", NEEDS),
    Field(
        "phase", "Phase or NC year", Kind.CODE, True,
        "primary, secondary, post-16, or the national curriculum year (R, 1-14)", PHASES,
    ),
    Field(
        "placement_type", "Placement type", Kind.CODE, True,
        "Day, weekly boarding, or residential", PLACEMENT_TYPES,
    ),
    Field("route", "Route", Kind.CODE, True, "How it was commissioned", ROUTES),
    Field("start_date", "Start date", Kind.DATE, True, "When the placement started"),
    Field("end_date", "End date", Kind.DATE, False, "When it ended or is planned to end"),
    Field("core_fee", "Core education fee", Kind.MONEY, True, "Annual, in pounds"),
    Field("residential_care", "Residential care", Kind.MONEY, False, "Annual, in pounds"),
    Field("health", "Health", Kind.MONEY, False, "Annual health contribution, in pounds"),
    Field("therapies", "Therapies", Kind.MONEY, False, "Annual, in pounds"),
    Field(
        "additional_staffing", "Additional staffing (1:1)", Kind.MONEY, False,
        "Annual, in pounds",
    ),
    Field(
        "total_cost", "Total annual cost", Kind.MONEY, True,
        "The sum of the five costs before it, in pounds",
    ),
    Field("attendance_pct", "Attendance %", Kind.PERCENT, False, "0 to 100"),
    Field("suspensions", "Suspensions", Kind.COUNT, False, "Fixed-term exclusions this period"),
    Field(
        "outcomes_met", "EHCP section F outcomes", Kind.CODE, False,
        "met, partly or not met", OUTCOMES,
    ),
    Field(
        "open_to_negotiation", "Open to fee negotiation", Kind.CODE, False,
        "The provider's stance: yes, partly or no", NEGOTIATION,
    ),
    Field(
        "requested_uplift_pct", "Requested uplift %", Kind.PERCENT, False,
        "The uplift the provider asked for",
    ),
    Field(
        "agreed_uplift_pct", "Agreed uplift %", Kind.PERCENT, False,
        "The uplift the borough agreed",
    ),
)  # fmt: skip

COLUMNS = tuple(f.name for f in FIELDS)
MONEY = tuple(f.name for f in FIELDS if f.kind is Kind.MONEY)
COSTS = ("core_fee", "residential_care", "health", "therapies", "additional_staffing")
# Headers that suggest a child could be identified: refused, so the data never arrives.
IDENTIFYING_HEADER = re.compile(
    r"(^|[^a-z])(name|forename|surname|firstname|lastname|fullname|child|pupil|dob|birth|upn|"
    r"nhs|address|postcode)([^a-z]|$)"
)


def header_key(header: str) -> str:
    """A header as compared: case, spaces and punctuation ignored ("Start date" = "start_date")."""
    return re.sub(r"[^a-z0-9%]", "", header.casefold())


def field_for_header() -> dict[str, Field]:
    keys: dict[str, Field] = {}
    for field in FIELDS:
        keys[header_key(field.name)] = field
        keys[header_key(field.label)] = field
    return keys


def period_of(day_year: int, month: int) -> str:
    """The academic year a date falls in: September 2026 starts 2026-27."""
    start = day_year if month >= 9 else day_year - 1
    return f"{start}-{(start + 1) % 100:02d}"


_PERIOD_WORD = re.compile(r"(?<!\d)(20\d\d)\s*[-/–]\s*(?:20)?(\d\d)(?!\d)")


def period_in(text: str) -> str | None:
    """The academic year named in text as people write it ("2025-26", "2025/26", "2025-2026"),
    or None; a pair of years that do not follow each other ("2025-27") is not a period."""
    for match in _PERIOD_WORD.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 == end:
            return f"{start}-{end:02d}"
    return None
