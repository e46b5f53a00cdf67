"""Cards drawn by the real Adaptive Cards JavaScript renderer, as Teams draws them (issue 25).

tools/card_renderer/render.js draws a batch of cards in one headless Chromium, 500 px wide, in
Microsoft's Teams light and dark host configs, and says per card and theme what the renderer
reported (parse events, `validateProperties()`), whether it drew anything, and what is wider
than its box or the card. `problems` turns that into one line per fault, named by `where`.

It needs node, Debian's `chromium` and `npm ci` in tools/card_renderer; `.ci/card_renderer`
installs them, and `.ci/run` runs it and sets FORUM_CI=1, under which a missing renderer fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RENDERER = ROOT / "tools" / "card_renderer"
THEMES = ("light", "dark")
WIDTH = 500  # Teams desktop's widest card


def chromium() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or ""


def missing() -> str:
    """What the renderer lacks here, and how to get it; "" when it can draw."""
    lacks = []
    if not shutil.which("node"):
        lacks.append("node (apt-get install -y nodejs npm)")
    if not chromium():
        lacks.append("chromium (apt-get install -y chromium)")
    if not (RENDERER / "node_modules" / "adaptivecards").is_dir():
        lacks.append("the renderer's packages (npm ci in tools/card_renderer)")
    return "; ".join(lacks)


def require_renderer() -> None:
    """Skip when the renderer is missing here, but fail under CI, which must draw the cards."""
    lacks = missing()
    if not lacks:
        return
    why = f"the Adaptive Cards renderer needs {lacks}; .ci/card_renderer installs all of it"
    if os.environ.get("FORUM_CI") or os.environ.get("CI"):
        pytest.fail(f"CI must draw the cards: {why}")
    pytest.skip(why)


def render(cards: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every card drawn in every theme by one Chromium: render.js's report of each."""
    listing = [{"name": str(n), "card": card} for n, (_, card) in enumerate(cards)]
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "cards.json"
        batch.write_text(json.dumps(listing, ensure_ascii=False), encoding="utf-8")
        command = ["node", str(RENDERER / "render.js"), str(batch), "--check"]
        command += ["--width", str(WIDTH), "--theme", ",".join(THEMES), "--chromium", chromium()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"render.js failed: {result.stderr[-2000:]}"
    drawn = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(drawn) == len(cards) * len(THEMES), result.stderr[-2000:]
    return drawn


def problems(cards: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Each fault the renderer finds in `cards` ((where, card) pairs): one line per card and
    theme, named by where the card was sent; [] when every card draws cleanly."""
    found = []
    for drawn in render(cards):
        where = cards[int(drawn["name"])][0]
        said = [*drawn["warnings"], *drawn["issues"]]
        if drawn["empty"]:
            said.append("drew nothing")
        if drawn["overflows"]:
            said.append(f"wider than {WIDTH} px: " + " | ".join(drawn["overflows"])[:800])
        if said:
            found.append(f"{where} ({drawn['theme']}): " + "; ".join(said))
    return found
