"""Boroughs' INMSS returns: submitted, checked, held for plausibility, released monthly."""
