"""Every feature of the bot, registered once: its commands, card actions, dialogs and jobs.

Adding a feature is one entry in FEATURES (README, "Adding a feature"). The command table, the
action table, the dialog table and the scheduler all read this tuple, and the Teams manifest lists
the commands in the order given here. Handlers are named "module:function" (bot/lazy.py): nothing a
feature needs is imported until it is first used or warmed after start-up, so this module and
`forumbot serve` stay light.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.commands.table import Command, CommandRequest
from bot.lazy import LazyDialog, LazyHandler
from bot.meeting_cycle import MEETING_CYCLE
from forum_ops import jobs
from forum_ops.model import Role
from forum_ops.scheduler import Job

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
                "Specialist schools", command("bot.commands.suppliers:find_suppliers"),
                "Find schools"),
    ), actions={"suppliers.more": action("bot.commands.suppliers:more_suppliers")},
       warm=("bot.suppliers",)),  # the message extension's search (bot/handler.py)
    Feature("senddata", commands=(
        Command("senddata", "senddata [borough]", "EHC plan trends for a borough against London",
                "SEND data", command("bot.commands.senddata:show_senddata"), "SEND data"),
    )),
    Feature("inmss", commands=(
        Command("benchmark", "benchmark <need phase type area> | benchmark provider <name>",
                "what boroughs pay independent special schools, e.g. benchmark SEMH secondary",
                "INMSS costs", command("bot.commands.benchmark:show_benchmark"), "Benchmark"),
        Command("top10", "top10 [borough]",
                "your borough's top 10 INMSS providers by spend and by placements",
                "INMSS costs", command("bot.commands.benchmark:show_top10")),
        Command("returns", "returns",
                "the INMSS return template, and how to send your borough's return",
                "INMSS costs", command("bot.commands.benchmark:show_returns")),
    ), dialogs=(LazyDialog("returns.period", "bot.dialogs.return_period:ReturnPeriod"),),
       warm=("bot.returns",)),  # a return file sent in chat, and the template's download
    Feature("secretariat", commands=(
        Command("announce", "announce <text>",
                "post a card to the forum's channel and every member", "Secretariat",
                command("bot.commands.announce:make_announcement"), roles=SECRETARIAT),
        Command("outbox", "outbox", "message delivery: counts and what could not be delivered",
                "Secretariat", command("bot.commands.outbox:show_outbox"), "Delivery",
                roles=SECRETARIAT),
    )),
    Feature("meetings", commands=(
        Command("meetings", "meetings", "the forum's next meetings: theme, chair, join link",
                "Meetings", command("bot.commands.meetings:show_meetings"), "Meetings"),
        Command("chair", "chair <date>", "volunteer to chair that meeting", "Meetings",
                command("bot.commands.meetings:volunteer_to_chair")),
        Command("schedule", "schedule <date> [<time>]",
                "(chair, secretariat) book or move the Teams meeting", "Meetings",
                command("bot.commands.meetings:schedule_meeting")),
        Command("agenda", "agenda [next|<date>]", "a meeting's agenda, with the SEND Data item",
                "Meetings", command("bot.commands.agenda:show_agenda"), "Agenda"),
        Command("propose", "propose <item>", "propose an item for the next meeting's agenda",
                "Meetings", command("bot.commands.agenda:propose_item")),
        Command("takeaway", "takeaway [latest|<date>]",
                "a meeting's Useful Commissioning Takeaway", "Meetings",
                command("bot.commands.takeaway:show_takeaway"), "Takeaway"),
    ), actions={"agenda.accept": action("bot.commands.agenda:accept_item"),
                "agenda.decline": action("bot.commands.agenda:decline_item"),
                "takeaway.save": action("bot.commands.takeaway:save_takeaway"),
                "takeaway.publish": action("bot.commands.takeaway:publish_takeaway")},
       jobs=(MEETING_CYCLE,)),
    Feature("housekeeping", jobs=(jobs.HOUSEKEEPING,)),
)
# fmt: on


def scheduled_jobs(features: tuple[Feature, ...] = FEATURES) -> tuple[Job, ...]:
    return tuple(job for feature in features for job in feature.jobs)


def warm_modules(features: tuple[Feature, ...] = FEATURES) -> tuple[str, ...]:
    """Every module the features' handlers need, each once, in the order the features are given."""
    return tuple(dict.fromkeys(m for feature in features for m in feature.modules()))


JOBS = scheduled_jobs()  # what the scheduler runs (bot/scheduler_worker.py)
