"""What a person types, turned into one of London's 33 authorities: the one resolver for every
command that takes a borough.

It accepts the official names, the names people use ("Hammersmith", "Kensington", "Barking",
"Kingston", "Richmond", "the City"), DfE LA codes ("202") and small typos ("Tower Hamlet").
Anything else is refused with the closest names, so the person can say which they meant:

    text ──normalise──> exact name, short name or code? ──yes──> the authority
                          │ no
                          ├──> the start of one authority's name ("Kingston upon")? ──> it
                          ├──> one authority clearly closest (a typo)? ──> it
                          └──> UnknownAuthority, naming the closest (two close: both)
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from forum_ops.errors import UnknownAuthority
from forum_ops.members.model import Organisation
from forum_ops.members.reference import LOCAL_AUTHORITIES

# The names people use besides the official one (normalised as `normalise` does).
SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "201": ("city", "city of london corporation", "corporation of london", "square mile"),
    "205": ("hammersmith", "fulham", "h and f", "lbhf"),
    "207": ("kensington", "chelsea", "k and c", "rbkc"),
    "213": ("city of westminster",),
    "301": ("barking", "dagenham", "b and d", "lbbd"),
    "314": ("kingston", "rbk"),
    "318": ("richmond",),
    "320": ("waltham", "walthamstow"),
}
TYPO_CUTOFF = 80.0  # rapidfuzz ratio (0-100) a typo must reach: "hackny" 92, "lewham" 86
SUGGEST_CUTOFF = 60.0  # a name this close is offered when nothing fits
CLEAR_LEAD = 4.0  # points the best guess must lead the next authority's by to be taken
MIN_PREFIX = 4  # characters before the start of a name identifies it ("hamm", not "ham")

_BY_CODE = {la.code: la for la in LOCAL_AUTHORITIES}
_PREFIXES = re.compile(r"^(?:the )?(?:(?:london|royal) )?(?:borough|lb|rb) (?:of )?")
_SUFFIXES = re.compile(r" (?:council|borough|borough council|lbc)$")


def normalise(text: str) -> str:
    """Lower case, '&' as 'and', no punctuation or 'the'/'London Borough of'/'Council'."""
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = " ".join(text.split())
    text = _SUFFIXES.sub("", _PREFIXES.sub("", text))
    return text.removeprefix("the ")


def _names() -> dict[str, str]:
    names = {normalise(la.name): la.code for la in LOCAL_AUTHORITIES}
    for code, short in SHORT_NAMES.items():
        names.update(dict.fromkeys(short, code))
    return names


NAMES: dict[str, str] = _names()  # every name we accept, normalised -> LA code


def find_authority(text: str) -> Organisation | None:
    """The authority `text` names exactly (official name, short name or LA code), else None.

    For free text where a typo could be a school's name (`suppliers`): no guessing.
    """
    wanted = normalise(text)
    code = wanted if wanted in _BY_CODE else NAMES.get(wanted)
    return _BY_CODE[code] if code else None


def resolve_authority(text: str) -> Organisation:
    """The authority a person means, forgiving small typos; UnknownAuthority otherwise."""
    found = find_authority(text)
    if found is not None:
        return found
    wanted = normalise(text)
    if not wanted:
        raise UnknownAuthority(text, (), ambiguous=False)
    starting = sorted({code for name, code in NAMES.items() if name.startswith(wanted)})
    if len(wanted) >= MIN_PREFIX and len(starting) == 1:
        return _BY_CODE[starting[0]]
    ranked = _ranked(wanted)
    (best, best_score), (_, next_score) = ranked[0], ranked[1]
    if best_score >= TYPO_CUTOFF and best_score - next_score >= CLEAR_LEAD:
        return _BY_CODE[best]
    if len(wanted) >= MIN_PREFIX and len(starting) > 1:
        raise UnknownAuthority(text, tuple(_BY_CODE[c].name for c in starting), ambiguous=True)
    if best_score >= TYPO_CUTOFF:  # two or more authorities about as close
        close = [code for code, score in ranked if score > best_score - CLEAR_LEAD]
        raise UnknownAuthority(text, tuple(_BY_CODE[c].name for c in close), ambiguous=True)
    close = starting[:4] or [code for code, score in ranked[:3] if score >= SUGGEST_CUTOFF]
    raise UnknownAuthority(text, tuple(_BY_CODE[c].name for c in close), ambiguous=False)


def _ranked(wanted: str) -> list[tuple[str, float]]:
    """Each authority with the score of its closest name, best first."""
    best: dict[str, float] = {}
    for name, code in NAMES.items():
        score = fuzz.ratio(wanted, name)
        if score > best.get(code, -1.0):
            best[code] = score
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))
