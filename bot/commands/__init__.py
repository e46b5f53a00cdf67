"""Each feature's Teams glue, one module or package per feature (commands, card actions, dialogs,
uploads, searches, jobs), declared once in bot/features.py (SPEC section 4). A feature imports no
other feature's: what two share is bot/'s plumbing or the domain's (import-linter keeps it so)."""

from bot.command_table import Command, CommandRequest, CommandTable, split_command

__all__ = ["Command", "CommandRequest", "CommandTable", "split_command"]
