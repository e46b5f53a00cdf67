"""Every feature of the bot, declared once: its commands, card actions, dialogs, uploads,
message-extension searches and scheduled jobs.

Adding a feature is one entry in FEATURES (README, "Adding a feature"). The command, action,
dialog and upload tables, the extension's searches and the scheduler are all built from this
tuple (`build_routes`, `JOBS`); `help` lists the commands in the order given here, and the Teams
manifest suggests those SUGGESTED names for each scope.

Every handler is a real reference (`asks.open_ask`), so an editor jumps to it and mypy checks its
signature; none is imported with this module. Each feature module is imported below under
TYPE_CHECKING, and at run time is `later(...)` instead (bot/lazy.py): its functions load on first
use, or are warmed once the app has answered, so `forumbot serve` listens and is ready as fast as
without them. tests/unit/test_features.py imports every handler named here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.actions import ActionHandler, ActionTable, run_command
from bot.command_table import Command, CommandTable
from bot.dialogs import DialogTable, LazyDialog, answer_without_dialog
from bot.lazy import blocking, later, modules_of
from bot.searches import SearchHandler
from bot.uploads import Upload, UploadTable
from forum_ops.members.model import Role
from forum_ops.scheduler import Job, cron
from forum_ops.tor.text import FORMATS as TOR_FORMATS

if TYPE_CHECKING:  # what the editor and mypy see; at run time each is later(...) (bot/lazy.py)
    from bot.commands import announcements, directory, outbox, report, senddata, whoami
    from bot.commands import help as help_
    from bot.commands.asks import commands as asks
    from bot.commands.asks import files
    from bot.commands.inmss import benchmarks, returns
    from bot.commands.meetings import agenda, cycle, takeaway
    from bot.commands.meetings import commands as meetings
    from bot.commands.suppliers import commands as suppliers
    from bot.commands.suppliers import extension
    from bot.commands.tor import commands as tor
    from bot.commands.tor import jobs as tor_jobs
    from forum_ops import housekeeping
    from forum_ops.returns import releases
else:
    announcements = later("bot.commands.announcements")
    directory = later("bot.commands.directory")
    outbox = later("bot.commands.outbox")
    report = later("bot.commands.report")
    senddata = later("bot.commands.senddata")
    whoami = later("bot.commands.whoami")
    help_ = later("bot.commands.help")
    asks = later("bot.commands.asks.commands")
    files = later("bot.commands.asks.files")
    benchmarks = later("bot.commands.inmss.benchmarks")
    returns = later("bot.commands.inmss.returns")
    agenda = later("bot.commands.meetings.agenda")
    cycle = later("bot.commands.meetings.cycle")
    takeaway = later("bot.commands.meetings.takeaway")
    meetings = later("bot.commands.meetings.commands")
    suppliers = later("bot.commands.suppliers.commands")
    extension = later("bot.commands.suppliers.extension")
    tor = later("bot.commands.tor.commands")
    tor_jobs = later("bot.commands.tor.jobs")
    housekeeping = later("forum_ops.housekeeping")
    releases = later("forum_ops.returns.releases")

SECRETARIAT = frozenset({Role.SECRETARIAT})


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    actions: Mapping[str, ActionHandler] = field(default_factory=dict)  # verb -> handler
    dialogs: tuple[LazyDialog, ...] = ()
    uploads: tuple[Upload, ...] = ()  # the files sent in chat it takes (bot/uploads.py)
    searches: Mapping[str, SearchHandler] = field(default_factory=dict)  # extension command id
    jobs: tuple[Job, ...] = ()  # Job(name, rule, handler): the name is its identity in the db

    def handlers(self) -> Iterator[object]:
        """Everything this feature names to be called: commands, actions, dialogs, uploads,
        searches, then jobs."""
        yield from (c.handler for c in self.commands)
        yield from self.actions.values()
        yield from (d.factory for d in self.dialogs)
        yield from (u.handler for u in self.uploads)
        yield from self.searches.values()
        yield from (j.run for j in self.jobs)

    def modules(self) -> Iterator[str]:
        """The modules its turns' handlers live in, to import after start-up (a job's module
        loads with its first run, in the scheduler's thread)."""
        jobs = {id(j.run) for j in self.jobs}
        yield from modules_of(h for h in self.handlers() if id(h) not in jobs)


