"""A vote storm and the writes (issue 28), against a real `forumbot serve`, this tree's and, with
`--old <worktree>`, an older tree's in the same run, interleaved round by round.

Each server runs as its own process on its own copy of one prepared SQLite database (demo data,
a ToR version added with `forumbot tor add`); this process plays the Bot Connector
(bot.testing.FakeConnector, with Teams' own per-conversation and per-app limits: a message over
them gets 429) and the members.

`storm` (default): the forum's team installs the bot, the secretariat opens the ratification,
then the 66 members of the 33 boroughs send VOTES votes (Action.Execute invokes, as Teams sends
a press of the card's buttons) in about SECONDS, CONCURRENCY at most in flight, changing their
boroughs' votes as they go. It prints the votes a second, p50/p99 of the vote turn, how many
updates of the shared card went out, and how long after the last vote's answer the connector
received the update that carries the final tally (the card rendered from the database then).

`writes`: `ask <question>` (each a new ask, routed to members) at concurrency 4 and 16, and votes
at 16, as fast as the server answers: messages a second, p50, p99 and p99/p50.

    python bench/votestorm.py [storm|writes] [--old /tmp/old-worktree] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.testing import (  # noqa: E402
    TEAMS_APP_LIMITS,
    TEAMS_LIMITS,
    FakeConnector,
    free_port,
    load_activity,
    wait_healthy,
)
from cards import plain_text  # noqa: E402
from cards.tor import TorCards  # noqa: E402
from forum_ops.db import create_database  # noqa: E402
from forum_ops.demo import demo_id  # noqa: E402
from forum_ops.members.reference import LOCAL_AUTHORITIES  # noqa: E402
from forum_ops.outbox.queue import Status, counts  # noqa: E402
from forum_ops.ports import SystemClock  # noqa: E402
from forum_ops.tor.service import view_ballot  # noqa: E402

ACTIVITIES = ROOT.parent / "shared" / "data" / "teams-activities"
TENANT = "bench-tenant"
SECRETARIAT = demo_id("LIIA", 1)
VOTERS = [demo_id(la.code, n) for n in (1, 2) for la in LOCAL_AUTHORITIES]
DRAFT = "# Purpose\nThe forum helps commissioners share what works.\n\n# Membership\nAll 33.\n"
CHOICES = ("approve", "amend", "abstain", "approve")


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU, every thread (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


@dataclass
class Server:
    name: str
    tree: Path
    process: subprocess.Popen[bytes]
    base: str
    database: Path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


def start_server(name: str, tree: Path, prepared: Path, tmp: Path) -> Server:
    database = tmp / f"{name}-{uuid.uuid4().hex[:6]}.db"
    shutil.copyfile(prepared, database)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
    env.update(
        FORUM_DATABASE_URL=f"sqlite:///{database}",
        FORUM_LOG_LEVEL="WARNING",
        PYTHONPATH=str(tree),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(name, tree, process, f"http://127.0.0.1:{port}", database)


def prepare(tmp: Path) -> Path:
    database = tmp / "prepared.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
    env.update(FORUM_DATABASE_URL=f"sqlite:///{database}", FORUM_LOG_LEVEL="WARNING")
    draft = tmp / "tor.md"
    draft.write_text(DRAFT, encoding="utf-8")
    for args in (("demo", "load"), ("tor", "add", str(draft))):
        subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], env=env, cwd=ROOT, check=True,
            capture_output=True,
        )  # fmt: skip
    return database


class Teams:
    """The members' side: activities to one server, its answers and its sends on the connector."""

    def __init__(self, http: aiohttp.ClientSession, connector: FakeConnector, base: str) -> None:
        self.http, self.connector, self.base = http, connector, base

    async def post(self, activity: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(self.base + "/api/messages", json=activity) as response:
            text = await response.text()
            if response.status >= 300:
                raise RuntimeError(f"{self.base} answered {response.status}: {text[:200]}")
            return dict(await response.json()) if text else {}

    def activity(self, payload: str, who: str, **rewrite: Any) -> dict[str, Any]:
        return load_activity(
            ACTIVITIES / f"{payload}.json",
            serviceUrl=self.connector.service_url,
            tenant=TENANT,
            id=f"f:{uuid.uuid4().hex}",
            **{"from.aadObjectId": who},
            **rewrite,
        )

    async def say(self, who: str, text: str) -> None:
        await self.post(
            self.activity(
                "message_channel_mention",
                who,
                text=text,
                **{
                    "conversation.conversationType": "personal",
                    "conversation.id": f"a:chat-{who}",
                    "conversation.isGroup": False,
                    "entities": [],
                },
            )
        )

    async def vote(self, who: str, data: dict[str, Any]) -> None:
        value = {"action": {"type": "Action.Execute", "verb": "tor.vote", "data": data},
                 "trigger": "manual"}  # fmt: skip
        body = await self.post(self.activity("invoke_adaptiveCard_action", who, value=value))
        if "'s vote: " not in plain_text(body.get("value") or {}):
            raise RuntimeError(f"not a vote's answer: {str(body)[:300]}")

    async def open_ratification(self) -> tuple[str, dict[str, Any]]:
        """Install in the forum's team, open the vote; the shared card's channel and its card."""
        install = self.activity("conversationUpdate_membersAdded_team", SECRETARIAT)
        await self.post(install)
        channel = install["conversation"]["id"]
        deadline = (datetime.now(UTC).date() + timedelta(days=28)).isoformat()
        await self.say(SECRETARIAT, f"tor open 1 {deadline}")
        for _ in range(600):
            cards = [card for c in self.connector.sent() if c.conversation_id == channel
                     for card in c.cards if "Ratify" in plain_text(card)]  # fmt: skip
            if cards:
                return channel, cards[-1]
            await asyncio.sleep(0.05)
        raise RuntimeError("the ratification's card never reached the channel")


def vote_data(card: dict[str, Any], choice: str) -> dict[str, Any]:
    [execute] = [a for a in card["actions"] if a["data"]["choice"] == choice]
    data = dict(execute["data"])
    return data | ({"comment": "Name the ICB leads"} if choice == "amend" else {})


async def settled(database: Path, within: float) -> dict[Status, int]:
    db = create_database(f"sqlite:///{database}")
    try:
        deadline = time.monotonic() + within
        while True:
            with db.transaction() as session:
                found = counts(session)
            if not found[Status.QUEUED] and not found[Status.SENDING]:
                return found
            if time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.1)
    finally:
        db.dispose()


