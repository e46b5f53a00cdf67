"""Every error the forum refuses with, in one tree: a handler catches ForumError and shows its
message, which is written for the person who caused it (never a stack trace, never a secret).

ForumError                  anything the forum refuses; its message is safe to show a user
├── NotRegistered           the Teams user is not in the membership registry
├── NotAllowed              the user's roles do not permit the action
├── UnknownAction           a card's button names nothing we know (old, or forged)
├── ImportRejected          a file was refused as a whole; `problems` lists every bad line
├── LimitExceeded           a file's reader ran out of memory or time in its sandbox
├── BadDate                 a date or time that cannot be read, or does not exist in London
├── UnknownAuthority        no London authority fits what was typed, or several do
├── NotReachable            no conversation for that member, channel or message
├── CalendarUnavailable     Graph refused or failed to book, move or cancel a meeting
├── NoMeetingThatDay        a date with no meeting (`meetings` lists those there are)
├── NoTakeawayYet           nothing published yet (and the meeting whose takeaway comes next)
├── UnknownRatification     no ToR version or ratification of that number
├── UnreadableToR           a ToR file that cannot be a version
├── VoteRefused             a vote that cannot stand
├── NoDirectory             the supplier directory has not been imported
├── MassClosure             a GIAS extract that would close too many schools at once
└── NoSendData              the DfE SEN2 release has not been imported

Errors that are not refusals stay beside the code that raises and catches them: a lost lease
(forum_ops/scheduler/runner.py), a redelivered turn (forum_ops/turns.py), the transport's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cards.views.meetings import MeetingInfo


class ForumError(Exception):
    """Base class; the message is written for the person who caused it."""


class NotRegistered(ForumError):
    pass


class NotAllowed(ForumError):
    pass


class UnknownAction(ForumError):
    def __init__(self) -> None:
        super().__init__("I don't recognise that button any more. Type help to see what I can do.")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one line of an imported file."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class ImportRejected(ForumError):
    def __init__(self, what: str, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{what} was not imported: {len(problems)} problem(s) found")


class LimitExceeded(ForumError):
    """The child ran out of memory or time, or died: the file cannot be read safely."""


class BadDate(ForumError):
    """A date or time typed that could not be read, or does not exist in London."""


class UnknownAuthority(ForumError):
    """Nothing fits what was typed, or more than one authority does; the message names the
    closest, so the person can say which they meant."""

    def __init__(self, typed: str, closest: tuple[str, ...], ambiguous: bool) -> None:
        self.typed, self.closest, self.ambiguous = typed, closest, ambiguous
        shown = typed.strip()[:80]
        names = list(closest)
        options = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
        if ambiguous:
            message = f"“{shown}” could be {options}: which did you mean?"
        else:
            closest_are = f" The closest {'are' if len(names) > 1 else 'is'} {options}."
            message = (
                f"I don't know a London borough called “{shown}”.{closest_are if names else ''}"
                " Try a name such as Camden, or a DfE LA code such as 202."
            )
        super().__init__(message)


class NotReachable(ForumError):
    """The messenger knows no conversation for that member, channel or message."""


class CalendarUnavailable(ForumError):
    """The calendar refused or failed (Graph 403, 429 after retries, 5xx); the message says
    so in words for the chair."""


class NoMeetingThatDay(ForumError):
    """A date with no meeting: the card lists the meetings there are."""

    def __init__(self, message: str, meetings: tuple[MeetingInfo, ...]) -> None:
        super().__init__(message)
        self.meetings = meetings


class NoTakeawayYet(ForumError):
    """Nothing published to show: not a mistake, said plainly with the next meeting (whose
    takeaway comes next), or None when none is planned."""

    def __init__(self, message: str, next_meeting: MeetingInfo | None) -> None:
        super().__init__(message)
        self.next_meeting = next_meeting


class UnknownRatification(ForumError):
    """No ratification (or version) of that number."""


class UnreadableToR(ForumError):
    """A ToR file that cannot be a version; the message says why."""


class VoteRefused(ForumError):
    """A vote that cannot stand; the message says why, for the voter's card."""


class NoDirectory(ForumError):
    def __init__(self) -> None:
        super().__init__(
            "The supplier directory is empty: the secretariat can import the GIAS extract."
        )


class MassClosure(ForumError):
    """The new snapshot would close more of the directory's schools than allowed."""

    def __init__(self, closed: int, left: int, before: int, most: float) -> None:
        self.closed, self.left, self.before, self.most = closed, left, before, most
        super().__init__(
            f"This extract would close {closed:,} of the {before:,} schools in the "
            f"directory ({closed / before:.0%}; at most {most:.0%} may close in one "
            f"import), leaving {left:,}: it looks incomplete"
        )


class NoSendData(ForumError):
    def __init__(self) -> None:
        super().__init__(
            "No SEND data has been imported yet: the secretariat can import the DfE release."
        )
