"""The demo's draft Terms of Reference of Year 1, written for the demo in our own words from the
draft's headings, added as version 1 (not yet ratified)."""

from __future__ import annotations

from datetime import datetime

from cards.views.tor import VersionInfo
from forum_ops.db import Database
from forum_ops.errors import ForumError
from forum_ops.tor.service import add_version

DRAFT_TOR_YEAR_1 = """# Pan-London SEND Commissioning Forum: draft Terms of Reference, Year 1

# Purpose
A place where the people who commission SEND placements and services for London's children
and young people learn from each other, compare what they pay and what they get, and act
together where acting alone costs more.

# Background
London's 33 local authorities commission many of the same independent and non-maintained
special school places, often from the same providers, at different prices. Commissioners
asked for a regular, practical forum between them, with the NHS ICBs and supported by LIIA.

# Activity and Responsibilities
Members share questions and answers between meetings (the round robin), bring papers and
data to meetings, and take back one practical takeaway each time. Boroughs share their INMSS
placement costs under the forum's disclosure rules. LIIA keeps the membership list, the
forward plan, these Terms of Reference and the record of decisions.

# Year 1 focus
The INMSS top ten providers pilot and what drives their costs; data sharing agreements;
training needs in each sub-region; joint and reciprocal commissioning between boroughs; and a
forward plan for Year 2.

# Membership
One or more SEND commissioners from each of the 33 local authorities, partners from the five
NHS Integrated Care Boards, and LIIA as secretariat. Each borough has one vote when the forum
ratifies or changes these Terms of Reference; ICBs and LIIA take part but do not vote.

# Agendas and Forward Plan
The forum meets online for 90 minutes every eight weeks. A member volunteers to chair each
meeting. The agenda goes out a week before; every meeting after the first has "SEND Data" and
"Useful Commissioning Takeaway" as standing items. Members may propose items for the chair.

# Network Support and Logistics
LIIA arranges the meetings, circulates agendas and takeaways, supports the assistant in Teams
and reports the forum's activity each quarter to the ALDCS SEND Steering Group.
"""


def load_demo_tor(db: Database, now: datetime) -> VersionInfo | None:
    """Add the draft as version 1; None when it is there already (demo load is idempotent)."""

    class _At:
        def now(self) -> datetime:
            return now

    try:
        return add_version(db, _At(), "demo", "draft-tor-year-1.md", DRAFT_TOR_YEAR_1.encode())
    except ForumError:
        return None
