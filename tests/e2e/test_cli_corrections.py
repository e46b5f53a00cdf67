"""Issue 13's small things in `forumbot`, as an operator meets them: subprocesses on SQLite."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from forum_ops.demo import DEMO_SECRETARIAT_ID, demo_id
from tests.support.cli import forumbot
from tests.support.returnfiles import as_csv, clean_rows


def members_file(tmp_path: Path) -> Path:
    path = tmp_path / "members.csv"
    path.write_text(
        "aad_object_id,name,email,organisation,roles,topics\n"
        f"{demo_id('202', 2)},Priya Shah,priya@camden.example,Camden,member;data_submitter,\n"
        f"{demo_id('205', 1)},Hal Fulham,hal@lbhf.example,205,member,\n",
        encoding="utf-8",
    )
    return path


def test_returns_import_takes_a_borough_name_and_never_shows_a_traceback(tmp_path: Path) -> None:
    forumbot(tmp_path, "db", "upgrade")
    (tmp_path / "return.csv").write_bytes(as_csv(clean_rows(3)))

    named = forumbot(
        tmp_path, "returns", "import", "return.csv", "--borough", "Camden", "--period", "2025-26"
    )
    unknown = forumbot(
        tmp_path, "returns", "import", "return.csv", "--borough", "Narnia", "--period", "2025-26"
    )

    assert named.returncode == 0, named.stderr
    assert "Return imported for Camden 2025-26: 3 placements" in named.stdout
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr
    assert "I don't know a London borough called “Narnia”" in unknown.stderr


def test_members_list_takes_an_organisation_as_people_name_it(tmp_path: Path) -> None:
    forumbot(tmp_path, "db", "upgrade")
    forumbot(tmp_path, "members", "import", str(members_file(tmp_path)))

    everyone = forumbot(tmp_path, "members", "list")
    fulham = forumbot(tmp_path, "members", "list", "--org", "Hammersmith")
    nowhere = forumbot(tmp_path, "members", "list", "--org", "Narnia")

    assert everyone.returncode == 0, everyone.stderr
    assert demo_id("202", 2) in everyone.stdout
    assert "data_submitter;member" in everyone.stdout
    assert "2 members." in everyone.stdout
    assert demo_id("205", 1) in fulham.stdout
    assert demo_id("202", 2) not in fulham.stdout
    assert nowhere.returncode == 1
    assert "Traceback" not in nowhere.stderr
    assert "Narnia" in nowhere.stderr


def test_demo_load_names_someone_to_chat_as_in_every_role(tmp_path: Path) -> None:
    loaded = forumbot(tmp_path, "demo", "load")

    assert loaded.returncode == 0, loaded.stderr
    out = loaded.stdout
    assert DEMO_SECRETARIAT_ID in out
    assert "data submitter, Camden" in out
    assert demo_id("202", 1) in out  # a Camden member
    assert demo_id("202", 2) in out  # Camden's data submitter
    assert "ICB member" in out
    assert "forumbot members list" in out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_links_point_at_the_port_serve_listens_on(tmp_path: Path) -> None:
    forumbot(tmp_path, "db", "upgrade")
    forumbot(tmp_path, "members", "import", str(members_file(tmp_path)))
    port = free_port()
    env = {
        "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'forum.db'}",
        "FORUM_LOG_LEVEL": "WARNING",
        "PATH": "/usr/bin:/bin",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], cwd=tmp_path, env=env
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        chat = subprocess.run(
            [sys.executable, "-m", "bot.cli", "chat", "--url", f"http://127.0.0.1:{port}",
             "--as", demo_id("202", 2)],
            # [1] is the welcome card's button; [2] the returns card's link, numbered on
            cwd=tmp_path, env=env, input="returns\n2\nquit\n", capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)

    assert chat.returncode == 0, chat.stderr
    assert f"http://127.0.0.1:{port}/" in chat.stdout
    assert "127.0.0.1:3978" not in chat.stdout
