"""How hard the property tests try: hypothesis profiles, chosen by HYPOTHESIS_PROFILE.

- "ci" (`make test`, so `.ci/run`; also the default under CI=true): each test's full count.
- "dev" (the default otherwise, for the quick loop `pytest tests/unit`): a tenth of it.

A test states its full count as `@settings(max_examples=examples(300))`; a test that states none
gets the profile's own (100 under ci, 10 under dev).
"""

from __future__ import annotations

import os

from hypothesis import settings

FULL = 100  # the ci profile's max_examples (hypothesis's own default): counts scale by it
settings.register_profile("ci", max_examples=FULL)
settings.register_profile("dev", max_examples=FULL // 10)


def load_profile() -> str:
    """Load the profile HYPOTHESIS_PROFILE names ("ci" under CI=true, else "dev")."""
    name = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    settings.load_profile(name)
    return name


def examples(full: int) -> int:
    """`full` under the ci profile; under another, scaled by its max_examples (at least 5)."""
    scaled = full * settings.default.max_examples // FULL
    return max(scaled, min(full, 5))