def sent_activity_id(database: Path, key: str) -> str:
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT sent_activity_id FROM outbox WHERE key = ?", (key,)).fetchone()
    return str(row[0])


def final_card_text(database: Path) -> str:
    db = create_database(f"sqlite:///{database}")
    try:
        return plain_text(TorCards().ballot(view_ballot(db, SystemClock(), 1)).content)
    finally:
        db.dispose()


def final_since(updates: list[Any], final: str) -> float | None:
    """When the card began to show `final` for good: the first of the trailing updates that
    carry it, or None if the last update does not."""
    since = None
    for call in reversed(updates):
        if not call.cards or plain_text(call.cards[0]) != final:
            break
        since = call.at
    return since


async def paced(
    count: int, seconds: float, concurrency: int, send: Callable[[int], Awaitable[None]]
) -> tuple[list[float], list[float]]:
    """`count` requests started about `seconds` / `count` apart (as fast as answered when
    `seconds` is 0), at most `concurrency` in flight: (latencies, times answered)."""
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    answered: list[float] = []
    started = time.monotonic()

    async def one(n: int) -> None:
        async with slots:
            begun = time.perf_counter()
            await send(n)
            latencies.append(time.perf_counter() - begun)
            answered.append(time.monotonic())

    tasks = []
    for n in range(count):
        delay = started + n * seconds / count - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()  # start the next only when one may go: the pacing holds
        slots.release()
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return latencies, answered


