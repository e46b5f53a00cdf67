"""`forumbot` as a real process, against a SQLite file in a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from forum_ops.db import create_database
from forum_ops.members.registry import find_member


def forumbot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`forumbot *args` in `tmp_path`, its database a SQLite file there. The time allowed is
    generous: a return's import reads the file in a child process, slow on a busy machine."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))},
        "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'forum.db'}",
        "FORUM_LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def member_name(tmp_path: Path, aad_object_id: str) -> str | None:
    db = create_database(f"sqlite:///{tmp_path / 'forum.db'}")
    with db.transaction() as session:
        member = find_member(session, aad_object_id)
    db.dispose()
    return member.name if member else None
