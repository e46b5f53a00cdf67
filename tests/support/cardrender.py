"""Cards drawn by the real Adaptive Cards JavaScript renderer, as Teams draws them (issue 25).

tools/card_renderer/render.js draws a batch of cards in one headless Chromium, 500 px wide, in
Microsoft's Teams light and dark host configs, and says per card and theme what the renderer
reported (parse events, `validateProperties()`), whether it drew anything, what is wider
than its box or the card, and each drawn text below 4.5:1 against what is drawn behind it. `problems` turns that into one line per fault, named by `where`.

It needs node, Debian's `chromium` and `npm ci` in tools/card_renderer; `.ci/card_renderer`
installs them, and `.ci/run` runs it and sets FORUM_CI=1, under which a missing renderer fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Drawn:
    """What the renderer found in a batch of cards: `faults` the card's own (a parse or validation
    event, nothing drawn, wider than the card, its text below 4.5:1 as drawn), `host_drawn` text
    below 4.5:1 in colours the host chooses, not the card (links, a required input's "*"); one
    line per card and theme, named by where the card was sent."""

    faults: list[str]
    host_drawn: list[str]


def draw(cards: list[tuple[str, dict[str, Any]]]) -> Drawn:
    faults, host_drawn = [], []
    for drawn in render(cards):
        where = f"{cards[int(drawn['name'])][0]} ({drawn['theme']})"
        said = [*drawn["warnings"], *drawn["issues"]]
        if drawn["empty"]:
            said.append("drew nothing")
        if drawn["contrast"]:
            said.append("below 4.5:1 as drawn: " + " | ".join(drawn["contrast"])[:800])
        if drawn["overflows"]:
            said.append(f"wider than {WIDTH} px: " + " | ".join(drawn["overflows"])[:800])
        if said:
            faults.append(f"{where}: " + "; ".join(said))
        if drawn["hostContrast"]:
            host_drawn.append(f"{where}: " + " | ".join(drawn["hostContrast"]))
    return Drawn(faults, host_drawn)


def problems(cards: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The faults the renderer finds in `cards` ((where, card) pairs); [] when all draw cleanly."""
    return draw(cards).faults
