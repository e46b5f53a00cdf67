"""Turn throughput: every command of SPEC §4 against the stock botbuilder echo bot and the
*patched* echo bot (the floor), in one run, on each transport (FORUM_TRANSPORT=botbuilder and
agents: two servers, each its own copy of the database), with each server's memory.

The patched echo bot is the stock one with msrest's `ClientRetryPolicy.safe_codes` a frozenset
(bench/stock_echo.py --patched): the cheapest turn this pipeline can serve. Each bot runs as its
own server process on loopback; this process plays the Bot Connector (bot.testing.FakeConnector,
which receives the replies) and the load: Teams-shaped 1:1 messages from a demo member (a borough
member; the data submitter for `returns`, the secretariat for its commands), CONCURRENCY in
flight, then one at a time. For each target it prints messages per second and that as a ratio
of the stock and of the patched echo bot's in the same round (the median of the rounds'
ratios), p50/p99 latency of the turn (the POST returns once the reply was sent), the server's
CPU milliseconds per message (from /proc) and this process's (the load and the fake connector).
Every reply is checked to be the command's card, not an error. Reads are meant to reach 1.0x
the patched echo bot with p99 under 30 ms one at a time; writes (`ask`, `asks report`, which
keeps a CSV for the secretariat) 0.5x with p99 under 5x their p50 (bench/votestorm.py measures
votes). From the CPU figures it prints the least mean latency the machine allows at CONCURRENCY
in flight (Little's law). This process does not collect garbage while it measures.

Then, on the forum bot alone: the database's growth over repeated identical requests, and the
server's memory (RSS) before and after MIXED requests cycling through every command (the goal:
under 250 MiB after 10,000).

Run on demand: `make bench`, or `python bench/turns.py [--messages 600] [--concurrency 16]
[--single 200] [--rounds 3] [--mixed 10000] [--only REGEX] [--transports botbuilder,agents]`.
The machine's load (uptime) is printed first and last: on a shared machine the figures are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.testing import FakeConnector, free_port, wait_healthy  # noqa: E402
from forum_ops.demo import demo_id  # noqa: E402
from forum_ops.members.reference import LOCAL_AUTHORITIES  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
MEMBER_ID = demo_id("202", 1)  # Camden's commissioner: a borough member, not the secretariat
DFE = ROOT.parent / "shared" / "data" / "dfe"
TRANSPORTS = ("botbuilder", "agents")  # FORUM_TRANSPORT (bot/transports/)
ERROR_TITLES = ("That didn't work", "Sorry, something went wrong", "I didn't understand")


@dataclass(frozen=True)
class Target:
    name: str
    text: str
    expect: str  # a word the reply's card must hold (a command's card, not an error)
    member: str = MEMBER_ID  # who asks: the secretariat's commands are asked by the secretariat


@dataclass
class Result:
    messages: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    load_cpu_seconds: float  # this process's: the clients and the fake connector

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def quantile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds / self.messages * 1000

    @property
    def load_cpu_ms(self) -> float:
        return self.load_cpu_seconds / self.messages * 1000


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime, every thread


def rss_mib(pid: int) -> float:
    resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return resident * PAGE / 2**20


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def message(service_url: str, text: str, member: str = MEMBER_ID) -> dict[str, object]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "text": text,
        "from": {"id": f"29:bench-{member}", "aadObjectId": member, "name": "Bench"},
        "recipient": {"id": "28:bench-bot", "name": "Bot"},
        "conversation": {"id": "a:bench-conversation", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "bench-tenant"}},
    }


class Load:
    """CONCURRENCY clients posting to one bot, the replies arriving at one fake connector."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        connector: FakeConnector,
        concurrency: int,
        askers: tuple[str, ...] = (MEMBER_ID,),
    ):
        self.http, self.connector, self.concurrency = http, connector, concurrency
        self.askers = askers  # who asks a borough member's command, in turn

    async def run(
        self, base: str, pick: Callable[[int], Target], count: int, pid: int | None = None
    ) -> Result:
        url, latencies = base + "/api/messages", []
        sent_before = len(self.connector.sent())
        queue = iter(range(count))

        async def worker() -> None:
            for n in queue:
                started = time.perf_counter()
                target = pick(n)
                member = target.member
                if member == MEMBER_ID:
                    member = self.askers[n % len(self.askers)]
                body = message(self.connector.service_url, target.text, member)
                async with self.http.post(url, json=body) as response:
                    await response.read()
                    if response.status >= 300:
                        raise RuntimeError(f"{base} answered {response.status}")
                latencies.append(time.perf_counter() - started)

        cpu_before = cpu_seconds(pid) if pid else 0.0
        gc.collect()
        gc.disable()  # one would stop every client at once and count as the bot's latency
        try:
            load_before, started = time.process_time(), time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
            seconds = time.perf_counter() - started
            load_cpu = time.process_time() - load_before
        finally:
            gc.enable()
        cpu = cpu_seconds(pid) - cpu_before if pid else 0.0
        replies = len(self.connector.sent()) - sent_before
        if replies != count:
            raise RuntimeError(f"{base}: {replies} replies to {count} messages")
        return Result(count, seconds, latencies, cpu, load_cpu)

    def check_replies(self, target: Target) -> None:
        """The last reply is the command's own card: a benchmark of error cards proves nothing."""
        last = self.connector.sent()[-1]
        text = str(last.body)
        if not target.name.endswith("echo bot") and (
            any(title in text for title in ERROR_TITLES) or target.expect not in text
        ):
            raise RuntimeError(f"{target.name}: the reply is not its card: {text[:300]}")
        self.connector.calls.clear()  # the bench holds no more replies than it must


