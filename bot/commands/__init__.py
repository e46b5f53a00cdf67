"""Text commands: one file per feature, registered once in bot/features.py (SPEC section 4)."""

from bot.command_table import Command, CommandRequest, CommandTable, split_command

__all__ = ["Command", "CommandRequest", "CommandTable", "build_commands", "split_command"]


def build_commands() -> CommandTable:
    from bot.features import FEATURES  # imported here: bot.features imports the command table

    table = CommandTable()
    for feature in FEATURES:
        for command in feature.commands:
            table.register(command)
    return table
