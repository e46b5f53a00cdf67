"""Every feature of the bot, registered once: its commands, card actions, dialogs and jobs.

Adding a feature is one entry in FEATURES (README, "Adding a feature"). The command table, the
action table, the dialog table and the scheduler all read this tuple; `help` lists the commands
in the order given here, and the Teams manifest suggests those SUGGESTED names for each scope.
Handlers are named "module:function" (bot/lazy.py): nothing a feature needs is imported until it
is first used or warmed after start-up, so this module and `forumbot serve` stay light.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.command_table import Command, CommandRequest
from bot.lazy import LazyDialog, LazyHandler, LazyJob
from forum_ops import jobs
from forum_ops.members.model import Role
from forum_ops.scheduler import Job, cron

if TYPE_CHECKING:
    from bot.actions import ActionHandler, ActionRequest
    from bot.dialogs import Dialog

SECRETARIAT = frozenset({Role.SECRETARIAT})


def command(target: str) -> LazyHandler[CommandRequest]:
    return LazyHandler(target)


def action(target: str) -> LazyHandler[ActionRequest]:
    return LazyHandler(target)


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    actions: Mapping[str, ActionHandler] = field(default_factory=dict)  # verb -> handler
    dialogs: tuple[Dialog, ...] = ()
    jobs: tuple[Job, ...] = ()
    warm: tuple[str, ...] = ()  # modules used outside commands (uploads, search): warmed too

    def modules(self) -> Iterator[str]:
        """The modules this feature's handlers live in, to import after start-up."""
        handlers = [c.handler for c in self.commands] + [*self.actions.values(), *self.dialogs]
        yield from (h.module for h in handlers if isinstance(h, LazyHandler | LazyDialog))
        yield from self.warm