# fmt: off
FEATURES: tuple[Feature, ...] = (
    Feature("getting-started", commands=(
        Command("help", "help", "what I can do for you", "Getting started",
                help_.show_help, "Help"),
        Command("whoami", "whoami", "your organisation and roles in the forum", "Getting started",
                whoami.show_whoami, "Who am I?"),
    )),
    Feature("suppliers", commands=(
        Command("suppliers", "suppliers <need phase area spaces name>",
                "find specialist schools, e.g. suppliers SEMH secondary South East spaces",
                "Specialist schools", suppliers.find_suppliers,
                "Find schools"),
    ), actions={"suppliers.more": suppliers.more_suppliers},
       searches={"suppliers": extension.search_schools}),  # the manifest's composeExtensions
    Feature("senddata", commands=(
        Command("senddata", "senddata [borough]", "EHC plan trends for a borough against London",
                "SEND data", senddata.show_senddata, "SEND data"),
    )),
    Feature("inmss", commands=(
        Command("benchmark", "benchmark <need phase type area> | benchmark provider <name>",
                "what boroughs pay independent special schools, e.g. benchmark SEMH secondary",
                "INMSS costs", benchmarks.show_benchmark, "Benchmark"),
        Command("top10", "top10",
                "your borough's top 10 INMSS providers by spend and by placements",
                "INMSS costs", benchmarks.show_top10,
                secretariat="top10 <borough>: another borough's"),
        Command("returns", "returns [releases]",
                "the INMSS return template, your borough's returns, and London's releases",
                "INMSS costs", benchmarks.show_returns,
                secretariat="returns release | returns accept|refuse <No.>: release London's "
                "figures now; decide on a held return"),
    ), dialogs=(LazyDialog("returns.period", returns.ReturnPeriod),),
       uploads=(Upload(returns.receive_return, otherwise=True),),  # a file no other takes
       jobs=(
        # 06:00 London daily; it cuts a release only on the month's first working day (DOMAIN 10)
        Job("returns.release", cron(hour=6, minute=0), releases.release_monthly),
    )),
    Feature("round-robin", commands=(
        Command("ask", "ask <question>",
                "ask colleagues in other organisations, e.g. ask #s75 Has anyone a draft S75?",
                "Peer support", asks.open_ask, "Ask the forum"),
        Command("asks", "asks [open|mine|all|search <words>]",
                "asks and their replies; search the archive", "Peer support",
                asks.list_asks, "Open asks",
                secretariat="asks report: who asked, who answered, how fast (1:1)"),
        Command("away", "away [until <date>]", "no asks for you while you are away",
                "Peer support", asks.set_away,
                secretariat="away [until <date>] for <email>: a colleague's"),
        Command("back", "back", "asks can come to you again", "Peer support",
                asks.set_back, secretariat="back for <email>"),
        Command("topics", "topics [add|remove <topic>]",
                "your topics: asks on them come to you first", "Peer support",
                asks.change_topics,
                secretariat="topics [add|remove <topic>] for <email>"),
    ), actions={
        "ask.submit": asks.submit_ask,
        "ask.reply": asks.reply_to_ask,
        "ask.pass": asks.pass_ask,
        "ask.resolve": asks.resolve_ask,
        "ask.close": asks.close_ask,
        "ask.detail": asks.add_detail,
    }, uploads=(Upload(files.receive_ask_file, conversations=("personal",)),),  # a reply's file
       jobs=(
        # every 15 minutes: asks unanswered for 2 working days move on (keys: ask id and route)
        Job("asks.sweep", cron(minute="*/15"), asks.sweep),
        Job("asks.digest", cron(hour=9, minute=0, day_of_week="mon"),  # Mondays 09:00 London
            asks.digest),
    )),
    Feature("secretariat", commands=(
        Command("announce", "announce <text>",
                "post a card to the forum's channel and every member", "Secretariat",
                announcements.make_announcement, roles=SECRETARIAT),
        Command("outbox", "outbox", "message delivery: counts and what could not be delivered",
                "Secretariat", outbox.show_outbox, "Delivery",
                roles=SECRETARIAT),
    )),
    Feature("tor", commands=(
        Command("tor", "tor",
                "the Terms of Reference: the current version, what changed, its ratification",
                "Terms of Reference", tor.show_tor, "ToR",
                secretariat="tor open <version> [<deadline>]: open the vote (send a new version "
                            "as a file in 1:1)"),
    ), actions={"tor.vote": tor.cast_vote,
                "tor.view": tor.view_ballot,
                "tor.read": tor.read_tor},
       uploads=(Upload(tor.receive_tor, suffixes=TOR_FORMATS),),  # a new version, in 1:1
       jobs=(
        Job("tor.remind", cron(hour=9, minute=0), tor_jobs.remind),  # 09:00 daily
        # Votes stop at the deadline to the second (cast_vote checks the clock); the result
        # follows within five minutes. A missed run (the app down) is caught up at the restart.
        Job("tor.close", cron(minute="*/5"), tor_jobs.close),
    )),
    Feature("directory", commands=(
        Command("directory", "directory [words] | directory suggest",
                "networks and best practice, e.g. directory transport; suggest one with a form",
                "Networks and best practice", directory.find_entries,
                "Directory", secretariat="directory pending | directory unchecked"),
        Command("recommendations", "recommendations [number]",
                "the tracker of the 17 recommendations of SEND Commissioning in London",
                "Networks and best practice", directory.show_tracker),
        Command("report", "report quarterly [2026Q1]",
                "the quarterly report to the ALDCS SEND Steering Group (Word and Excel)",
                "Secretariat", report.quarterly_report,
                roles=SECRETARIAT),
    ), actions={
        "directory.suggest": directory.suggest,
        "directory.approve": directory.approve,
        "directory.decline": directory.decline,
        "directory.checked": directory.checked,
        "directory.takeaway": directory.add_takeaway,
        "recommendation.show": directory.show_recommendation,
        "recommendation.update": directory.update_recommendation,
    }, jobs=(
        # 09:00 London on the 14th of January, April, July and October: two weeks before the
        # report on the quarter just ended is due (the 28th; analytics/quarters.py)
        Job("quarterly-report-prompt", cron(month="1,4,7,10", day=14, hour=9),
            report.prompt),
    )),
    Feature("meetings", commands=(
        Command("meetings", "meetings", "the forum's next meetings: theme, chair, join link",
                "Meetings", meetings.show_meetings, "Meetings",
                secretariat="meetings add <date> [<time>][: <theme>] | meetings move <date> to "
                            "<date> [<time>] | meetings cancel <date> | meetings theme <date>: "
                            "<theme>"),
        Command("chair", "chair <date> | chair <date> release",
                "offer to chair that meeting (the secretariat confirms; release: stand down)",
                "Meetings", meetings.volunteer_to_chair,
                secretariat="chair <date> confirm|decline | chair <date> assign <name or email> "
                            "| chair <date> release"),
        Command("schedule", "schedule <date> [<time>]",
                "(chair, secretariat) book or move the Teams meeting", "Meetings",
                meetings.schedule_meeting),
        Command("agenda", "agenda [next|<date>]", "a meeting's agenda, with the SEND Data item",
                "Meetings", agenda.show_agenda, "Agenda"),
        Command("propose", "propose <item>", "propose an item for the next meeting's agenda",
                "Meetings", agenda.propose_item),
        Command("takeaway", "takeaway [latest|<date>]",
                "a meeting's Useful Commissioning Takeaway", "Meetings",
                takeaway.show_takeaway, "Takeaway"),
    ), actions={"agenda.accept": agenda.accept_item,
                "agenda.decline": agenda.decline_item,
                "takeaway.save": takeaway.save_takeaway,
                "takeaway.publish": takeaway.publish_takeaway},
       jobs=(
        # every 15 minutes: each meeting's cycle (forum_ops/meetings/cycle.py: run_cycle)
        Job("meetings.cycle", cron(minute="*/15"), cycle.cycle),
             # every 15 minutes: offers to chair the secretariat left unanswered are taken up
             Job("meetings.chair_offers", cron(minute="*/15"),
                 meetings.settle_offers))),
    Feature("housekeeping", jobs=(  # at start, then hourly
        Job("housekeeping", cron(minute=0), housekeeping.housekeeping, at_start=True),
    )),
)
# fmt: on


