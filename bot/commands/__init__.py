"""Text commands: one file per feature, registered explicitly here (SPEC section 4)."""

from bot.commands.help import show_help
from bot.commands.table import Command, CommandRequest, CommandTable, split_command
from bot.commands.whoami import show_whoami

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
    return table
