"""Who to talk to the bot as after `forumbot demo load`: one demo member per role and a few
boroughs' members, described."""

from __future__ import annotations

from forum_ops.demo import demo_members
from forum_ops.members.model import OrganisationKind, Role
from forum_ops.members.reference import ORGANISATIONS
from forum_ops.members.registry import MemberRecord

CAST_BOROUGHS = ("202", "306", "203")  # Camden, Croydon, Greenwich: a few to try as


def demo_cast() -> list[tuple[str, MemberRecord]]:
    """One demo member per role, and a few boroughs' members: who to chat as, described."""
    members = demo_members()
    orgs = {org.code: org for org in ORGANISATIONS}
    cast: list[tuple[str, MemberRecord]] = []
    for m in members:
        org = orgs[m.organisation]
        if Role.SECRETARIAT in m.roles:
            cast.append((f"secretariat ({org.name})", m))
        elif org.kind is OrganisationKind.ICB and not any("ICB" in r for r, _ in cast):
            cast.append((f"ICB member ({org.name})"[:34], m))
        elif m.organisation in CAST_BOROUGHS:
            role = "data submitter" if Role.DATA_SUBMITTER in m.roles else "member"
            cast.append((f"{role}, {org.name}", m))
    return cast