def always(target: Target) -> Callable[[int], Target]:
    return lambda _: target


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def prepare(env: dict[str, str], forumbot: list[str], dfe: Path) -> None:
    def run(*args: str) -> None:
        subprocess.run([*forumbot, *args], env=env, cwd=ROOT, check=True, capture_output=True)

    run("demo", "load")
    caseload = dfe / "ehcp_caseload_by_placement_2025.csv"
    if caseload.exists():
        run("sen2", "import", str(caseload), str(dfe / "ehcp_primary_need_by_placement_2025.csv"))
    else:
        print(f"(no DfE release at {dfe}: the senddata commands will fail)")


def busiest_provider(database: Path) -> str:
    """The name of the provider with most placements in the demo returns."""
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT provider_name FROM placements GROUP BY provider_urn, provider_name "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return str(row[0])


def database_size(database: Path) -> tuple[int, int]:
    """(bytes in use, chart rows): pages on the free list are not counted as growth."""
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        charts = db.execute("SELECT count(*) FROM charts").fetchone()[0]
    return (pages - free) * size, int(charts)


SECRETARIAT_ID = demo_id("LIIA", 1)
SUBMITTER_ID = demo_id("202", 2)  # Camden's data submitter


def targets(provider: str) -> list[Target]:
    """Every command of SPEC §4 a person reads with, as its usual asker would send it."""
    return [
        Target("help", "help", "help"),
        Target("whoami", "whoami", "Camden"),
        Target("suppliers ASD secondary", "suppliers ASD secondary", "ASD"),
        Target("benchmark SEMH", "benchmark SEMH", "SEMH"),
        Target("benchmark provider", f"benchmark provider {provider}", provider[:20]),
        Target("top10", "top10", "Camden"),
        Target("senddata", "senddata", "Camden"),
        Target("senddata Croydon", "senddata Croydon", "Croydon"),
        Target("meetings", "meetings", "Chair"),
        Target("agenda next", "agenda next", "SEND Data"),
        Target("takeaway latest", "takeaway latest", "akeaway"),
        Target("tor", "tor", "Terms of Reference"),
        Target("tor read 1", "tor read 1", "Terms of Reference"),
        Target("directory", "directory", "Commissioning Alliance"),
        Target("directory transport", "directory transport", "Commissioning Alliance"),
        Target("recommendations", "recommendations", "ecommendation"),
        Target("asks", "asks", "sks"),
        Target("asks search transport", "asks search transport", "ransport"),
        Target("topics", "topics", "opics"),
        Target("returns (submitter)", "returns", "eturn", SUBMITTER_ID),
    ]


WRITES = [  # each message changes the forum: the goal is half the floor's throughput
    Target("ask <question>", "ask Has anyone a framework for SEND transport?", "sk"),
    Target("asks report (secretariat)", "asks report", "sks", SECRETARIAT_ID),  # keeps a CSV
]


def median_line(
    name: str, runs: Sequence[Result], stock: float | None = None, floor: float | None = None
) -> str:
    """Throughput and latency, the median of the rounds; with the ratios to the stock and the
    patched echo bot's throughput (each round's own ratio, then their median)."""

    def ratio(value: float | None) -> str:
        return f"{value:5.2f}x" if value else " " * 6

    rate = statistics.median(r.rate for r in runs)
    return (
        f"{name:<40} {rate:7.1f} msg/s {ratio(stock)} {ratio(floor)}  "
        f"p50 {statistics.median(r.quantile(50) for r in runs):6.1f} ms  "
        f"p99 {statistics.median(r.quantile(99) for r in runs):6.1f} ms   "
        f"CPU {statistics.median(r.cpu_ms for r in runs):6.2f} ms/msg   "
        f"load {statistics.median(r.load_cpu_ms for r in runs):5.2f} ms/msg"
    )


