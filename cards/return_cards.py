"""The returns' presenter (forum_ops/returns/service.py's ReturnCards): a held return's card
for the secretariat, given to the returns service by bot/services.py."""

from __future__ import annotations

from cards.format import count
from cards.render import Card, render_card
from cards.views.common import Choice, ChoicesView


class ReturnCards:
    def held(
        self, submission_id: int, borough: str, period: str, placements: int, reason: str
    ) -> Card:
        return render_card(
            "choices",
            ChoicesView(
                f"A return to check: {borough}, {period}",
                f"{count(placements)} placements, held out of London's figures because: "
                f"{reason}. Accept it into the next release, or refuse it (its borough's "
                "last released figures then stay).",
                (
                    Choice("Accept", "", "returns", f"accept {submission_id}"),
                    Choice("Refuse", "", "returns", f"refuse {submission_id}"),
                ),
            ),
        )
