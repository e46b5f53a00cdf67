"""Demo entries of the directory: the networks, programmes and tools the forum's documents name,
described in our own words. Links are left empty: none is given in the forum's papers, and a
made-up address would send members somewhere wrong. Loading twice adds nothing new."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cards.views.directory import EntryDraft, Kind, Scope, Source, Status
from forum_ops.db.schema import DirectoryEntryRow
from forum_ops.directory.service import add_entry

# name, kind, scope, topics, offers, how to join or read it, owner, last checked
_ENTRIES: tuple[tuple[str, Kind, Scope, tuple[str, ...], str, str, str, date | None], ...] = (
    ("ALDCS SEND Steering Group", Kind.FORMAL_NETWORK, Scope.PAN_LONDON,
     ("governance", "strategy"),
     "The London directors' group that sets the direction for SEND across the capital and "
     "receives the forum's quarterly update through LIIA.",
     "Members are senior officers nominated by London's directors of children's services; "
     "the forum reaches it through the LIIA secretariat.", "ALDCS", date(2026, 1, 12)),
    ("Pan-London Commissioning Network", Kind.FORMAL_NETWORK, Scope.PAN_LONDON,
     ("commissioning", "INMSS", "placements"),
     "Commissioners from the London boroughs sharing market intelligence, placement "
     "practice and joint approaches to providers.",
     "Open to commissioning leads of London local authorities; ask the secretariat.", "LIIA",
     date(2025, 11, 3)),
    ("South London Commissioning Programme: framework and dynamic purchasing system",
     Kind.TOOL, Scope.SUB_REGION, ("INMSS", "framework", "dps", "placements", "fees"),
     "A shared route to buy independent and non-maintained special school places, with agreed "
     "terms, quality checks and fee arrangements for the partner boroughs.",
     "Partner boroughs call off places through the programme; others can ask its team about "
     "joining.", "South London Commissioning Programme", date(2024, 9, 30)),
    ("The Commissioning Alliance", Kind.FORMAL_NETWORK, Scope.NATIONAL,
     ("framework", "placements", "transport", "home to school transport"),
     "A membership body of councils that runs frameworks and DPSs for children's placements "
     "and related services, including SEND transport, and shares market analysis.",
     "Councils join as members; frameworks are open to member authorities.",
     "The Commissioning Alliance", date(2025, 6, 2)),
    ("London SEND Leadership Programme", Kind.BEST_PRACTICE, Scope.PAN_LONDON,
     ("leadership", "workforce", "training"),
     "A development programme for SEND leaders in London: cohorts, learning sets and a "
     "shared view of what good leadership looks like.",
     "Places are offered to London boroughs each year; ask your workforce lead.", "LIIA",
     None),
    ("SEND Strategic Manager Parent Carer Network", Kind.INFORMAL_NETWORK, Scope.PAN_LONDON,
     ("co-production", "parent carers", "engagement"),
     "Strategic managers who work with parent carer forums comparing how families shape "
     "commissioning decisions.",
     "Informal: ask a member or the secretariat for an introduction.", "Network members",
     date(2024, 4, 15)),
    ("LIIA SEND Data Dashboard", Kind.TOOL, Scope.PAN_LONDON,
     ("data", "EHC plans", "benchmarking", "INMSS"),
     "London-wide SEND indicators by borough: EHC plan numbers, placements and costs, to set "
     "a borough's figures beside its neighbours'.",
     "Access through LIIA for officers of London local authorities.", "LIIA",
     date(2025, 12, 1)),
    ("London Children's Services Practice Spotlight", Kind.BEST_PRACTICE, Scope.PAN_LONDON,
     ("best practice", "case studies", "transport", "short breaks"),
     "Short write-ups of practice from London boroughs that others may borrow, including SEND "
     "transport and short breaks examples.",
     "Read the published spotlights; boroughs propose new ones to LIIA.", "LIIA",
     date(2025, 2, 20)),
)  # fmt: skip


def load_demo_directory(session: Session, now: datetime) -> str:
    names = {n.casefold() for n in session.scalars(select(func.lower(DirectoryEntryRow.name)))}
    added = 0
    for name, kind, scope, topics, offers, join, owner, checked in _ENTRIES:
        if name.casefold() in names:
            continue
        draft = EntryDraft(name, kind, scope, topics, offers, join, "", "", owner, checked)
        add_entry(session, draft, Status.APPROVED, Source.DEMO, now)
        added += 1
    return f"Demo directory loaded: {added} networks, programmes and tools added."
