"""The INMSS placement return: one pseudonymised row per placement (SPEC 6.2, DOMAIN "Returns").

No names or dates of birth: a placement is known by a pseudonymous id the borough keeps.
"""

from __future__ import annotations

NEEDS = ("ASD", "SEMH", "SLCN", "MLD", "SPLD", "SLD", "PD", "PMLD", "OTH", "HI", "VI", "MSI")
PHASES = ("primary", "secondary", "post-16")
PLACEMENT_TYPES = ("day", "weekly boarding", "38-week residential", "52-week residential")
ESTABLISHMENT_TYPES = ("independent special", "non-maintained special")
ROUTES = ("framework", "DPS", "spot")
OUTCOMES = ("met", "partly", "not met")
NEGOTIATION = ("yes", "partly", "no")

COLUMNS = (
    "placement_id",
    "provider_urn",
    "provider_name",
    "establishment_type",
    "primary_need",
    "phase",
    "placement_type",
    "route",
    "start_date",
    "core_fee",
    "residential_care",
    "health",
    "therapies",
    "additional_staffing",
    "total_cost",
    "attendance_pct",
    "suspensions",
    "outcomes_met",
    "open_to_negotiation",
    "requested_uplift_pct",
    "agreed_uplift_pct",
)
MONEY = ("core_fee", "residential_care", "health", "therapies", "additional_staffing", "total_cost")
