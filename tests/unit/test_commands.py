"""The command table: per-role visibility, closest matches, parsing."""

from __future__ import annotations

from bot.commands import split_command
from bot.features import build_commands
from forum_ops.members.model import Member, Organisation, OrganisationKind, Role

CAMDEN = Organisation("202", "Camden", OrganisationKind.LOCAL_AUTHORITY, "Inner", "North Central")


def person(*roles: Role) -> Member:
    return Member("id", "Someone", "s@example", CAMDEN, frozenset(roles))


def test_commands_for_a_role_are_shown_only_to_that_role() -> None:
    table = build_commands()
    member_sees = {c.name for c in table.visible_to(person(Role.MEMBER))}
    secretariat_sees = {c.name for c in table.visible_to(person(Role.MEMBER, Role.SECRETARIAT))}
    assert "announce" not in member_sees
    assert "announce" in secretariat_sees
    assert {"help", "whoami"} <= member_sees


def test_closest_commands_are_only_ones_the_member_may_use() -> None:
    table = build_commands()
    assert [
        c.name for c in table.closest("anounce hello", person(Role.MEMBER, Role.SECRETARIAT))
    ] == ["announce"]
    assert "announce" not in [c.name for c in table.closest("anounce hello", person(Role.MEMBER))]


def test_commands_are_case_insensitive_and_keep_their_arguments() -> None:
    assert split_command("  WhoAmI  ") == ("whoami", "")
    assert split_command("ask Has anyone got a draft S75?") == (
        "ask",
        "Has anyone got a draft S75?",
    )
