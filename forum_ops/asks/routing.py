"""Who is asked next: the round robin's choice of responders, a pure function of who is there.

The rules (SPEC section 5):
- never the ask's author's own organisation, never someone marked away, never anyone asked
  before for the same ask, and never the people asked for the previous ask ("twice running");
- at most one person per organisation in a round (and none from an organisation with someone
  still waiting on this ask);
- those whose topics match the ask first (more matching tags first), then whoever was asked
  least recently (never asked counts as longest ago), then a stable tie-break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    aad_object_id: str
    organisation: str  # the organisation's code
    topics: frozenset[str]  # tags (forum_ops.asks.topics)
    last_asked: datetime | None  # None: never asked
    away: bool = False


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    topic_match: bool


@dataclass(frozen=True)
class RoutingRequest:
    tags: frozenset[str]
    author_organisation: str
    wanted: int  # how many to choose
    already_asked: frozenset[str] = frozenset()  # for this ask, by aad id
    asked_last_time: frozenset[str] = frozenset()  # the previous ask's responders
    busy_organisations: frozenset[str] = frozenset()  # someone is still waiting on this ask


def eligible(candidate: Candidate, request: RoutingRequest) -> bool:
    return not (
        candidate.away
        or candidate.organisation == request.author_organisation
        or candidate.organisation in request.busy_organisations
        or candidate.aad_object_id in request.already_asked
        or candidate.aad_object_id in request.asked_last_time
    )


def _order(candidate: Candidate, tags: frozenset[str]) -> tuple[int, float, str]:
    last = candidate.last_asked.timestamp() if candidate.last_asked else float("-inf")
    return (-len(candidate.topics & tags), last, candidate.aad_object_id)


def choose_responders(candidates: Iterable[Candidate], request: RoutingRequest) -> list[Choice]:
    """Up to `request.wanted` responders, best first, one per organisation."""
    ranked = sorted(
        (c for c in candidates if eligible(c, request)), key=lambda c: _order(c, request.tags)
    )
    chosen: list[Choice] = []
    organisations: set[str] = set()
    for candidate in ranked:
        if len(chosen) >= request.wanted:
            break
        if candidate.organisation in organisations:
            continue
        organisations.add(candidate.organisation)
        chosen.append(Choice(candidate, bool(candidate.topics & request.tags)))
    return chosen
