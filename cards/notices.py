"""View models for the secretariat's commands and the member's own details: `announce`,
`outbox`, `whoami` and `help`, written from the services' results."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol

from cards.format import british_datetime, count
from cards.render import Card, render_card
from cards.views.common import (
    AnnouncementView,
    DeadLetterLine,
    Fact,
    HelpView,
    NoticeView,
    OutboxView,
    Person,
    QuickAction,
    WhoamiView,
)
from cards.views.meetings import MeetingInfo

MOST_QUICK_ACTIONS = 4  # what fits on one row of a 500 px card without cutting a label
LAST_SECTION = "Getting started"  # help and whoami: listed after what people come for


class Report(Protocol):
    """An announcement's outcome (forum_ops.announcements.service.AnnouncementReport)."""

    @property
    def channel(self) -> bool: ...
    @property
    def members(self) -> int: ...
    @property
    def opening(self) -> int: ...
    @property
    def unreachable(self) -> int: ...


class Undelivered(Protocol):
    """A message that could not be delivered (forum_ops.outbox.queue.DeadLetter)."""

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
    """A command as help lists it (bot.command_table.Command)."""

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
    def roles(self) -> Collection[str]: ...
    @property
    def secretariat(self) -> str: ...


def roles_of(member: Person) -> str:
    return ", ".join(sorted(role.label for role in member.roles))


def announcement_view(text: str, author: Person, when: datetime) -> AnnouncementView:
    return AnnouncementView(
        text, f"{author.name}, {author.organisation.name}", british_datetime(when)
    )


class AnnouncementCards:
    """The announcements' presenter (forum_ops/announcements/service.py's port)."""

    def announcement(self, text: str, author: Person, at: datetime) -> Card:
        return render_card("announcement", announcement_view(text, author, at))


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


def whoami_view(member: Person) -> WhoamiView:
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


def help_view(
    member: Person,
    visible: Iterable[Listed],
    conversation_kind: str,
    chairing: MeetingInfo | None = None,
) -> HelpView:
    """A menu of what this member can do: each section's commands by name, the secretariat's
    own commands (theirs only), the meeting they chair, and a few buttons."""
    listed = list(visible)
    sections: dict[str, list[str]] = {}
    for command in listed:
        if not command.roles:
            sections.setdefault(command.section, []).append(command.name)
    last = sections.pop(LAST_SECTION, None)
    if last:
        sections[LAST_SECTION] = last
    staff: tuple[Fact, ...] = ()
    if member.is_secretariat:
        staff = tuple(
            Fact(c.name, c.secretariat or c.usage) for c in listed if c.roles or c.secretariat
        )
    return HelpView(
        for_whom=f"For {member.name} ({member.organisation.name}), as {roles_of(member)}.",
        sections=tuple(Fact(title, ", ".join(names)) for title, names in sections.items()),
        quick_actions=quick_actions(listed, MOST_QUICK_ACTIONS - 1),  # and "Ask the forum"
        how_to_talk=(
            "Type help and a command for how to use it, for example: help benchmark. "
            + how_to_talk(conversation_kind)
        ),
        chairing=chair_line(chairing) if chairing else "",
        secretariat=staff,
        ask=any(c.name == "ask" for c in listed),
    )


def chair_line(meeting: MeetingInfo) -> str:
    day = f"{meeting.day.day} {meeting.day:%b}"
    return (
        f"You chair the meeting on {british_datetime(meeting.starts_at)}"
        f"{f' ({meeting.theme})' if meeting.theme else ''}: schedule {day} books the Teams "
        f"meeting, proposals for it come to you to accept or decline, and after it I send you "
        f"the takeaway form."
    )


def command_help(command: Listed, member: Person) -> NoticeView:
    """`help <command>`: its syntax, and the secretariat's own forms for the secretariat."""
    facts: tuple[Fact, ...] = (Fact("Type", command.usage),)
    if member.is_secretariat and command.secretariat:
        facts += (Fact("Secretariat", command.secretariat),)
    return NoticeView(f"{command.name}: {command.section}", command.summary, facts)


def quick_actions(listed: list[Listed], most: int = MOST_QUICK_ACTIONS) -> tuple[QuickAction, ...]:
    """Up to `most` buttons, in the help's order: a role's own commands (the secretariat's)
    first in line for a place, then everyone's; not help itself, whoami or ask (the card's
    "Ask the forum" form)."""
    offered = [c for c in listed if c.button and c.name not in ("help", "whoami", "ask")]
    chosen = sorted(offered, key=lambda c: not c.roles)[:most]
    return tuple(QuickAction(c.name, c.button) for c in offered if c in chosen)
