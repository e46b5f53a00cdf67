"""Features register once (bot/features.py), and start-up imports none of their heavy libraries."""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import subprocess
import sys
import threading
import types
from pathlib import Path
from typing import Literal

import pytest

from bot.app import TEMPLATE_PATH
from bot.commands import Command
from bot.features import (
    FEATURES,
    JOBS,
    Feature,
    build_actions,
    build_commands,
    build_dialogs,
    build_routes,
    scheduled_jobs,
    warm_modules,
)
from bot.lazy import Lazy, later, warm_up
from bot.manifest import APP_MANIFEST
from bot.scheduler_worker import registered_jobs
from bot.settings import Settings
from bot.teams import FileUpload
from bot.uploads import Upload, UploadRequest, UploadTable
from forum_ops.scheduler import Job, cron
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


def test_every_command_action_dialog_upload_search_and_job_of_the_features_is_registered() -> None:
    commands, actions, dialogs = build_commands(), build_actions(), build_dialogs()
    assert [c.name for c in commands.listed()] == [
        c.name for feature in FEATURES for c in feature.commands
    ]
    for feature in FEATURES:
        for verb in feature.actions:
            assert verb in actions._handlers
        for dialog in feature.dialogs:
            assert dialogs._dialogs[dialog.name] is dialog
    routes = build_routes()
    assert [u.handler for u in routes.uploads.ordered()] == [
        u.handler for f in FEATURES for u in f.uploads if not u.otherwise
    ] + [u.handler for f in FEATURES for u in f.uploads if u.otherwise]
    assert set(routes.searches) == {"suppliers"}
    # a job's name is its identity in the database: these never change
    assert {job.name for job in JOBS} == {
        "housekeeping", "asks.sweep", "asks.digest", "tor.remind", "tor.close",
        "quarterly-report-prompt",
        "meetings.cycle", "meetings.chair_offers", "returns.release",
    }  # fmt: skip


def test_a_file_goes_to_the_features_in_the_tables_order_the_catch_all_last() -> None:
    """An ask's reply first (it passes a file that answers no ask), then a ToR version (by its
    suffix), then a return (whatever no other takes)."""
    routes = build_routes()
    names = [f"{u.handler!r}" for u in routes.uploads.ordered()]
    assert names == [
        "bot.commands.asks.files.receive_ask_file",
        "bot.commands.tor.commands.receive_tor",
        "bot.commands.inmss.returns.receive_return",
    ]
    ask, tor, returns = routes.uploads.ordered()
    docx, xlsx = FileUpload("ToR v3.docx", "https://x/1", "docx"), FileUpload("r.xlsx", "u", "")
    assert ask.takes(docx, "personal")
    assert not ask.takes(docx, "channel")
    assert tor.takes(docx, "channel")
    assert not tor.takes(xlsx, "personal")
    assert returns.takes(xlsx, "groupChat")
    assert returns.otherwise


async def test_the_first_upload_that_answers_replies_and_none_passes_the_file_on() -> None:
    heard: list[str] = []

    def handler(name: str, answer: object) -> object:
        async def receive(request: UploadRequest) -> object:
            heard.append(name)
            return answer

        return receive

    table = UploadTable(
        [
            Upload(handler("last", "catch-all"), otherwise=True),  # type: ignore[arg-type]
            Upload(handler("passes", None)),  # type: ignore[arg-type]
            Upload(handler("docx", "a ToR"), suffixes=(".docx",)),  # type: ignore[arg-type]
        ]
    )
    request = UploadRequest(None, FileUpload("a.xlsx", "u", ""), "", "personal", "c", None)  # type: ignore[arg-type]
    assert await table.receive(request) == "catch-all"
    assert heard == ["passes", "last"]
    with pytest.raises(ValueError, match="only one feature"):
        table.register(Upload(handler("another", "x"), otherwise=True))  # type: ignore[arg-type]


def test_the_extension_answers_the_searches_the_manifest_declares() -> None:
    manifest = json.loads((APP_MANIFEST / "manifest.json").read_text(encoding="utf-8"))
    declared = {c["id"] for e in manifest["composeExtensions"] for c in e["commands"]}
    assert declared == set(build_routes().searches)