async def storm(server: Server, options: argparse.Namespace) -> str:
    limited = FakeConnector(limits=TEAMS_LIMITS, app_limits=TEAMS_APP_LIMITS)
    async with limited as connector, aiohttp.ClientSession() as http:
        await wait_healthy(server.base, within=300)
        teams = Teams(http, connector, server.base)
        _, shared = await teams.open_ratification()
        await settled(server.database, 60)  # the ballots to members are out
        card_id = sent_activity_id(server.database, "tor:1:channel")
        choices = itertools.cycle(CHOICES)
        plan = [(VOTERS[n % len(VOTERS)], next(choices)) for n in range(options.votes)]

        async def vote(n: int) -> None:
            who, choice = plan[n]
            await teams.vote(who, vote_data(shared, choice))

        gc.disable()
        try:
            started = time.monotonic()
            latencies, answered = await paced(
                options.votes, options.seconds, options.concurrency, vote
            )
        finally:
            gc.enable()
        last_vote = max(answered)
        final = final_card_text(server.database)

        def updates() -> list[Any]:
            return [c for c in connector.calls if c.method == "PUT" and c.activity_id == card_id]

        # when the card came to show the final tally for good: the first of the last updates
        # that all carry it, once the queue is empty (an earlier update may have carried the
        # same figures, and older ones may still be queued behind it)
        found = await settled(server.database, options.wait - (time.monotonic() - last_vote))
        shown_at = final_since(updates(), final)
        if found[Status.QUEUED] or found[Status.SENDING]:
            shown_at = None
        refused = sum(1 for a in connector.attempts if a.status == 429)
        seconds = last_vote - started
        shown_text = (
            f"{shown_at - last_vote:6.2f} s" if shown_at is not None
            else f"not in {options.wait:.0f} s ({found[Status.QUEUED]} updates still queued)"
        )  # fmt: skip
        return (
            f"{server.name:<6} {options.votes} votes in {seconds:5.1f} s = "
            f"{options.votes / seconds:5.1f} votes/s  p50 {quantile(latencies, 50):6.1f} ms  "
            f"p99 {quantile(latencies, 99):6.1f} ms | final tally shown {shown_text} after the "
            f"last vote; {len(updates())} card updates sent, "
            f"{found[Status.SUPERSEDED]} superseded, {refused} refused (429)"
        )


async def writes(server: Server, options: argparse.Namespace) -> list[str]:
    lines = []
    async with (
        FakeConnector() as connector,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as http,
    ):
        await wait_healthy(server.base, within=300)
        teams = Teams(http, connector, server.base)
        _, shared = await teams.open_ratification()
        await settled(server.database, 60)
        asker = demo_id("202", 1)
        choices = itertools.cycle(CHOICES)

        async def ask(n: int) -> None:
            await teams.say(asker, f"ask How do others commission post-16 transport? ({n})")

        async def vote(n: int) -> None:
            await teams.vote(VOTERS[n % len(VOTERS)], vote_data(shared, next(choices)))

        runs: list[tuple[str, int, Callable[[int], Awaitable[None]]]] = [
            ("ask", 4, ask), ("ask", 16, ask), ("vote", 16, vote)]  # fmt: skip
        for name, concurrency, send in runs:
            await paced(options.warm_up, 0, concurrency, send)
            gc.collect()
            gc.disable()
            try:
                cpu, started = cpu_seconds(server.process.pid), time.perf_counter()
                latencies, _ = await paced(options.messages, 0, concurrency, send)
                seconds = time.perf_counter() - started
                cpu = cpu_seconds(server.process.pid) - cpu
            finally:
                gc.enable()
            p50, p99 = quantile(latencies, 50), quantile(latencies, 99)
            lines.append(
                f"{server.name:<6} {name:<5} c={concurrency:<3} "
                f"{options.messages / seconds:6.1f} msg/s  p50 {p50:6.1f} ms  "
                f"p99 {p99:6.1f} ms  p99/p50 {p99 / p50:5.1f}  "
                f"server CPU {cpu / options.messages * 1000:5.1f} ms/msg"
            )
            connector.calls.clear()
    return lines


async def main(options: argparse.Namespace, trees: list[tuple[str, Path]]) -> None:
    print(f"{options.mode}: {os.cpu_count()} cores, load average {load_average()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        prepared = prepare(tmp)
        for round_ in range(1, options.rounds + 1):
            for name, tree in trees if round_ % 2 else reversed(trees):
                server = start_server(name, tree, prepared, tmp)
                try:
                    if options.mode == "storm":
                        print(f"round {round_}: {await storm(server, options)}", flush=True)
                    else:
                        for line in await writes(server, options):
                            print(f"round {round_}: {line}", flush=True)
                finally:
                    server.stop()
    print(f"load average {load_average()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=("storm", "writes"), default="storm")
    parser.add_argument("--old", help="a worktree of the code to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--votes", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--wait", type=float, default=60.0, help="longest wait for the tally")
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--warm-up", type=int, default=50)
    options = parser.parse_args()
    old = [("old", Path(options.old).resolve())] if options.old else []
    asyncio.run(main(options, [("new", ROOT), *old]))
