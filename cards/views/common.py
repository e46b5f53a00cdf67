"""View models: what each card template shows, as plain frozen dataclasses; and the values
every feature's views share: London's time zone, a file offered beside a card, a person."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")  # the forum's dates and times: the one definition


@dataclass(frozen=True)
class FileOffer:
    """A kept file offered to one member beside a card (forum_ops/report_files.py): what a
    Teams file consent card shows and carries back. Sent by bot/replies.py."""

    token: str  # the kept file's key, carried in the card's accept and decline contexts
    filename: str
    size: int  # bytes
    description: str  # what the file is, in words


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


class OrganisationShown(Protocol):
    """What a card reads of an organisation (forum_ops.members.model.Organisation is one)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def inner_outer(self) -> str | None: ...
    @property
    def subregion(self) -> str | None: ...


class Person(Protocol):
    """What a card reads of a member (forum_ops.members.model.Member is one): structural, so
    cards name a member without importing the domain."""

    @property
    def aad_object_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def organisation(self) -> OrganisationShown: ...
    @property
    def roles(self) -> Collection[Labelled]: ...
    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def is_secretariat(self) -> bool: ...


@dataclass(frozen=True)
class QuickAction:
    name: str  # the command it runs
    title: str  # the button's label
    args: str = ""  # the words it runs the command with (a typo's suggestion keeps them)


@dataclass(frozen=True)
class WelcomeView:
    greeting: str
    how_to_talk: str


@dataclass(frozen=True)
class HelpView:
    """`help`: a menu, not a reference (`help <command>` gives a command's syntax)."""

    for_whom: str
    sections: tuple[Fact, ...]  # a section's title, and its commands' names
    quick_actions: tuple[QuickAction, ...]
    how_to_talk: str
    chairing: str = ""  # the meeting this member chairs, and what that asks of them
    secretariat: tuple[Fact, ...] = ()  # the secretariat's commands: name, forms
    ask: bool = True  # the "Ask the forum" form


@dataclass(frozen=True)
class WhoamiView:
    name: str
    organisation: str
    area: str
    roles: str
    topics: str
    email: str


@dataclass(frozen=True)
class NotUnderstoodView:
    said: str
    suggestion: str
    closest: tuple[QuickAction, ...]


@dataclass(frozen=True)
class ErrorView:
    title: str
    message: str
    reference: str = ""


@dataclass(frozen=True)
class JoinView:
    aad_object_id: str


@dataclass(frozen=True)
class Fact:
    title: str
    value: str


@dataclass(frozen=True)
class NoticeView:
    """A short message from the assistant: a title, a sentence or two, optional facts."""

    title: str
    message: str
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class AnnouncementView:
    text: str
    author: str
    when: str


@dataclass(frozen=True)
class DeadLetterLine:
    purpose: str
    where: str
    attempts: int
    error: str
    when: str


@dataclass(frozen=True)
class OutboxView:
    counts: tuple[Fact, ...]
    dead: tuple[DeadLetterLine, ...]
    meetings: tuple[Fact, ...] = ()  # the meetings' cycle: delivery per meeting


@dataclass(frozen=True)
class SendDataView:
    title: str
    subtitle: str
    facts: tuple[Fact, ...]
    chart_url: str
    chart_alt: str
    source: str


@dataclass(frozen=True)
class SchoolLine:
    name: str
    link: str  # the school's GIAS page
    summary: str  # type, authority, ages
    details: str  # needs, capacity, places, Ofsted, distance


@dataclass(frozen=True)
class SuppliersView:
    title: str
    subtitle: str
    schools: tuple[SchoolLine, ...]
    advice: str
    more_query: str  # empty: no more results
    more_offset: int


@dataclass(frozen=True)
class ReportTable:
    """A titled table: the first row is the header; `note` says what a reader must know."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReportView:
    """Figures with a chart: benchmarks, top providers, a return's validation."""

    title: str
    subtitle: str
    tables: tuple[ReportTable, ...] = ()
    lines: tuple[str, ...] = ()  # sentences after the tables (rate variation, next steps)
    chart_url: str = ""
    chart_alt: str = ""
    source: str = ""
    link_title: str = ""  # an Action.OpenUrl, e.g. the return template
    link_url: str = ""


@dataclass(frozen=True)
class Answer:
    title: str  # the button's label
    value: str  # what answering with it says


@dataclass(frozen=True)
class Choice:
    """One of several things a command could mean: a line describing it and a button that runs
    the command again for it alone."""

    title: str  # the button's label
    described: str
    command: str
    args: str


@dataclass(frozen=True)
class ChoicesView:
    title: str
    message: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class QuestionView:
    """A dialog's question: typed answers work too; the buttons offer the likely ones."""

    title: str
    message: str
    answers: tuple[Answer, ...] = ()