def test_a_feature_warms_the_modules_of_its_handlers_each_once() -> None:
    help_, whoami = later("bot.commands.help"), later("bot.commands.whoami")
    extra = Feature(
        "echo",
        commands=(Command("echo", "echo", "says it back", "Test", help_.show_help),),
        actions={"echo.again": whoami.show_whoami, "echo.help": help_.show_help},
    )
    assert list(extra.modules()) == [
        "bot.commands.help",
        "bot.commands.whoami",
        "bot.commands.help",
    ]
    assert warm_modules((extra,)) == ("bot.commands.help", "bot.commands.whoami")
    assert {
        "bot.commands.inmss.benchmarks",  # and through it pandas, matplotlib, the analytics
        "bot.commands.senddata",
        "bot.commands.inmss.returns",  # files sent in chat, the period dialog
        "bot.commands.asks.files",  # a reply's file
        "bot.commands.suppliers.extension",  # the messaging extension's search
    } <= set(warm_modules())


def _named_in_the_table() -> list[object]:
    return [h for feature in FEATURES for h in feature.handlers()]


def test_every_handler_the_table_names_is_a_reference_to_a_function_that_exists() -> None:
    """Handlers are attributes of their modules, never "module:function" strings: an editor
    jumps to each, and a typo fails here, not when a member first uses the command."""
    handlers = _named_in_the_table()
    assert len(handlers) == 59  # 24 commands, 21 actions, 1 dialog, 3 uploads, 1 search, 9 jobs
    for handler in handlers:
        assert isinstance(handler, Lazy), handler  # nothing a feature needs loads with the table
        target = handler.now()
        assert callable(target), handler
        assert not isinstance(target, Lazy), handler
        assert target.__module__ == handler.module, handler
    for module in warm_modules():
        importlib.import_module(module)


def test_the_modules_the_editor_sees_are_those_loaded_at_run_time() -> None:
    """bot/features.py imports each feature module under TYPE_CHECKING (what the editor and
    mypy read) and names it `later(...)` at run time: both must name the same module."""
    import bot.features as features

    source = ast.parse(Path(features.__file__).read_text(encoding="utf-8"))
    [guard] = [n for n in source.body if isinstance(n, ast.If)]
    seen: dict[str, str] = {}
    for node in guard.body:
        assert isinstance(node, ast.ImportFrom)
        assert node.module
        for alias in node.names:
            seen[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    assert seen
    for name, module in seen.items():
        at_run_time = getattr(features, name)
        assert not isinstance(at_run_time, types.ModuleType), name
        assert at_run_time.__name__ == module, name


async def test_a_lazy_handler_imports_its_module_off_the_event_loop_on_first_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lazy_probe.py").write_text(
        "import threading\n"
        "LOADED_IN = threading.current_thread().name\n"
        "async def answer(x):\n    return x + 1\n"
        "def job(x):\n    return x * 2\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "lazy_probe", raising=False)
    probe = later("lazy_probe")
    assert "lazy_probe" not in sys.modules
    assert await probe.answer(1) == 2
    assert threading.current_thread().name != sys.modules["lazy_probe"].LOADED_IN
    assert await asyncio.to_thread(probe.job, 4) == 8  # a job, in a worker thread
    monkeypatch.delitem(sys.modules, "lazy_probe")


async def test_a_job_named_lazily_runs_where_it_is_called_even_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test ticks the scheduler on the loop; the app's worker, in a thread: a job's function
    runs there and then in both, never handed back as an awaitable that nobody awaits."""
    (tmp_path / "job_probe.py").write_text("def job(session, run):\n    return (session, run)\n")
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "job_probe", raising=False)
    probe = later("job_probe")
    [job] = scheduled_jobs((Feature("probe", jobs=(Job("probe", cron(minute=0), probe.job),)),))
    assert job.run("session", "run") == ("session", "run")
    monkeypatch.delitem(sys.modules, "job_probe")


def test_the_template_route_is_the_link_the_returns_card_gives() -> None:
    from bot.commands.inmss.returns import TEMPLATE_PATH as linked

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
