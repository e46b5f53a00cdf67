"""Supplier search cards' view models, written from the service's schools
(forum_ops/suppliers/search.py)."""

from __future__ import annotations

from cards.format import NBSP, count
from cards.views.common import SchoolLine, SuppliersView
from cards.views.suppliers import PAGE, School, SchoolsPage

GIAS_PAGE = (
    "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/{urn}"
)
SECTOR_LABELS = {"state": "state-funded", "nmss": "non-maintained", "independent": "independent"}


def _number(value: float | None) -> str:
    return "?" if value is None else count(value)


def school_line(school: School) -> SchoolLine:
    ages = (
        f"ages {_number(school.low_age)}–{_number(school.high_age)}"
        if school.low_age is not None
        else "ages not recorded"
    )
    sector = SECTOR_LABELS.get(school.sector, "mainstream")
    summary = f"{school.type} ({sector}), {school.la_name}, {ages}"
    parts = [", ".join(school.needs) or "needs not recorded"]
    if school.capacity is not None:
        places = school.places_free
        free = (
            f"{count(places)} place{'s' if places != 1 else ''} free"
            if places is not None and places > 0
            else "full"
        )
        numbers = f"capacity {count(school.capacity)}, {_number(school.pupils)} pupils, {free}"
        if school.sector not in SECTOR_LABELS:
            # GIAS gives a mainstream school's capacity and roll, not its SEN unit's
            numbers = f"whole school (not the SEN unit): {numbers}"
        parts.append(numbers)
    parts.append(f"Ofsted: {school.ofsted or 'not recorded'}")
    if school.distance_km is not None:
        parts.append(f"{school.distance_km:.1f}{NBSP}km away")  # "1.6 km" on one line
    return SchoolLine(school.name, GIAS_PAGE.format(urn=school.urn), summary, " · ".join(parts))


def suppliers_view(page: SchoolsPage) -> SuppliersView:
    shown = (
        f"{page.offset + 1}–{page.offset + len(page.schools)} of {page.found}"
        if page.schools
        else "none"
    )
    return SuppliersView(
        title=f"Specialist schools: {page.query}" if page.query else "Specialist schools",
        subtitle=f"Showing {shown}, best fit first (name, need, phase, then distance). Source: DfE GIAS.",
        schools=tuple(school_line(school) for school in page.schools),
        advice=page.advice,
        more_query=page.query if page.more else "",
        more_offset=page.offset + PAGE,
    )


def school_view(school: School) -> SuppliersView:
    """One school, for the messaging extension to drop into a conversation."""
    return SuppliersView(
        title=school.name,
        subtitle="Specialist school (DfE GIAS)",
        schools=(school_line(school),),
        advice="",
        more_query="",
        more_offset=0,
    )
