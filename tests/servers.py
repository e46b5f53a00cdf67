"""Running `forumbot serve` as a real subprocess, for crash and replica tests."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def forumbot_serve(
    database_url: str, **settings: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "FORUM_"))}
    env.update(
        FORUM_DATABASE_URL=database_url,
        FORUM_LOG_LEVEL="WARNING",
        **{k.upper(): v for k, v in settings.items()},
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(20)


async def healthy(base_url: str, within: float = 30.0) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(int(within / 0.1)):
            try:
                async with http.get(base_url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{base_url} did not come up")
