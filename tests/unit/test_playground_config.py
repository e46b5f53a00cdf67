"""The Agents Playground's config (.m365agentsplayground.yml) names demo members the bot knows."""

from __future__ import annotations

import re
from pathlib import Path

from forum_ops.demo import DEMO_SECRETARIAT_ID, demo_members

CONFIG = Path(__file__).resolve().parents[2] / ".m365agentsplayground.yml"


def test_the_playground_user_is_the_demo_secretariat_and_its_users_are_demo_members() -> None:
    ids = re.findall(r"^\s*aadObjectId: (\S+)$", CONFIG.read_text(), flags=re.MULTILINE)
    known = {member.aad_object_id for member in demo_members()}
    assert ids[0] == DEMO_SECRETARIAT_ID  # currentUser comes first
    assert len(ids) == 6  # the current user and exactly five others, as the Playground requires
    assert set(ids) <= known
