"""Plausibility of a return before it may enter a release (DOMAIN rule 11).

A return whose volume is far beyond the borough's DfE SEN2 count of pupils in independent and
non-maintained special schools, or whose fees lie far outside what London paid each provider in
the last release, is imported (the borough's own figures are its own, live) but held out of
releases until the secretariat accepts it. The reasons name figures, so they go to the
secretariat only; the submitter is told that the return is held and why in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from analytics.rates import fees
from analytics.sen2 import inmss_pupils, load_caseload, year_label
from forum_ops.senddata.sen2 import latest_release as latest_sen2


@dataclass(frozen=True)
class Plausibility:
    """The thresholds, from configuration."""

    volume_factor: float = 1.5  # held above this many times SEN2's INMSS pupils (plus slack)
    volume_slack: int = 10  # small boroughs' counts move by a few pupils a year
    fee_factor: float = 2.0  # held below the provider's lowest / this, or above its highest x this
    fees_allowed: int = 0  # fees outside the range before a return is held


def hold_reasons(
    session: Session,
    borough: str,
    frame: pd.DataFrame,
    released: pd.DataFrame | None,
    rules: Plausibility,
) -> list[str]:
    """Why the return `frame` for `borough` must wait for the secretariat, or [] when it need
    not. `released` is the period's last release (its rows), None before the first."""
    reasons = []
    expected = _sen2_count(session, borough)
    if expected is not None:
        january, pupils = expected
        ceiling = pupils * rules.volume_factor + rules.volume_slack
        if len(frame) > ceiling:
            reasons.append(
                f"{len(frame):,} placements against {pupils:,.0f} EHC plans in independent and "
                f"non-maintained special schools in DfE's SEN2 for {year_label(january)}"
            )
    if released is not None and len(released):
        outside = _fees_outside(frame, released, rules.fee_factor)
        if outside > rules.fees_allowed:
            reasons.append(
                f"{outside:,} fee{'s' if outside != 1 else ''} far outside what London paid the "
                f"same provider for the same placement type in the last release (under 1/"
                f"{rules.fee_factor:g} of the lowest borough's average or over {rules.fee_factor:g}x "
                "the highest)"
            )
    return reasons


def _sen2_count(session: Session, borough: str) -> tuple[str, float] | None:
    release = latest_sen2(session)
    if release is None:
        return None
    caseload = load_caseload(release.caseload.content, release.caseload.filename)
    return inmss_pupils(caseload, borough)


def _fees_outside(frame: pd.DataFrame, released: pd.DataFrame, factor: float) -> int:
    """How many of the return's fees lie outside [lowest / factor, highest x factor] of the
    boroughs' average fees for the same provider and placement type in the release."""
    averages = (
        released.assign(fee=fees(released))
        .groupby(["provider_urn", "placement_type", "borough"])["fee"]
        .mean()
        .groupby(level=["provider_urn", "placement_type"])
        .agg(["min", "max"])
    )
    mine = frame.assign(fee=fees(frame)).join(averages, on=["provider_urn", "placement_type"])
    known = mine.dropna(subset=["min", "max"])
    return int(
        ((known["fee"] < known["min"] / factor) | (known["fee"] > known["max"] * factor)).sum()
    )
