"""Text commands: one file per feature, registered explicitly here (SPEC section 4)."""

from bot.commands.announce import make_announcement
from bot.commands.benchmark import show_benchmark, show_returns, show_top10
from bot.commands.help import show_help
from bot.commands.outbox import show_outbox
from bot.commands.senddata import show_senddata
from bot.commands.suppliers import find_suppliers
from bot.commands.table import Command, CommandRequest, CommandTable, split_command
from bot.commands.whoami import show_whoami
from forum_ops.model import Role

__all__ = ["Command", "CommandRequest", "CommandTable", "build_commands", "split_command"]


def build_commands() -> CommandTable:
    table = CommandTable()
    table.register(
        Command("help", "help", "what I can do for you", "Getting started", show_help, "Help")
    )
    table.register(
        Command(
            "whoami",
            "whoami",
            "your organisation and roles in the forum",
            "Getting started",
            show_whoami,
            "Who am I?",
        )
    )
    table.register(
        Command(
            "suppliers",
            "suppliers <need phase area spaces name>",
            "find specialist schools, e.g. suppliers SEMH secondary South East spaces",
            "Specialist schools",
            find_suppliers,
            "Find schools",
        )
    )
    table.register(
        Command(
            "senddata",
            "senddata [borough]",
            "EHC plan trends for a borough against London",
            "SEND data",
            show_senddata,
            "SEND data",
        )
    )
    table.register(
        Command(
            "benchmark",
            "benchmark <need phase type area> | benchmark provider <name>",
            "what boroughs pay independent special schools, e.g. benchmark SEMH secondary",
            "INMSS costs",
            show_benchmark,
            "Benchmark",
        )
    )
    table.register(
        Command(
            "top10",
            "top10 [borough]",
            "your borough's top 10 INMSS providers by spend and by placements",
            "INMSS costs",
            show_top10,
        )
    )
    table.register(
        Command(
            "returns",
            "returns",
            "the INMSS return template, and how to send your borough's return",
            "INMSS costs",
            show_returns,
        )
    )
    secretariat = frozenset({Role.SECRETARIAT})
    table.register(
        Command(
            "announce",
            "announce <text>",
            "post a card to the forum's channel and every member",
            "Secretariat",
            make_announcement,
            roles=secretariat,
        )
    )
    table.register(
        Command(
            "outbox",
            "outbox",
            "message delivery: counts and what could not be delivered",
            "Secretariat",
            show_outbox,
            "Delivery",
            roles=secretariat,
        )
    )
    return table
