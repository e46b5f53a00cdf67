"""Errors of the transport.

ForumError (forum_ops.errors)   shown to the user as an error card, in one turn-error handler
└── UnknownAction               a card action whose verb or data we don't know: a stale or
                                forged card; refused without touching anything
"""

from forum_ops.errors import ForumError


class UnknownAction(ForumError):
    def __init__(self) -> None:
        super().__init__("I don't recognise that button any more. Type help to see what I can do.")
