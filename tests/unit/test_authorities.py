"""The one borough resolver, and the permission questions the member model answers."""

from __future__ import annotations

import pytest

from forum_ops.errors import UnknownAuthority
from forum_ops.members.authorities import find_authority, resolve_authority
from forum_ops.members.model import Member, Role
from forum_ops.members.reference import ICBS, LIIA, LOCAL_AUTHORITIES

BY_NAME = {la.name: la.code for la in LOCAL_AUTHORITIES}


@pytest.mark.parametrize("authority", LOCAL_AUTHORITIES, ids=lambda la: la.name)
def test_every_official_name_and_code_resolves_in_any_case(authority) -> None:  # type: ignore[no-untyped-def]
    assert resolve_authority(authority.name) == authority
    assert resolve_authority(authority.name.upper()) == authority
    assert resolve_authority(f"  {authority.name.lower()} ") == authority
    assert resolve_authority(authority.code) == authority


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Hammersmith", "Hammersmith and Fulham"),
        ("Fulham", "Hammersmith and Fulham"),
        ("Hammersmith & Fulham", "Hammersmith and Fulham"),
        ("H&F", "Hammersmith and Fulham"),
        ("Kensington", "Kensington and Chelsea"),
        ("Chelsea", "Kensington and Chelsea"),
        ("RBKC", "Kensington and Chelsea"),
        ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
        ("Richmond", "Richmond upon Thames"),
        ("Barking", "Barking and Dagenham"),
        ("Dagenham", "Barking and Dagenham"),
        ("Kingston", "Kingston upon Thames"),
        ("RB Kingston", "Kingston upon Thames"),
        ("the City", "City of London"),
        ("City", "City of London"),
        ("City of London", "City of London"),
        ("City of Westminster", "Westminster"),  # not the City
        ("Waltham", "Waltham Forest"),
        ("London Borough of Camden", "Camden"),
        ("Camden Council", "Camden"),
        ("Kingston upon", "Kingston upon Thames"),  # the start of one name
    ],
)
def test_the_names_people_use(typed: str, name: str) -> None:
    assert resolve_authority(typed).name == name
    assert find_authority(typed) is None or find_authority(typed) == resolve_authority(typed)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Tower Hamlet", "Tower Hamlets"),
        ("tower hamlet", "Tower Hamlets"),
        ("Hackny", "Hackney"),
        ("Islignton", "Islington"),
        ("Westminister", "Westminster"),
        ("Haringay", "Haringey"),
        ("Greenwhich", "Greenwich"),
        ("Croyden", "Croydon"),
        ("Richmnd", "Richmond upon Thames"),
        ("Harow", "Harrow"),
    ],
)
def test_small_typos_are_forgiven_by_the_resolver_not_by_the_exact_lookup(
    typed: str, name: str
) -> None:
    assert resolve_authority(typed).name == name
    assert find_authority(typed) is None


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("Lewham", ("Lewisham", "Newham")),
        ("city of", ("City of London", "Westminster")),
    ],
)
def test_an_ambiguous_name_is_refused_naming_both(typed: str, closest: tuple[str, ...]) -> None:
    with pytest.raises(UnknownAuthority) as refused:
        resolve_authority(typed)
    assert refused.value.ambiguous
    assert refused.value.closest == closest
    assert (
        str(refused.value)
        == f"“{typed}” could be {closest[0]} or {closest[1]}: which did you mean?"
    )


def test_an_unknown_name_is_refused_with_the_closest_names() -> None:
    with pytest.raises(UnknownAuthority) as refused:
        resolve_authority("Har")
    assert not refused.value.ambiguous
    assert str(refused.value) == (
        "I don't know a London borough called “Har”. The closest are Haringey or Harrow. "
        "Try a name such as Camden, or a DfE LA code such as 202."
    )


@pytest.mark.parametrize("typed", ["Atlantis", "999", "", "Surrey"])
def test_nothing_like_a_london_authority_is_refused(typed: str) -> None:
    with pytest.raises(UnknownAuthority, match="I don't know a London borough called") as refused:
        resolve_authority(typed)
    assert refused.value.closest == ()


def member(org_code: str, *roles: Role) -> Member:
    org = next(o for o in (*LOCAL_AUTHORITIES, *ICBS, LIIA) if o.code == org_code)
    return Member("aad", "Someone", "s@example", org, frozenset({Role.MEMBER, *roles}))


def test_a_borough_member_sees_only_their_own_borough() -> None:
    camden = member("202")
    assert camden.borough == "202"
    assert (camden.is_secretariat, camden.is_data_submitter) == (False, False)
    assert camden.may_see_borough("202")
    assert not camden.may_see_borough("203")


def test_the_secretariat_sees_every_borough_and_has_none_of_its_own() -> None:
    liia = member("LIIA", Role.SECRETARIAT)
    assert liia.borough is None
    assert liia.is_secretariat
    assert all(liia.may_see_borough(la.code) for la in LOCAL_AUTHORITIES)


def test_a_data_submitter_must_be_at_a_borough() -> None:
    assert member("202", Role.DATA_SUBMITTER).is_data_submitter
    icb = member("QMJ", Role.DATA_SUBMITTER)  # the role given by mistake to ICB staff
    assert icb.borough is None
    assert not icb.is_data_submitter
    assert not icb.may_see_borough("202")