def round_ratio(runs: Sequence[Result], baseline: Sequence[Result]) -> float:
    """The median over rounds of this round's rate over the baseline's in the same round."""
    return statistics.median(r.rate / b.rate for r, b in zip(runs, baseline, strict=True))


def queueing_line(name: str, runs: Sequence[Result], concurrency: int) -> str:
    """What the machine allows whatever the bot does: with `concurrency` messages always in
    flight a turn waits behind the others (Little's law: mean latency = in flight / throughput),
    and throughput is at most one core for the server's event loop, and two cores for server and
    load together."""
    server = statistics.median(r.cpu_ms for r in runs)
    load = statistics.median(r.load_cpu_ms for r in runs)
    cores = os.cpu_count() or 1
    if server <= 0:  # /proc counts CPU in 10 ms steps: too few messages to tell
        return f"{name:<32} too few messages to tell"
    ceiling = min(1000 / server, cores * 1000 / (server + load))
    return (
        f"{name:<32} at most {ceiling:6.1f} msg/s on {cores} cores "
        f"-> mean latency at least {concurrency / ceiling * 1000:6.1f} ms at {concurrency} in flight"
    )


@dataclass(frozen=True)
class Server:
    name: str  # "stock echo bot", "patched echo bot", or the forum bot's transport
    process: subprocess.Popen[bytes]
    base: str
    database: Path | None = None  # the forum bot's own copy


async def main(options: argparse.Namespace) -> None:
    print(
        f"{options.messages} messages a target at concurrency {options.concurrency} and "
        f"{options.single} at concurrency 1 ({options.warm_up} warm-up), median of "
        f"{options.rounds} rounds; {os.cpu_count()} cores, load average {load_average()}; "
        f"a borough member's commands asked by {max(options.askers, 1)} borough(s)' members in turn"
    )
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
        env.update(FORUM_DATABASE_URL=f"sqlite:///{database}", FORUM_LOG_LEVEL="WARNING")
        forumbot = [sys.executable, "-m", "bot.cli"]
        prepare(env, forumbot, options.dfe)
        provider = busiest_provider(database)
        wanted = re.compile(options.only)
        reads = [t for t in targets(provider) if wanted.search(t.name)]
        writes = [t for t in WRITES if wanted.search(t.name)]
        echoes = []
        for name, extra in (("stock echo bot", []), ("patched echo bot", ["--patched"])):
            port = free_port()
            process = start([sys.executable, "bench/stock_echo.py", str(port), *extra], env)
            echoes.append(Server(name, process, f"http://127.0.0.1:{port}"))
        forums = []
        for transport in options.transports.split(","):
            copy = Path(tmp) / f"bench-{transport}.db"
            shutil.copyfile(database, copy)
            port = free_port()
            forum_env = {
                **env,
                "FORUM_DATABASE_URL": f"sqlite:///{copy}",
                "FORUM_TRANSPORT": transport,
            }
            serve = [*forumbot, "serve", "--host", "127.0.0.1", "--port", str(port)]
            forums.append(
                Server(transport, start(serve, forum_env), f"http://127.0.0.1:{port}", copy)
            )
        limit = aiohttp.TCPConnector(limit=options.concurrency)
        try:
            async with FakeConnector() as connector, aiohttp.ClientSession(connector=limit) as http:
                for server in (*echoes, *forums):
                    await wait_healthy(server.base, within=300)  # a busy machine starts slowly
                    await wait_ready(http, server.base)
                askers = tuple(demo_id(la.code, 1) for la in LOCAL_AUTHORITIES)
                askers = askers[: options.askers] if options.askers > 1 else (MEMBER_ID,)
                loads = {c: Load(http, connector, c, askers) for c in (options.concurrency, 1)}
                results: dict[tuple[str, int], list[Result]] = {}
                plan = [(Target(e.name, "hello", ""), e) for e in echoes] + [
                    (Target(f"{f.name} {t.name}", t.text, t.expect, t.member), f)
                    for t in (*reads, *writes)
                    for f in forums
                ]
                for n in range(1, options.rounds + 1):
                    for target, server in plan:
                        pid = server.process.pid
                        for concurrency, count in (
                            (options.concurrency, options.messages),
                            (1, options.single),
                        ):
                            load = loads[concurrency]
                            await load.run(server.base, always(target), options.warm_up)
                            load.check_replies(target)
                            result = await load.run(server.base, always(target), count, pid)
                            load.check_replies(target)
                            results.setdefault((target.name, concurrency), []).append(result)
                        print(
                            f"  round {n}: {median_line(target.name, [results[target.name, options.concurrency][-1]])}",
                            flush=True,
                        )
                print_summary(results, plan, options)

                for server in forums:
                    assert server.database is not None
                    print(
                        f"\n{server.name}: database growth over {options.repeat} identical requests each:"
                    )
                    for target in reads:
                        before, charts_before = database_size(server.database)
                        await loads[options.concurrency].run(
                            server.base, always(target), options.repeat
                        )
                        loads[options.concurrency].check_replies(target)
                        after, charts_after = database_size(server.database)
                        print(
                            f"  {target.name:<30} {after - before:>+10,} bytes   "
                            f"{charts_after - charts_before:+d} chart rows"
                        )

                print(
                    "\nmemory (RSS): the stock echo bot "
                    + ", ".join(f"{e.name} {rss_mib(e.process.pid):.0f} MiB" for e in echoes)
                )
                mix = [*reads, *writes]
                for server in forums:
                    assert server.database is not None
                    rss_before = rss_mib(server.process.pid)
                    points: list[str] = []  # RSS at five points: flat, or growing with requests
                    done = 0
                    for part in range(1, 6):
                        count = options.mixed * part // 5 - done
                        await loads[options.concurrency].run(
                            server.base,
                            lambda n, start=done: mix[(start + n) % len(mix)],
                            count,
                            server.process.pid,
                        )
                        connector.calls.clear()
                        done += count
                        points.append(f"{done:,}: {rss_mib(server.process.pid):.1f}")
                    size, charts = database_size(server.database)
                    print(
                        f"the forum bot on {server.name}, RSS (MiB) after n mixed requests: "
                        + ", ".join(points)
                    )
                    print(
                        f"the forum bot on {server.name}: {rss_before:.0f} MiB after the rounds, "
                        f"{rss_mib(server.process.pid):.0f} MiB after {options.mixed:,} more "
                        f"requests of every command ({len(mix)} in turn); database "
                        f"{size / 2**20:.1f} MiB in use, {charts} charts (goal: under 250 MiB)"
                    )
        finally:
            for server in (*echoes, *forums):
                server.process.terminate()
                try:
                    server.process.wait(60)  # a graceful stop on a busy machine can take a while
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()
    print(f"load average at the end {load_average()}")