# The commands Teams suggests in each place the app is used (the manifest's commandLists, at most
# 10 a scope), each list what people do there, most used first: data and asks in 1:1, the
# forum's business in its channel and in group chats. Commands of one role are never suggested
# to everyone; help lists every command a person may use.
SUGGESTED: Mapping[str, tuple[str, ...]] = {
    "personal": (
        "help",
        "ask",
        "asks",
        "suppliers",
        "benchmark",
        "senddata",
        "returns",
        "meetings",
        "agenda",
        "tor",
    ),
    "team": (
        "help",
        "meetings",
        "agenda",
        "propose",
        "takeaway",
        "tor",
        "directory",
        "recommendations",
        "suppliers",
        "senddata",
    ),
    "groupChat": (
        "help",
        "meetings",
        "agenda",
        "propose",
        "takeaway",
        "suppliers",
        "senddata",
        "directory",
        "recommendations",
        "tor",
    ),
}


@dataclass(frozen=True)
class Routes:
    """Where bot/handler.py sends each turn: built once from the features."""

    commands: CommandTable
    actions: ActionTable
    dialogs: DialogTable
    uploads: UploadTable
    searches: Mapping[str, SearchHandler]


def build_commands(features: tuple[Feature, ...] = FEATURES) -> CommandTable:
    table = CommandTable()
    for feature in features:
        for command in feature.commands:
            table.register(command)
    return table


