"""Demo members: plausible but clearly fictitious people for every organisation, reproducibly.

Ids are derived from a fixed namespace, so `forumbot demo load` is idempotent and the terminal
chat can speak as a known demo member.
"""

from __future__ import annotations

from datetime import datetime

from forum_ops.db import Database
from forum_ops.members.demo import demo_id as demo_id  # re-exported: tests and tools use it
from forum_ops.members.model import Organisation, OrganisationKind, Role
from forum_ops.members.reference import ORGANISATIONS
from forum_ops.members.registry import MemberRecord

_FIRST = ("Alex", "Bea", "Chidi", "Dana", "Eitan", "Farah", "Gus", "Hana", "Ivo", "Jules", "Kemi")
_LAST = ("Demo", "Sample", "Example", "Testwell", "Placeholder", "Mockford", "Fictional")
_TOPICS = (
    "S75",
    "transport",
    "therapies",
    "short breaks",
    "INMSS",
    "data sharing",
    "post-16",
    "tribunal",
)


DEMO_SECRETARIAT_ID = demo_id("LIIA", 1)


def _domain(org: Organisation) -> str:
    if org.kind is OrganisationKind.LOCAL_AUTHORITY:
        return "-".join(org.name.lower().split()) + ".example"
    return org.code.lower() + ".example"


def demo_members(organisations: tuple[Organisation, ...] = ORGANISATIONS) -> list[MemberRecord]:
    """One commissioner per organisation, plus a data submitter per local authority."""
    records = []
    for i, org in enumerate(organisations):
        people = 2 if org.kind is OrganisationKind.LOCAL_AUTHORITY else 1
        for n in range(1, people + 1):
            roles = {Role.MEMBER}
            if org.kind is OrganisationKind.SECRETARIAT:
                roles.add(Role.SECRETARIAT)
            if n == 2:
                roles.add(Role.DATA_SUBMITTER)
            name = f"{_FIRST[(i + n) % len(_FIRST)]} {_LAST[(i * 3 + n) % len(_LAST)]}"
            domain = _domain(org)
            email = f"{name.lower().replace(' ', '.')}@{domain}"
            topics = (_TOPICS[i % len(_TOPICS)], _TOPICS[(i + n + 3) % len(_TOPICS)])
            records.append(
                MemberRecord(demo_id(org.code, n), name, email, org.code, frozenset(roles), topics)
            )
    return records


def load_feature_demos(db: Database, now: datetime) -> list[str]:
    """Each feature's demo data, one line a feature; what was loaded, to print."""
    from forum_ops.asks.demo import demo_asks
    from forum_ops.directory.demo import load_demo_directory
    from forum_ops.meetings.demo import load_demo_meetings
    from forum_ops.meetings.demo_takeaway import load_demo_takeaway
    from forum_ops.tor.demo import load_demo_tor  # the draft ToR of Year 1

    loaded: list[str] = []
    with db.transaction() as session:
        loaded.append(demo_asks(session, now))
        loaded.append(load_demo_directory(session, now))
        added = load_demo_meetings(session, now)
        loaded.append(f"Demo forward plan: {added} meetings added (Year 1 dates and themes).")
        loaded.append(load_demo_takeaway(session, now))  # after the meetings it belongs to
    if load_demo_tor(db, now):
        loaded.append("Demo draft Terms of Reference of Year 1 added as version 1.")
    return loaded