async def wait_ready(http: aiohttp.ClientSession, base: str) -> None:
    """The forum bot answers /readyz once warmed up; the echo bots have no such route."""
    for _ in range(600):
        async with http.get(base + "/readyz") as response:
            if response.status in (200, 404):
                return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} not ready in 60 s")


def print_summary(
    results: dict[tuple[str, int], list[Result]],
    plan: Sequence[tuple[Target, Server]],
    options: argparse.Namespace,
) -> None:
    c = options.concurrency
    stock, floor = results["stock echo bot", c], results["patched echo bot", c]
    print(
        f"\nat concurrency {c}, median of the rounds     throughput  x stock x patched  "
        "latency of the turn        server CPU           load CPU"
    )
    for target, _ in plan:
        runs = results[target.name, c]
        print(median_line(target.name, runs, round_ratio(runs, stock), round_ratio(runs, floor)))
    print("\nat concurrency 1 (goal: p99 under 30 ms for reads, under 5x p50 for writes):")
    for target, _ in plan:
        print(median_line(target.name, results[target.name, 1]))
    print("\nthe floor queueing sets (from the CPU figures above):")
    for target, _ in plan:
        print(queueing_line(target.name, results[target.name, c], c))
    worst = min(
        (round_ratio(results[t.name, c], floor), t.name)
        for t, s in plan
        if s.database is not None and not any(t.name.endswith(w.name) for w in WRITES)
    )
    print(f"\nslowest read against the patched echo bot: {worst[1]} at {worst[0]:.2f}x (goal 1.0x)")


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=600, help="per target and round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--single", type=int, default=200, help="per target and round, at concurrency 1"
    )
    parser.add_argument("--only", default="", help="only the targets whose name this regex finds")
    parser.add_argument("--transports", default=",".join(TRANSPORTS), help="e.g. botbuilder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--askers",
        type=int,
        default=1,
        help="borough members asking in turn (1: Camden's alone; 33: every borough's)",
    )
    parser.add_argument("--warm-up", type=int, default=50, help="per target and round")
    parser.add_argument("--repeat", type=int, default=200, help="identical requests, for growth")
    parser.add_argument("--mixed", type=int, default=10_000, help="mixed requests, for memory")
    parser.add_argument("--dfe", type=Path, default=DFE, help="the DfE SEN2 release's folder")
    return parser.parse_args()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    asyncio.run(main(options()))
