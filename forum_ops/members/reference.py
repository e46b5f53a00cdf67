"""The forum's reference organisations: London's 33 local authorities, the five ICBs and LIIA.

Facts: DfE LA codes and names as in the DfE EHC plan statistics; inner/outer London and ICB
sub-region as the forum's brief defines its membership (its Inner London list of 14 includes
Greenwich and Newham and excludes Haringey, so it matches neither the ONS nor the DfE series).
tests/store/test_reference.py checks this table against shared/data/london_boroughs.csv.
"""

from __future__ import annotations

from forum_ops.members.model import Organisation, OrganisationKind

SUBREGIONS = ("North Central", "North East", "North West", "South East", "South West")


def _la(code: str, name: str, inner_outer: str, subregion: str) -> Organisation:
    return Organisation(code, name, OrganisationKind.LOCAL_AUTHORITY, inner_outer, subregion)


LOCAL_AUTHORITIES: tuple[Organisation, ...] = (
    _la("201", "City of London", "Inner", "North East"),
    _la("202", "Camden", "Inner", "North Central"),
    _la("203", "Greenwich", "Inner", "South East"),
    _la("204", "Hackney", "Inner", "North East"),
    _la("205", "Hammersmith and Fulham", "Inner", "North West"),
    _la("206", "Islington", "Inner", "North Central"),
    _la("207", "Kensington and Chelsea", "Inner", "North West"),
    _la("208", "Lambeth", "Inner", "South East"),
    _la("209", "Lewisham", "Inner", "South East"),
    _la("210", "Southwark", "Inner", "South East"),
    _la("211", "Tower Hamlets", "Inner", "North East"),
    _la("212", "Wandsworth", "Inner", "South West"),
    _la("213", "Westminster", "Inner", "North West"),
    _la("301", "Barking and Dagenham", "Outer", "North East"),
    _la("302", "Barnet", "Outer", "North Central"),
    _la("303", "Bexley", "Outer", "South East"),
    _la("304", "Brent", "Outer", "North West"),
    _la("305", "Bromley", "Outer", "South East"),
    _la("306", "Croydon", "Outer", "South West"),
    _la("307", "Ealing", "Outer", "North West"),
    _la("308", "Enfield", "Outer", "North Central"),
    _la("309", "Haringey", "Outer", "North Central"),
    _la("310", "Harrow", "Outer", "North West"),
    _la("311", "Havering", "Outer", "North East"),
    _la("312", "Hillingdon", "Outer", "North West"),
    _la("313", "Hounslow", "Outer", "North West"),
    _la("314", "Kingston upon Thames", "Outer", "South West"),
    _la("315", "Merton", "Outer", "South West"),
    _la("316", "Newham", "Inner", "North East"),
    _la("317", "Redbridge", "Outer", "North East"),
    _la("318", "Richmond upon Thames", "Outer", "South West"),
    _la("319", "Sutton", "Outer", "South West"),
    _la("320", "Waltham Forest", "Outer", "North East"),
)

# ODS codes of the five London Integrated Care Boards.
ICBS: tuple[Organisation, ...] = (
    Organisation(
        "QMJ", "NHS North Central London ICB", OrganisationKind.ICB, None, "North Central"
    ),
    Organisation("QMF", "NHS North East London ICB", OrganisationKind.ICB, None, "North East"),
    Organisation("QRV", "NHS North West London ICB", OrganisationKind.ICB, None, "North West"),
    Organisation("QKK", "NHS South East London ICB", OrganisationKind.ICB, None, "South East"),
    Organisation("QWE", "NHS South West London ICB", OrganisationKind.ICB, None, "South West"),
)

LIIA = Organisation(
    "LIIA", "London Innovation and Improvement Alliance", OrganisationKind.SECRETARIAT
)

ORGANISATIONS: tuple[Organisation, ...] = (*LOCAL_AUTHORITIES, *ICBS, LIIA)
