"""The returns' values other features read: a release of London's figures (cut in
forum_ops/returns/releases.py, named on every benchmark card)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Release:
    """A release of London's figures (forum_ops/returns/releases.py): what every card names."""

    id: int
    period: str
    released_at: datetime
    released_by: str  # an Entra object id, "schedule", "demo" or "cli:<user>"
    boroughs: int
    placements: int
