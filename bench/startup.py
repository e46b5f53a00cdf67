"""Start-up time: how long `forumbot serve` takes to answer GET /healthz with a 200, and why.

Measures the stock botbuilder echo bot (bench/stock_echo.py) and `forumbot serve` on each
transport (FORUM_TRANSPORT=botbuilder, agents), each with its memory (RSS) once ready.
Starts each on a free loopback port RUNS times (default 5) against a fresh SQLite
database (migrated once beforehand, not timed), measures from process start to the first 200 on
/healthz, and prints each run and the median, with the CPU time the server had used by then (on a
busy machine the wall-clock figure mostly measures the wait for a CPU). The server listens before
it loads botbuilder and SQLAlchemy (bot/app.py), so each run also gives the time until /healthz
says `"ready": true`: the bot can serve messages (one posted earlier is held until then). Then
prints the import
time of each top package, each alone in a fresh interpreter (so a package's figure includes what
it imports: numpy is inside pandas' figure too). Warm means the files are in the page cache: the
first run of a day is slower. Run on demand: `python bench/startup.py [runs]`. Standard library
only, so the bench itself imports nothing it measures.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
TICKS = os.sysconf("SC_CLK_TCK")
TIMEOUT = 300.0  # seconds: a loaded machine can be very slow; the figure says how slow
FORUMBOT = str(Path(sys.executable).with_name("forumbot"))
PACKAGES = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "openpyxl",
    "rapidfuzz",
    "sqlalchemy",
    "alembic",
    "apscheduler",
    "aiohttp",
    "botbuilder.core",
    "botbuilder.integration.aiohttp",
    "microsoft_agents.hosting.aiohttp",
    "msgraph",
    "azure.identity",
    "jinja2",
    "pydantic_settings",
    "bot.cli",  # ours: `forumbot` itself (pydantic-settings)
    "bot.app",  # ours: what `forumbot serve` imports before it listens (aiohttp)
    "bot.runtime",  # ours: what it loads behind the server before it is ready
    "bot.transports.agents",  # ours: what FORUM_TRANSPORT=agents loads besides
)
PAGE = os.sysconf("SC_PAGE_SIZE")
TRANSPORTS = ("botbuilder", "agents")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def health(url: str) -> dict[str, object] | None:
    """/healthz's answer if it is a 200, else None."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback, ours)
            return json.loads(response.read()) if response.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mib(pid: int) -> float:
    resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return resident * PAGE / 2**20


def forumbot(port: int) -> list[str]:
    return [FORUMBOT, "serve", "--host", "127.0.0.1", "--port", str(port)]


def stock_echo(port: int) -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("stock_echo.py")), str(port)]


def time_to_healthy(
    env: dict[str, str], cwd: str, command: Callable[[int], list[str]] = forumbot
) -> tuple[float, float, float, float]:
    """Wall-clock seconds to the first 200, the CPU seconds the server had used by then,
    wall-clock seconds until it said it was ready (the echo bot: at once), and its RSS then."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    start = time.perf_counter()
    server = subprocess.Popen(
        command(port),
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first: tuple[float, float] | None = None
        while True:
            answer = health(url)
            if answer is not None and first is None:
                first = time.perf_counter() - start, cpu_seconds(server.pid)
            if answer is not None and answer.get("ready", True) is True:
                assert first is not None
                return first[0], first[1], time.perf_counter() - start, rss_mib(server.pid)
            if server.poll() is not None:
                raise RuntimeError(f"forumbot serve exited with {server.returncode}")
            if time.perf_counter() - start > TIMEOUT:
                raise RuntimeError(f"not ready within {TIMEOUT:.0f} s")
            time.sleep(0.02)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def import_seconds(module: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="forum-startup-") as tmp:
        env = {**os.environ, "FORUM_DATABASE_URL": f"sqlite:///{tmp}/forum.db"}
        subprocess.run(
            [FORUMBOT, "db", "upgrade"], env=env, cwd=tmp, check=True, stdout=subprocess.DEVNULL
        )
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        servers: list[tuple[str, dict[str, str], Callable[[int], list[str]]]] = [
            ("stock echo bot", env, stock_echo),
            *((f"forumbot {t}", {**env, "FORUM_TRANSPORT": t}, forumbot) for t in TRANSPORTS),
        ]
        medians = []
        for name, server_env, command in servers:
            times, cpus, readies, memory = [], [], [], []
            for run in range(1, RUNS + 1):
                seconds, cpu, ready, rss = time_to_healthy(server_env, tmp, command)
                times.append(seconds)
                cpus.append(cpu)
                readies.append(ready)
                memory.append(rss)
                print(
                    f"{name:<20} run {run}: first 200 on /healthz after {seconds:6.2f} s "
                    f"({cpu:5.2f} s of CPU), ready after {ready:6.2f} s, RSS {rss:5.0f} MiB"
                )
            medians.append(
                f"{name:<20} median of {RUNS}: {statistics.median(times):5.2f} s to healthy, "
                f"{statistics.median(cpus):5.2f} s of CPU, "
                f"{statistics.median(readies):5.2f} s to ready, "
                f"RSS {statistics.median(memory):5.0f} MiB when ready"
            )
        print("(CPU is the figure a busy machine distorts least)")
        print("\n".join(medians))
        print("import time, each alone in a fresh interpreter:")
        for module in PACKAGES:
            print(f"  {module:<32} {import_seconds(module, env) * 1000:8.0f} ms")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
