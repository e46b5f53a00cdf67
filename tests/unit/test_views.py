"""Cards read view types (cards/views/) and never the domain; London's time zone is defined once.
import-linter keeps the imports (pyproject.toml); these check what actually loads and is written."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import cards

ROOT = Path(__file__).resolve().parents[2]


def test_every_card_module_loads_without_the_domain() -> None:
    """A fresh interpreter imports every module of cards/ (views included): not one module of
    forum_ops/ or bot/ comes with them, so a card is made from values alone."""
    names = sorted(m.name for m in pkgutil.walk_packages(cards.__path__, "cards."))
    assert {"cards.asks", "cards.tor", "cards.render"} <= set(names)
    probe = (
        f"import importlib, sys; [importlib.import_module(n) for n in {names!r}]; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('forum_ops', 'bot'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == ""


def test_london_is_defined_once_and_everyone_imports_it() -> None:
    zone = re.compile(r"""ZoneInfo\(\s*["']Europe/London["']\s*\)|=\s*["']Europe/London["']""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("bot", "forum_ops", "cards", "analytics", "tests", "bench", "tools")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if zone.search(line) and not line.lstrip().startswith(("#", "assert"))
    ]
    assert [where.split(":")[0] for where in found] == ["cards/views/common.py"]


def test_every_topic_the_domain_infers_has_the_label_cards_show() -> None:
    from cards.views.asks import TOPIC_LABELS, topic_label
    from forum_ops.asks.topics import TOPICS

    assert [t.tag for t in TOPICS] == list(TOPIC_LABELS)
    assert topic_label("s75") == "Section 75"
    assert topic_label("not-a-tag") == "not-a-tag"  # a member's own topic shows as written
