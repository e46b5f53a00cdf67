"""The directory's and the recommendations tracker's views (forum_ops/directory/ builds them;
cards/directory.py shows them): an entry, a page of entries, the tracker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    FORMAL_NETWORK = "formal network"
    INFORMAL_NETWORK = "informal network"
    BEST_PRACTICE = "best-practice example"
    TOOL = "tool"


class Scope(StrEnum):
    PAN_LONDON = "pan-London"
    SUB_REGION = "sub-region"
    BOROUGH = "borough"
    NATIONAL = "national"


class Status(StrEnum):
    SUGGESTED = "suggested"
    APPROVED = "approved"
    DECLINED = "declined"


class Source(StrEnum):
    DEMO = "demo"
    IMPORT = "import"
    SUGGESTION = "suggestion"
    TAKEAWAY = "takeaway"


@dataclass(frozen=True)
class EntryDraft:
    """What a person or a file says about an entry, checked (`check_draft`)."""

    name: str
    kind: Kind
    scope: Scope
    topics: tuple[str, ...] = ()
    offers: str = ""
    how_to_join: str = ""
    link: str = ""
    contact: str = ""
    owner: str = ""
    last_checked: date | None = None


@dataclass(frozen=True)
class Entry:
    id: int
    draft: EntryDraft
    status: Status
    source: Source

    @property
    def name(self) -> str:
        return self.draft.name


@dataclass(frozen=True)
class DirectoryPage:
    """A search's result, or one of the secretariat's lists (pending, unchecked)."""

    listing: str  # "search", "pending", "unchecked"
    words: str
    entries: tuple[Entry, ...]
    total: int  # approved entries in the directory
    unchecked_before: date  # entries last checked before this day (or never) count as unchecked


class Progress(StrEnum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass(frozen=True)
class Recommendation:
    number: int
    title: str
    theme: str
    lead: str
    status: Progress
    rag: Rag
    next_step: str
    evidence: tuple[str, ...]  # links
    held: str  # what the assistant itself holds, as a sentence; "" where it holds nothing


@dataclass(frozen=True)
class Tracker:
    recommendations: tuple[Recommendation, ...]
    period: str  # the INMSS period the evidence counts returns for

    def number(self, n: int) -> Recommendation:
        return next(r for r in self.recommendations if r.number == n)
