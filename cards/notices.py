"""View models for the secretariat's commands and the member's own details: `announce`,
`outbox`, `whoami` and `help`, written from the services' results."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from cards.format import british_datetime, count
from cards.views import (
    AnnouncementView,
    CommandLine,
    DeadLetterLine,
    Fact,
    HelpSection,
    HelpView,
    NoticeView,
    OutboxView,
    QuickAction,
    WhoamiView,
)
from forum_ops.model import Member, Role

MOST_QUICK_ACTIONS = 4  # what fits on one row of a 500 px card without cutting a label


class Report(Protocol):
    """An announcement's outcome (forum_ops.announcements.AnnouncementReport)."""

    @property
    def channel(self) -> bool: ...
    @property
    def members(self) -> int: ...
    @property
    def opening(self) -> int: ...
    @property
    def unreachable(self) -> int: ...


class Undelivered(Protocol):
    """A message that could not be delivered (forum_ops.outbox.DeadLetter)."""

    @property
    def purpose(self) -> str: ...
    @property
    def conversation_kind(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def last_error(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...


class Listed(Protocol):
    """A command as help lists it (bot.commands.table.Command)."""

    @property
    def name(self) -> str: ...
    @property
    def usage(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def button(self) -> str: ...
    @property
    def roles(self) -> frozenset[Role]: ...


def roles_of(member: Member) -> str:
    return ", ".join(sorted(role.label for role in member.roles))


def announcement_view(text: str, author: Member, when: datetime) -> AnnouncementView:
    return AnnouncementView(
        text, f"{author.name}, {author.organisation.name}", british_datetime(when)
    )


def announced_view(report: Report) -> NoticeView:
    facts: tuple[Fact, ...] = (
        Fact(
            "Forum channel",
            "yes" if report.channel else "not known yet: add me to the forum's team",
        ),
        Fact("Members 1:1", count(report.members)),
        Fact("New 1:1 chats", f"{count(report.opening)} (opened from the forum's team)"),
    )
    if report.unreachable:
        facts += (
            Fact(
                "Members not reachable 1:1",
                f"{count(report.unreachable)} (no chat with me yet, and no team to open one from)",
            ),
        )
    return NoticeView("Announcement queued", "It is on its way.", facts)


def outbox_view(counts: Iterable[tuple[str, int]], dead: Iterable[Undelivered]) -> OutboxView:
    return OutboxView(
        counts=tuple(Fact(str(status), str(n)) for status, n in counts),
        dead=tuple(
            DeadLetterLine(
                d.purpose,
                f"{d.conversation_kind} chat" if d.conversation_kind != "channel" else "channel",
                d.attempts,
                d.last_error,
                british_datetime(d.updated_at),
            )
            for d in dead
        ),
    )


def whoami_view(member: Member) -> WhoamiView:
    org = member.organisation
    area = ", ".join(
        part
        for part in (
            org.subregion and f"{org.subregion} London",
            org.inner_outer and f"{org.inner_outer} London",
        )
        if part
    )
    return WhoamiView(
        name=member.name,
        organisation=org.name if org.code == org.name else f"{org.name} ({org.code})",
        area=area,
        roles=roles_of(member),
        topics=", ".join(member.topics) or "none recorded",
        email=member.email,
    )


def how_to_talk(conversation_kind: str) -> str:
    if conversation_kind == "personal":
        return "Type a command here, for example: help"
    return "In a channel, @mention me before the command, for example: @SEND Forum help"


def help_view(member: Member, visible: Iterable[Listed], conversation_kind: str) -> HelpView:
    """The commands this member may use, by section, and up to five as buttons."""
    listed = list(visible)
    sections: dict[str, list[CommandLine]] = {}
    for command in listed:
        sections.setdefault(command.section, []).append(CommandLine(command.usage, command.summary))
    return HelpView(
        for_whom=f"For {member.name} ({member.organisation.name}), as {roles_of(member)}.",
        sections=tuple(HelpSection(title, tuple(lines)) for title, lines in sections.items()),
        quick_actions=quick_actions(listed),
        how_to_talk=how_to_talk(conversation_kind),
    )


def quick_actions(listed: list[Listed]) -> tuple[QuickAction, ...]:
    """Up to MOST_QUICK_ACTIONS buttons, in the help's order: a role's own commands (the
    secretariat's) first in line for a place, then everyone's."""
    offered = [c for c in listed if c.button and c.name != "help"]
    chosen = sorted(offered, key=lambda c: not c.roles)[:MOST_QUICK_ACTIONS]
    return tuple(QuickAction(c.name, c.button) for c in offered if c in chosen)
