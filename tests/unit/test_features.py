"""Features register once (bot/features.py), and start-up imports none of their heavy libraries."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest

from bot.actions import build_actions
from bot.app import TEMPLATE_PATH
from bot.commands import Command, build_commands
from bot.dialogs import build_dialogs
from bot.features import FEATURES, JOBS, Feature, warm_modules
from bot.lazy import LazyDialog, LazyHandler, LazyJob, split_target, warm_up
from bot.scheduler_worker import registered_jobs
from bot.settings import Settings
from tests.conftest import ROOT

HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "openpyxl",
    "msgraph",
    "alembic",
    "rapidfuzz",
    "analytics",
)


def test_every_command_action_dialog_and_job_of_the_features_is_registered() -> None:
    commands, actions, dialogs = build_commands(), build_actions(), build_dialogs()
    assert [c.name for c in commands.listed()] == [
        c.name for feature in FEATURES for c in feature.commands
    ]
    for feature in FEATURES:
        for verb in feature.actions:
            assert verb in actions._handlers
        for dialog in feature.dialogs:
            assert dialogs._dialogs[dialog.name] is dialog
    assert {job.name for job in JOBS} == {
        "housekeeping", "asks.sweep", "asks.digest", "tor.remind", "tor.close",
        "quarterly-report-prompt",
        "meetings.cycle", "meetings.chair_offers", "returns.release",
    }  # fmt: skip


def test_a_feature_warms_the_modules_of_its_handlers_each_once() -> None:
    help_ = LazyHandler("bot.commands.help:show_help")
    extra = Feature(
        "echo",
        commands=(Command("echo", "echo", "says it back", "Test", help_),),
        actions={"echo.again": LazyHandler("bot.commands.whoami:show_whoami")},
        warm=("bot.commands.help",),
    )
    assert list(extra.modules()) == [
        "bot.commands.help",
        "bot.commands.whoami",
        "bot.commands.help",
    ]
    assert warm_modules((extra,)) == ("bot.commands.help", "bot.commands.whoami")
    assert "bot.benchmarks" not in warm_modules((extra,))
    assert {
        "bot.commands.benchmarks",  # and through it pandas, matplotlib, the analytics
        "bot.commands.senddata",
        "bot.dialogs.return_period",
        "bot.commands.returns",  # files sent in chat
        "bot.commands.suppliers.extension",  # the messaging extension's search
    } <= set(warm_modules())


def test_every_lazy_target_names_something_that_exists() -> None:
    """A typo in "module:function" would otherwise surface only when a member uses the command."""
    handlers = [c.handler for f in FEATURES for c in f.commands]
    handlers += [h for f in FEATURES for h in f.actions.values()]
    targets = [h.target for h in handlers if isinstance(h, LazyHandler)]
    targets += [d.target for f in FEATURES for d in f.dialogs if isinstance(d, LazyDialog)]
    targets += [j.run.target for f in FEATURES for j in f.jobs if isinstance(j.run, LazyJob)]
    # tor.remind, tor.close, meetings.cycle and .chair_offers are lazy; tor.read added
    assert len(targets) == 52
    for target in targets:
        module, attribute = split_target(target)
        assert callable(getattr(importlib.import_module(module), attribute)), target
    for module in warm_modules():
        importlib.import_module(module)


def test_the_template_route_is_the_link_the_returns_card_gives() -> None:
    from bot.commands.returns import TEMPLATE_PATH as linked

    assert linked == TEMPLATE_PATH


def test_the_scheduler_runs_the_features_jobs() -> None:
    assert registered_jobs(Settings(forum_scheduler_extra_jobs="")) == JOBS


def test_starting_the_app_imports_no_heavy_library() -> None:
    """`forumbot serve` answers /healthz before pandas, matplotlib, msgraph... are imported: they
    load on first use or are warmed after start-up (bot/lazy.py). A fresh interpreter, so what
    other tests imported does not count."""
    probe = (
        "import sys, bot.app, bot.cli; "
        f"print(','.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == ""


class WatchedEvent(asyncio.Event):
    """An Event that tells when someone first waits on it."""

    def __init__(self) -> None:
        super().__init__()
        self.awaited = asyncio.Event()

    async def wait(self) -> Literal[True]:
        self.awaited.set()
        return await super().wait()


async def test_warming_waits_for_the_first_answer_then_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "warm_probe.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "warm_probe", raising=False)
    answered = WatchedEvent()
    warming = asyncio.create_task(warm_up(["warm_probe", "no_such_module_here"], answered, 60))
    await asyncio.wait_for(answered.awaited.wait(), 60)  # warming waits for the first answer...
    assert "warm_probe" not in sys.modules  # ...having imported nothing: start-up has it all
    answered.set()
    await asyncio.wait_for(warming, 60)  # a module that fails to import is logged, not raised
    assert "warm_probe" in sys.modules
    monkeypatch.delitem(sys.modules, "warm_probe")
