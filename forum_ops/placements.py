"""The stored INMSS returns as one read model: the placements frame and what every benchmark
would otherwise recompute (borough rates, provider names, record keys), re-read only after an
import (the returns' version changes)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from analytics.benchmark_filters import Geography
from analytics.disclosure import Rules, with_record_keys
from analytics.rates import borough_rates
from forum_ops.reference import LOCAL_AUTHORITIES
from forum_ops.returns import all_placements, returns_version
from forum_ops.versioned import ComputedOnce

GEOGRAPHY = Geography.of(
    {la.code: (str(la.subregion), str(la.inner_outer)) for la in LOCAL_AUTHORITIES}
)


@dataclass(frozen=True)
class Placements:
    """The stored returns and what every request would otherwise recompute."""

    frame: pd.DataFrame
    periods: tuple[str, ...]  # oldest first
    rates: dict[str, pd.DataFrame]  # by period: borough_rates()
    names: dict[str, str]  # provider URN -> name, as returns spell it
    sources: dict[str, str]  # by period: where the figures come from
    keyed: dict[str, pd.DataFrame] = field(default_factory=dict)  # by secret: with record keys

    def with_keys(self, rules: Rules) -> pd.DataFrame:
        """The frame with each placement's record key (rule 8), computed once per secret."""
        secret = rules.cell_key_secret
        if secret not in self.keyed:
            self.keyed.clear()
            self.keyed[secret] = with_record_keys(self.frame, rules)
        return self.keyed[secret]

    @staticmethod
    def of(frame: pd.DataFrame) -> Placements:
        periods = tuple(sorted(frame["period"].unique()))
        per_period = frame.groupby("period")["borough"].agg(["nunique", "size"])
        return Placements(
            frame,
            periods,
            {p: borough_rates(frame, p) for p in periods},
            dict(zip(frame["provider_urn"], frame["provider_name"], strict=True)),
            {
                str(p): f"Source: INMSS returns for {p} from {row['nunique']} boroughs, "
                f"{row['size']:,} placements."
                for p, row in per_period.iterrows()
            },
        )


def placements_cache() -> ComputedOnce[Session, Placements]:
    """Every stored return as one read model, built again only after an import."""
    return ComputedOnce(returns_version, lambda session: Placements.of(all_placements(session)))
