"""Calls from the domain up into the transport: a profiler that records, in every thread, each
call whose caller's code is in forum_ops/ and whose callee's is in bot/ (issue 26's "a request
goes down and up and down"). The layers contract forbids the imports; this catches what a
service is handed (a messenger, a presenter, a callback) that lives in bot/."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOMAIN, TRANSPORT = str(ROOT / "forum_ops") + "/", str(ROOT / "bot") + "/"


class CallsUp:
    def __init__(self) -> None:
        self.recording = False
        self.calls: Counter[str] = Counter()

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if not self.recording or event != "call":
            return
        caller = frame.f_back
        if caller is None or not frame.f_code.co_filename.startswith(TRANSPORT):
            return
        if caller.f_code.co_filename.startswith(DOMAIN):
            self.calls[f"{caller.f_code.co_qualname} -> {frame.f_code.co_qualname}"] += 1

    @contextmanager
    def recorded(self) -> Iterator[Counter[str]]:
        self.calls.clear()
        self.recording = True
        try:
            yield self.calls
        finally:
            self.recording = False


@contextmanager
def watching() -> Iterator[CallsUp]:
    """Profile this thread and every thread started meanwhile (the app's executor threads
    start on its first turn, so watch from before the app is made)."""
    watcher = CallsUp()
    sys.setprofile(watcher.profile)
    threading.setprofile(watcher.profile)
    try:
        yield watcher
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