def build_actions(features: tuple[Feature, ...] = FEATURES) -> ActionTable:
    actions = ActionTable()
    actions.register("command.run", run_command)
    actions.register("dialog.answer", answer_without_dialog)
    for feature in features:
        for verb, handler in feature.actions.items():
            actions.register(verb, handler)
    return actions


def build_dialogs(features: tuple[Feature, ...] = FEATURES) -> DialogTable:
    dialogs = DialogTable()
    for feature in features:
        for dialog in feature.dialogs:
            dialogs.register(dialog)
    return dialogs


def build_searches(features: tuple[Feature, ...] = FEATURES) -> dict[str, SearchHandler]:
    searches: dict[str, SearchHandler] = {}
    for feature in features:
        for command_id, handler in feature.searches.items():
            if command_id in searches:
                raise ValueError(f"the search {command_id} is registered twice")
            searches[command_id] = handler
    return searches


def build_routes(features: tuple[Feature, ...] = FEATURES) -> Routes:
    return Routes(
        build_commands(features),
        build_actions(features),
        build_dialogs(features),
        UploadTable(u for feature in features for u in feature.uploads),
        build_searches(features),
    )


def scheduled_jobs(features: tuple[Feature, ...] = FEATURES) -> tuple[Job, ...]:
    """The features' jobs, each function called as a plain one where the scheduler runs it."""
    return tuple(
        dataclasses.replace(job, run=blocking(job.run)) for f in features for job in f.jobs
    )


def warm_modules(features: tuple[Feature, ...] = FEATURES) -> tuple[str, ...]:
    """Every module the features' handlers need, each once, in the order the features are given."""
    return tuple(dict.fromkeys(m for feature in features for m in feature.modules()))


JOBS = scheduled_jobs()  # what the scheduler runs (bot/scheduler_worker.py)
