"""Demo members' ids: fictitious people derived from a fixed namespace, so `forumbot demo load`
is idempotent and the terminal chat can speak as a known demo member (forum_ops/demo.py)."""

from __future__ import annotations

import uuid

DEMO_NAMESPACE = uuid.UUID("0f6d3c1e-9a4b-4c2d-8e7f-112233445566")


def demo_id(organisation_code: str, n: int) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{organisation_code}/{n}"))