# fmt: off
FEATURES: tuple[Feature, ...] = (
    Feature("getting-started", commands=(
        Command("help", "help", "what I can do for you", "Getting started",
                command("bot.commands.help:show_help"), "Help"),
        Command("whoami", "whoami", "your organisation and roles in the forum", "Getting started",
                command("bot.commands.whoami:show_whoami"), "Who am I?"),
    )),
    Feature("suppliers", commands=(
        Command("suppliers", "suppliers <need phase area spaces name>",
                "find specialist schools, e.g. suppliers SEMH secondary South East spaces",
                "Specialist schools", command("bot.commands.suppliers.commands:find_suppliers"),
                "Find schools"),
    ), actions={"suppliers.more": action("bot.commands.suppliers.commands:more_suppliers")},
       warm=("bot.commands.suppliers.extension",)),  # the message extension's search (bot/handler.py)
    Feature("senddata", commands=(
        Command("senddata", "senddata [borough]", "EHC plan trends for a borough against London",
                "SEND data", command("bot.commands.senddata:show_senddata"), "SEND data"),
    )),
    Feature("inmss", commands=(
        Command("benchmark", "benchmark <need phase type area> | benchmark provider <name>",
                "what boroughs pay independent special schools, e.g. benchmark SEMH secondary",
                "INMSS costs", command("bot.commands.benchmarks:show_benchmark"), "Benchmark"),
        Command("top10", "top10",
                "your borough's top 10 INMSS providers by spend and by placements",
                "INMSS costs", command("bot.commands.benchmarks:show_top10"),
                secretariat="top10 <borough>: another borough's"),
        Command("returns", "returns [releases]",
                "the INMSS return template, your borough's returns, and London's releases",
                "INMSS costs", command("bot.commands.benchmarks:show_returns"),
                secretariat="returns release | returns accept|refuse <No.>: release London's "
                "figures now; decide on a held return"),
    ), dialogs=(LazyDialog("returns.period", "bot.dialogs.return_period:ReturnPeriod"),),
       warm=("bot.commands.returns",),  # a return file sent in chat, and the template's download
       jobs=(jobs.RELEASE,)),  # London's figures released on each month's first working day
    Feature("round-robin", commands=(
        Command("ask", "ask <question>",
                "ask colleagues in other organisations, e.g. ask #s75 Has anyone a draft S75?",
                "Peer support", command("bot.commands.asks.commands:open_ask"), "Ask the forum"),
        Command("asks", "asks [open|mine|all|search <words>]",
                "asks and their replies; search the archive", "Peer support",
                command("bot.commands.asks.commands:list_asks"), "Open asks",
                secretariat="asks report: who asked, who answered, how fast (1:1)"),
        Command("away", "away [until <date>]", "no asks for you while you are away",
                "Peer support", command("bot.commands.asks.commands:set_away"),
                secretariat="away [until <date>] for <email>: a colleague's"),
        Command("back", "back", "asks can come to you again", "Peer support",
                command("bot.commands.asks.commands:set_back"), secretariat="back for <email>"),
        Command("topics", "topics [add|remove <topic>]",
                "your topics: asks on them come to you first", "Peer support",
                command("bot.commands.asks.commands:change_topics"),
                secretariat="topics [add|remove <topic>] for <email>"),
    ), actions={
        "ask.submit": action("bot.commands.asks.commands:submit_ask"),
        "ask.reply": action("bot.commands.asks.commands:reply_to_ask"),
        "ask.pass": action("bot.commands.asks.commands:pass_ask"),
        "ask.resolve": action("bot.commands.asks.commands:resolve_ask"),
        "ask.close": action("bot.commands.asks.commands:close_ask"),
        "ask.detail": action("bot.commands.asks.commands:add_detail"),
    }, warm=("bot.commands.asks.files",),  # a file sent in 1:1 as a reply (bot/handler.py)
       jobs=(
        # every 15 minutes: asks unanswered for 2 working days move on (keys: ask id and route)
        Job("asks.sweep", cron(minute="*/15"), LazyJob("bot.commands.asks.commands:sweep")),
        Job("asks.digest", cron(hour=9, minute=0, day_of_week="mon"),  # Mondays 09:00 London
            LazyJob("bot.commands.asks.commands:digest")),
    )),
    Feature("secretariat", commands=(
        Command("announce", "announce <text>",
                "post a card to the forum's channel and every member", "Secretariat",
                command("bot.commands.announcements:make_announcement"), roles=SECRETARIAT),
        Command("outbox", "outbox", "message delivery: counts and what could not be delivered",
                "Secretariat", command("bot.commands.outbox:show_outbox"), "Delivery",
                roles=SECRETARIAT),
    )),
    Feature("tor", commands=(
        Command("tor", "tor",
                "the Terms of Reference: the current version, what changed, its ratification",
                "Terms of Reference", command("bot.commands.tor.commands:show_tor"), "ToR",
                secretariat="tor open <version> [<deadline>]: open the vote (send a new version "
                            "as a file in 1:1)"),
    ), actions={"tor.vote": action("bot.commands.tor.commands:cast_vote"),
                "tor.view": action("bot.commands.tor.commands:view_ballot"),
                "tor.read": action("bot.commands.tor.commands:read_tor")},
       jobs=(
        Job("tor.remind", cron(hour=9, minute=0), LazyJob("bot.commands.tor.jobs:remind")),  # 09:00 daily
        # Votes stop at the deadline to the second (cast_vote checks the clock); the result
        # follows within five minutes. A missed run (the app down) is caught up at the restart.
        Job("tor.close", cron(minute="*/5"), LazyJob("bot.commands.tor.jobs:close")),
    )),
    Feature("directory", commands=(
        Command("directory", "directory [words] | directory suggest",
                "networks and best practice, e.g. directory transport; suggest one with a form",
                "Networks and best practice", command("bot.commands.directory:find_entries"),
                "Directory", secretariat="directory pending | directory unchecked"),
        Command("recommendations", "recommendations [number]",
                "the tracker of the 17 recommendations of SEND Commissioning in London",
                "Networks and best practice", command("bot.commands.directory:show_tracker")),
        Command("report", "report quarterly [2026Q1]",
                "the quarterly report to the ALDCS SEND Steering Group (Word and Excel)",
                "Secretariat", command("bot.commands.report:quarterly_report"),
                roles=SECRETARIAT),
    ), actions={
        "directory.suggest": action("bot.commands.directory:suggest"),
        "directory.approve": action("bot.commands.directory:approve"),
        "directory.decline": action("bot.commands.directory:decline"),
        "directory.checked": action("bot.commands.directory:checked"),
        "directory.takeaway": action("bot.commands.directory:add_takeaway"),
        "recommendation.show": action("bot.commands.directory:show_recommendation"),
        "recommendation.update": action("bot.commands.directory:update_recommendation"),
    }, jobs=(jobs.QUARTERLY_REPORT_PROMPT,)),
    Feature("meetings", commands=(
        Command("meetings", "meetings", "the forum's next meetings: theme, chair, join link",
                "Meetings", command("bot.commands.meetings.commands:show_meetings"), "Meetings",
                secretariat="meetings add <date> [<time>][: <theme>] | meetings move <date> to "
                            "<date> [<time>] | meetings cancel <date> | meetings theme <date>: "
                            "<theme>"),
        Command("chair", "chair <date> | chair <date> release",
                "offer to chair that meeting (the secretariat confirms; release: stand down)",
                "Meetings", command("bot.commands.meetings.commands:volunteer_to_chair"),
                secretariat="chair <date> confirm|decline | chair <date> assign <name or email> "
                            "| chair <date> release"),
        Command("schedule", "schedule <date> [<time>]",
                "(chair, secretariat) book or move the Teams meeting", "Meetings",
                command("bot.commands.meetings.commands:schedule_meeting")),
        Command("agenda", "agenda [next|<date>]", "a meeting's agenda, with the SEND Data item",
                "Meetings", command("bot.commands.meetings.agenda:show_agenda"), "Agenda"),
        Command("propose", "propose <item>", "propose an item for the next meeting's agenda",
                "Meetings", command("bot.commands.meetings.agenda:propose_item")),
        Command("takeaway", "takeaway [latest|<date>]",
                "a meeting's Useful Commissioning Takeaway", "Meetings",
                command("bot.commands.meetings.takeaway:show_takeaway"), "Takeaway"),
    ), actions={"agenda.accept": action("bot.commands.meetings.agenda:accept_item"),
                "agenda.decline": action("bot.commands.meetings.agenda:decline_item"),
                "takeaway.save": action("bot.commands.meetings.takeaway:save_takeaway"),
                "takeaway.publish": action("bot.commands.meetings.takeaway:publish_takeaway")},
       jobs=(jobs.meetings_cycle(LazyJob("bot.commands.meetings.cycle:cycle")),
             # every 15 minutes: offers to chair the secretariat left unanswered are taken up
             Job("meetings.chair_offers", cron(minute="*/15"),
                 LazyJob("bot.commands.meetings.commands:settle_offers")))),
    Feature("housekeeping", jobs=(jobs.HOUSEKEEPING,)),
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


def scheduled_jobs(features: tuple[Feature, ...] = FEATURES) -> tuple[Job, ...]:
    return tuple(job for feature in features for job in feature.jobs)


def warm_modules(features: tuple[Feature, ...] = FEATURES) -> tuple[str, ...]:
    """Every module the features' handlers need, each once, in the order the features are given."""
    return tuple(dict.fromkeys(m for feature in features for m in feature.modules()))


JOBS = scheduled_jobs()  # what the scheduler runs (bot/scheduler_worker.py)
