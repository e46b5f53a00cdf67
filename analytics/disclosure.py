"""Disclosure control for the INMSS benchmarks: DOMAIN.md rules 1-7 as small pure functions.

A cell is what one line of a table says about other boroughs' placements. Its contributions are
each borough's placement count and spend in it; the viewer's own rows never count (rule 4: every
figure about others is a rest-of-London figure). Every suppression is logged (rule 7).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

log = logging.getLogger("analytics.disclosure")
TOTAL = "all"  # the key of a table's total line


@dataclass(frozen=True)
class Rules:
    """The thresholds, from configuration (rule 7)."""

    small_count: int = 5  # rule 1: counts 1..4 read "<5"
    min_boroughs: int = 3  # rule 2
    min_placements: int = 5  # rule 2
    min_placements_quartiles: int = 10  # rule 2
    p_percent: float = 10.0  # rule 3
    max_borough_share: float = 0.5  # SPEC 6.2: no borough holds more than half the placements


@dataclass(frozen=True)
class Contributions:
    """Per contributing borough (LA code): placements and spend in one cell."""

    counts: Mapping[str, int]
    spend: Mapping[str, float]

    @property
    def boroughs(self) -> frozenset[str]:
        return frozenset(b for b, n in self.counts.items() if n > 0)

    @property
    def placements(self) -> int:
        return int(sum(self.counts.values()))


def count_text(count: int, rules: Rules) -> str:
    """Rule 1: a count of pupils from 1 to 4 is shown as "<5"; a true zero stays 0."""
    return f"<{rules.small_count}" if 0 < count < rules.small_count else f"{count:,}"


def price_refusal(cell: Contributions, rules: Rules) -> str:
    """Why a price statistic (median, mean, range) about these contributions may not be shown,
    or "" when it may (rules 2 and 3, and SPEC 6.2's dominance rule)."""
    if len(cell.boroughs) < rules.min_boroughs:
        return f"fewer than {rules.min_boroughs} boroughs"
    if cell.placements < rules.min_placements:
        return f"fewer than {rules.min_placements} placements"
    spend = sorted(cell.spend.values(), reverse=True)
    largest, second = spend[0], spend[1] if len(spend) > 1 else 0.0
    if sum(spend) - largest - second < rules.p_percent / 100 * largest:
        return "one borough's spend dominates"
    if max(cell.counts.values()) > rules.max_borough_share * cell.placements:
        return "one borough has more than half the placements"
    return ""


def quartile_refusal(cell: Contributions, rules: Rules) -> str:
    """Quartiles and the middle 80 % need more placements than a median (rule 2)."""
    if cell.placements < rules.min_placements_quartiles:
        return f"fewer than {rules.min_placements_quartiles} placements"
    return ""


def protect_total(hidden: Iterable[str], counts: Mapping[str, int]) -> set[str]:
    """Rule 5: where a table shows a total, one hidden cell in it is found by subtraction; hide
    the smallest other non-empty cell as well. Returns the cells to hide in addition; TOTAL
    among them when there is no other cell, so the total itself must go."""
    hidden = set(hidden)
    if len(hidden) != 1:
        return set()
    candidates = [k for k, n in counts.items() if k not in hidden and n > 0]
    if not candidates:
        return {TOTAL}
    return {min(candidates, key=lambda k: (counts[k], k))}


def logged(viewer: str, table: str, cell: str, reason: str) -> str:
    """Rule 7: every suppression is logged for audit (no figures, just what and why)."""
    if reason:
        log.info(
            "disclosure.suppressed",
            extra={"viewer": viewer, "table": table, "cell": cell, "reason": reason},
        )
    return reason


def middle(values: np.ndarray) -> tuple[float, float, float, float, float]:
    """10th, 25th, 50th, 75th and 90th percentiles, interpolated (never a raw extreme)."""
    p10, q1, median, q3, p90 = np.percentile(values, [10, 25, 50, 75, 90])
    return float(p10), float(q1), float(median), float(q3), float(p90)
