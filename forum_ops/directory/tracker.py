"""The recommendations tracker's values, storage-free: the 17 recommendations of "SEND
Commissioning in London" as the forum names them, and the evidence the assistant holds (their
progress and the tracker, as cards show them, are in cards/views/directory.py). The service is
forum_ops/directory/recommendations.py.

The short titles, themes and leads are ours, written to recognise each recommendation by; the
secretariat corrects them from the CSV (`forumbot recommendations import`).
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_RECORDED = "not yet recorded by the assistant"
MAX_NEXT_STEP = 1000
MAX_EVIDENCE_LINKS = 10
CSV_COLUMNS = ("number", "title", "theme", "lead", "status", "rag", "next_step", "evidence")


LEADS = ("LIIA", "the hub", "the network", "sub-regional leads", "the data working group")

# number: (short title, theme, lead)
RECOMMENDATIONS: dict[int, tuple[str, str, str]] = {
    1: ("A standing pan-London SEND commissioning network", "Collaboration", "LIIA"),
    2: ("Commissioners help each other between meetings", "Collaboration", "the network"),
    3: ("A shared forward plan of commissioning priorities", "Collaboration", "the network"),
    4: ("Collate and share examples of best practice", "Best practice", "the network"),
    5: ("A directory of informal and formal support networks", "Best practice", "the hub"),
    6: ("Joint commissioning with the NHS ICBs", "Health", "sub-regional leads"),
    7: ("Sub-regional commissioning arrangements", "Market", "sub-regional leads"),
    8: ("Common contract terms for independent placements", "Market", "sub-regional leads"),
    9: ("A London approach to fee uplifts", "Market", "sub-regional leads"),
    10: ("Shared quality assurance of placements", "Quality", "the hub"),
    11: ("Sufficiency and capacity planning together", "Data", "the data working group"),
    12: ("Development of the SEND commissioning workforce", "Workforce", "LIIA"),
    13: ("A common INMSS data return from every borough", "Data", "the data working group"),
    14: ("Shared intelligence on providers and suppliers", "Market", "the hub"),
    15: ("Outcomes measured the same way across London", "Data", "the data working group"),
    16: ("Parent carers' voice in commissioning", "Co-production", "the network"),
    17: ("Regular progress reports to the ALDCS SEND Steering Group", "Governance", "LIIA"),
}


@dataclass(frozen=True)
class Evidence:
    """What the assistant holds towards the recommendations, for one period."""

    networks: int  # approved formal and informal networks in the directory
    entries: int  # all approved directory entries
    best_practice: int  # approved best-practice examples
    boroughs_with_return: int
    period: str
    supplier_lookups: int  # in the 90 days to the day
    asks: str = NOT_RECORDED  # the round robin's asks in the 90 days to the day
    # the latest earlier period with returns and its boroughs, when `period` has none yet
    earlier: tuple[str, int] | None = None

    @property
    def returns(self) -> str:
        """Recommendation 13's evidence: boroughs with a return for the period; while nobody
        has sent one for it yet, the latest period they have, and that this one has none."""
        if self.boroughs_with_return or self.earlier is None:
            return (
                f"{self.boroughs_with_return} of 33 boroughs have an INMSS return for {self.period}"
            )
        period, boroughs = self.earlier
        return (
            f"{boroughs} of 33 boroughs have an INMSS return for {period}; "
            f"none has one for {self.period} yet"
        )

    def held(self, number: int) -> str:
        return {
            2: f"asks: {self.asks}",
            4: f"{self.best_practice} best-practice examples in the directory; asks: {self.asks}",
            5: f"{self.entries} directory entries, {self.networks} of them networks",
            13: self.returns,
            14: f"{self.supplier_lookups} supplier look-ups in the last 90 days",
        }.get(number, "")
