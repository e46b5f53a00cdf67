"""Synthetic INMSS returns for London from DOMAIN.md's parameters: seeded and reproducible.

About 4,800 placements at about 150 providers across the 33 boroughs; long-tailed provider use
(each borough uses 40-80 providers, its top 10 taking about half its spend); day costs lognormal
around £62k with need and phase multipliers; residential rare; each provider-borough pair has a
price factor lognormal(0, 0.12), and 10-20 % of pairs carry a 20-40 % premium, which `planted`
lists so tests can check the rate-variation benchmark finds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.returns_format import COLUMNS, NEEDS

NEED_SHARES = {
    "ASD": 44,
    "SEMH": 25,
    "SLCN": 14,
    "MLD": 5.5,
    "SPLD": 4,
    "SLD": 2.5,
    "PD": 1.1,
    "PMLD": 1.1,
    "OTH": 1.1,
    "HI": 0.6,
    "VI": 0.3,
    "MSI": 0.2,
}
NEED_FACTOR = {
    "ASD": 1.00,
    "SEMH": 1.05,
    "SLCN": 0.95,
    "MLD": 0.80,
    "SPLD": 0.70,
    "SLD": 1.20,
    "PMLD": 1.50,
    "PD": 1.30,
    "HI": 1.4,
    "VI": 1.45,
    "MSI": 1.6,
    "OTH": 1.0,
}
PHASE_SHARES = {"primary": 26, "secondary": 56, "post-16": 18}
PHASE_FACTOR = {"primary": 0.90, "secondary": 1.00, "post-16": 1.05}
# Core fees, set so that total costs (with 1:1 staffing and therapies) land on DOMAIN's figures:
# day total median about £62k (non-maintained about £55k), 10th percentile £42k, 90th £100k.
DAY_MEDIAN, DAY_SIGMA, DAY_CAP = 49_000.0, 0.20, 150_000.0
NMSS_DAY_MEDIAN = 44_000.0
RESIDENTIAL = {"38-week residential": (130_000.0, 0.25), "52-week residential": (230_000.0, 0.25)}
BOROUGH_FACTOR_SIGMA = 0.12
PREMIUM_SHARE = (0.10, 0.20)
PREMIUM = (0.20, 0.40)
TOTAL_PLACEMENTS, PROVIDERS = 4_800, 150


@dataclass(frozen=True)
class SyntheticReturns:
    placements: pd.DataFrame  # COLUMNS plus `borough` (LA code) and `period`
    planted: frozenset[tuple[str, str]]  # (provider URN, borough) pairs given a premium


def synthetic_returns(
    boroughs: list[str], period: str = "2025-26", seed: int = 2026, total: int = TOTAL_PLACEMENTS
) -> SyntheticReturns:
    rng = np.random.default_rng(seed)
    providers = _providers(rng)
    sizes = _borough_sizes(rng, boroughs, total)
    rows: list[dict[str, object]] = []
    planted: set[tuple[str, str]] = set()
    pair_factor: dict[tuple[str, str], float] = {}
    for borough, size in sizes.items():
        used = _providers_used(rng, providers, size)
        popularity = np.array([providers.loc[u, "popularity"] for u in used])
        premium_share = rng.uniform(*PREMIUM_SHARE)
        for urn in used:
            factor = float(rng.lognormal(0.0, BOROUGH_FACTOR_SIGMA))
            if rng.random() < premium_share:
                factor *= 1 + rng.uniform(*PREMIUM)
                planted.add((urn, borough))
            pair_factor[(urn, borough)] = factor
        # every provider the borough uses has at least one pupil (the long tail of 1-2); the rest
        # of the borough's placements go by popularity
        rest = rng.choice(used, size=max(0, size - len(used)), p=popularity / popularity.sum())
        chosen = [*used[:size], *rest]
        for n, urn in enumerate(chosen):
            rows.append(
                _placement(rng, providers.loc[urn], urn, borough, n, pair_factor[(urn, borough)])
            )
    frame = pd.DataFrame(rows, columns=["borough", *COLUMNS])
    frame.insert(1, "period", period)
    used_pairs = set(zip(frame["provider_urn"], frame["borough"], strict=True))
    return SyntheticReturns(frame, frozenset(planted & used_pairs))


def _providers(rng: np.random.Generator) -> pd.DataFrame:
    """Providers with a base price factor and a long-tailed popularity (a few large groups)."""
    urns = [str(140000 + 7 * n) for n in range(PROVIDERS)]
    nmss = rng.random(PROVIDERS) < 0.1
    return pd.DataFrame(
        {
            "name": [
                f"{_NAMES[n % len(_NAMES)]} {'School' if n % 3 else 'College'} (demo {n + 1})"
                for n in range(PROVIDERS)
            ],
            "type": np.where(nmss, "non-maintained special", "independent special"),
            "base": rng.lognormal(0.0, 0.15, PROVIDERS),
            "popularity": 1.0
            / np.arange(1, PROVIDERS + 1) ** 1.1
            * rng.uniform(0.7, 1.3, PROVIDERS),
            "residential": rng.random(PROVIDERS) < 0.12,
        },
        index=urns,
    )


_NAMES = (
    "Brindlewick",
    "Quillmere",
    "Farrowdell",
    "Otterhollow",
    "Larchfield",
    "Wrencombe",
    "Heronford",
    "Bramblestead",
    "Emberbrook",
    "Thistlegate",
    "Marramley",
    "Sorrelholt",
)


def _borough_sizes(rng: np.random.Generator, boroughs: list[str], total: int) -> dict[str, int]:
    """About 145 placements a borough on average, from about 10 (City of London) to about 400."""
    weights = rng.lognormal(0.0, 0.45, len(boroughs))
    sizes = {
        b: max(60, round(total * w / weights.sum())) for b, w in zip(boroughs, weights, strict=True)
    }
    if "201" in sizes:
        sizes["201"] = 10
    return sizes


def _providers_used(rng: np.random.Generator, providers: pd.DataFrame, size: int) -> list[str]:
    """40-80 providers (fewer for a small borough), the popular ones more likely."""
    count = min(int(rng.integers(40, 81)), size)
    p = providers["popularity"].to_numpy() / providers["popularity"].sum()
    return list(rng.choice(providers.index.to_numpy(), size=count, replace=False, p=p))


def _placement(
    rng: np.random.Generator,
    provider: pd.Series,
    urn: str,
    borough: str,
    n: int,
    pair_factor: float,
) -> dict[str, object]:
    need = str(rng.choice(NEEDS, p=_shares(NEED_SHARES, NEEDS)))
    phase = str(rng.choice(list(PHASE_SHARES), p=_shares(PHASE_SHARES, list(PHASE_SHARES))))
    nmss = provider["type"] == "non-maintained special"
    residential_chance = (0.10 if nmss else 0.016) * (3 if provider["residential"] else 0.5)
    placement_type = "day"
    if rng.random() < residential_chance:
        placement_type = str(
            rng.choice(["38-week residential", "52-week residential"], p=[0.6, 0.4])
        )
    factor = NEED_FACTOR[need] * PHASE_FACTOR[phase] * float(provider["base"]) * pair_factor
    if placement_type == "day":
        median = NMSS_DAY_MEDIAN if nmss else DAY_MEDIAN
        core = min(DAY_CAP, median * factor * float(rng.lognormal(0.0, DAY_SIGMA)))
        residential_care = 0.0
    else:
        median, sigma = RESIDENTIAL[placement_type]
        total = median * factor * float(rng.lognormal(0.0, sigma))
        core, residential_care = total * 0.55, total * 0.45
    staffing = float(rng.uniform(20_000, 45_000)) if rng.random() < 0.25 else 0.0
    therapies = float(rng.uniform(5_000, 15_000)) if rng.random() < 0.40 else 0.0
    health = float(rng.uniform(2_000, 8_000)) if rng.random() < 0.05 else 0.0
    money = [round(v, 2) for v in (core, residential_care, health, therapies, staffing)]
    start = pd.Timestamp("2025-09-01") - pd.Timedelta(days=int(rng.integers(0, 5 * 365)))
    requested = round(float(rng.uniform(3, 6)), 1)
    return {
        "borough": borough,
        "placement_id": f"{borough}-{n + 1:04d}",
        "provider_urn": urn,
        "provider_name": provider["name"],
        "establishment_type": provider["type"],
        "primary_need": need,
        "phase": phase,
        "placement_type": placement_type,
        "route": str(rng.choice(["framework", "DPS", "spot"], p=[0.3, 0.2, 0.5])),
        "start_date": start.date().isoformat(),
        "core_fee": money[0],
        "residential_care": money[1],
        "health": money[2],
        "therapies": money[3],
        "additional_staffing": money[4],
        "total_cost": round(sum(money), 2),
        "attendance_pct": round(float(min(100.0, rng.normal(88, 9))), 1),
        "suspensions": int(rng.poisson(0.4)),
        "outcomes_met": str(rng.choice(["met", "partly", "not met"], p=[0.55, 0.35, 0.10])),
        "open_to_negotiation": str(rng.choice(["yes", "partly", "no"], p=[0.3, 0.4, 0.3])),
        "requested_uplift_pct": requested,
        "agreed_uplift_pct": round(requested * float(rng.uniform(0.4, 1.0)), 1),
    }


def _shares(shares: Mapping[str, float], order: Sequence[str]) -> list[float]:
    """Probabilities in `order`, normalised (DOMAIN's published shares add up to 99.4 %)."""
    total = sum(shares[k] for k in order)
    return [shares[k] / total for k in order]
