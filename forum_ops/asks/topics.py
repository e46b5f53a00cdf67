"""The round robin's topic tags: inferred from an ask's words, or given as `#tag`.

One vocabulary for asks and for members' own topics, so "Section 75", "S75" and "s.75" are one
tag, and a member registered with "short breaks" matches an ask about "short-break" provision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cards.views.asks import TOPIC_LABELS


@dataclass(frozen=True)
class Topic:
    tag: str  # `#tag` names it; cards show its label (cards/views/asks.py)
    pattern: re.Pattern[str]  # words in an ask (or a member's topic) that mean it

    @property
    def label(self) -> str:
        return TOPIC_LABELS[self.tag]


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])", re.I)


TOPICS: tuple[Topic, ...] = (
    Topic("s75", _words(r"s\.?\s?75", r"section\s*75", r"pooled budgets?")),
    Topic("transport", _words(r"transport", r"home[\s-]to[\s-]school", r"travel")),
    Topic(
        "therapies",
        _words(r"therap(?:y|ies|ists?)", r"salt", r"speech and language", r"occupational"),
    ),
    Topic("short-breaks", _words(r"short[\s-]?breaks?", r"respite")),
    Topic(
        "inmss",
        _words(r"inmss", r"independent (?:and )?non[\s-]maintained", r"independent special"),
    ),
    Topic(
        "data-sharing",
        _words(r"data[\s-]sharing", r"dsa", r"information sharing", r"gdpr", r"dpia"),
    ),
    Topic("post-16", _words(r"post[\s-]?16", r"fe college", r"further education")),
    Topic("tribunal", _words(r"tribunals?", r"sendist", r"appeals?")),
    Topic(
        "joint-commissioning",
        _words(r"joint[\s-]commissioning", r"jointly commission\w*", r"icb funding"),
    ),
    Topic(
        "dps",
        _words(r"dps", r"dynamic purchasing(?: system)?", r"frameworks?", r"procurement"),
    ),
    Topic(
        "preparing-for-adulthood",
        _words(r"preparing for adulthood", r"pfa", r"transitions?"),
    ),
    Topic(
        "alternative-provision",
        _words(r"alternative provision", r"\bap\b", r"tuition"),
    ),
)
BY_TAG = {t.tag: t for t in TOPICS}
HASHTAG = re.compile(r"(?<!\w)#([A-Za-z0-9][A-Za-z0-9-]{0,40})")


def canonical(word: str) -> str | None:
    """The tag a member's topic or a `#tag` stands for ("S75", "#short-breaks", "Section 75")."""
    folded = word.strip().lstrip("#").casefold()
    if folded in BY_TAG:
        return folded
    squashed = re.sub(r"[\s_]+", "-", folded)
    if squashed in BY_TAG:
        return squashed
    for topic in TOPICS:
        if topic.pattern.fullmatch(word.strip().lstrip("#")) or topic.pattern.fullmatch(squashed):
            return topic.tag
    return None


def explicit_tags(text: str) -> tuple[tuple[str, ...], str]:
    """The `#tags` written in an ask, and the text without the known ones."""
    tags: list[str] = []

    def take(match: re.Match[str]) -> str:
        tag = canonical(match.group(1))
        if tag is None:
            return match.group(0)  # an unknown #word stays part of the question
        tags.append(tag)
        return ""

    rest = HASHTAG.sub(take, text)
    return tuple(dict.fromkeys(tags)), re.sub(r"[ \t]{2,}", " ", rest).strip()


def infer_tags(text: str) -> tuple[str, ...]:
    """The tags whose words the text uses, in the vocabulary's order."""
    return tuple(t.tag for t in TOPICS if t.pattern.search(text))


def ask_tags(text: str) -> tuple[tuple[str, ...], str]:
    """An ask's tags (given ones first, then inferred) and its text without the given tags."""
    given, rest = explicit_tags(text)
    return tuple(dict.fromkeys([*given, *infer_tags(rest)])), rest


def member_tags(topics: tuple[str, ...]) -> frozenset[str]:
    """A member's topics as tags; topics outside the vocabulary are kept, folded, as their own."""
    return frozenset(canonical(t) or t.strip().casefold() for t in topics if t.strip())
