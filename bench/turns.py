"""Turn throughput: a stock botbuilder echo bot against this bot answering `help`, in one run.

Each bot runs as its own server process on loopback; this process plays the Bot Connector
(bot.testing.FakeConnector, which receives the replies) and the load: MESSAGES Teams-shaped 1:1
messages at CONCURRENCY in flight. Printed per bot: messages per second, p50/p95/p99 latency of the
turn (the POST returns once the reply was sent), and the server's CPU milliseconds per message
(from /proc). Run on demand: `make bench` or `python bench/turns.py [messages] [concurrency]`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.testing import FakeConnector, free_port, wait_healthy  # noqa: E402
from forum_ops.demo import DEMO_SECRETARIAT_ID  # noqa: E402

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
CONCURRENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 16
WARM_UP = 200
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    messages: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float

    def line(self) -> str:
        q = statistics.quantiles(self.latencies, n=100)
        return (
            f"{self.name:<22} {self.messages / self.seconds:8.1f} msg/s   "
            f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms   "
            f"CPU {self.cpu_seconds / self.messages * 1000:5.2f} ms/msg"
        )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def message(service_url: str, text: str) -> dict[str, object]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "text": text,
        "from": {"id": "29:bench-user", "aadObjectId": DEMO_SECRETARIAT_ID, "name": "Bench"},
        "recipient": {"id": "28:bench-bot", "name": "Bot"},
        "conversation": {"id": "a:bench-conversation", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "bench-tenant"}},
    }


async def load(
    name: str, process: subprocess.Popen[bytes], base: str, connector: FakeConnector, text: str
) -> Result:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as http:
        await wait_healthy(base)
        url = base + "/api/messages"

        async def one(latencies: list[float] | None) -> None:
            started = time.perf_counter()
            async with http.post(url, json=message(connector.service_url, text)) as response:
                await response.read()
                if response.status >= 300:
                    raise RuntimeError(f"{name} answered {response.status}")
            if latencies is not None:
                latencies.append(time.perf_counter() - started)

        async def run(count: int, latencies: list[float] | None) -> None:
            queue = iter(range(count))

            async def worker() -> None:
                for _ in queue:
                    await one(latencies)

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

        await run(WARM_UP, None)
        latencies: list[float] = []
        sent_before = len(connector.sent())
        cpu_before, started = cpu_seconds(process.pid), time.perf_counter()
        await run(MESSAGES, latencies)
        seconds, cpu = time.perf_counter() - started, cpu_seconds(process.pid) - cpu_before
        replies = len(connector.sent()) - sent_before
        if replies != MESSAGES:
            raise RuntimeError(f"{name}: {replies} replies to {MESSAGES} messages")
        return Result(name, MESSAGES, seconds, latencies, cpu)


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def main() -> None:
    print(
        f"{MESSAGES} messages at concurrency {CONCURRENCY} ({WARM_UP} warm-up), {os.cpu_count()} cores"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
        env.update(FORUM_DATABASE_URL=f"sqlite:///{tmp}/bench.db", FORUM_LOG_LEVEL="WARNING")
        forumbot = [sys.executable, "-m", "bot.cli"]
        subprocess.run(
            [*forumbot, "demo", "load"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        async with FakeConnector() as connector:
            for name, args, text in (
                ("stock echo bot", [sys.executable, "bench/stock_echo.py"], "hello"),
                ("forum bot: help", [*forumbot, "serve", "--host", "127.0.0.1", "--port"], "help"),
            ):
                port = free_port()
                process = start([*args, str(port)], env)
                try:
                    results.append(
                        await load(name, process, f"http://127.0.0.1:{port}", connector, text)
                    )
                finally:
                    process.terminate()
                    process.wait(10)
                print(results[-1].line(), flush=True)
    stock, ours = results
    print(
        f"throughput ratio (forum bot / stock echo): {ours.messages / ours.seconds / (stock.messages / stock.seconds):.2f}x"
    )
    print(f"CPU per message ratio (stock / forum bot): {stock.cpu_seconds / ours.cpu_seconds:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
