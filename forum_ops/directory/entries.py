"""The directory's rules, storage-free: what a form or a CSV line says about an entry (checked
by `check_draft`), and when an entry counts as unchecked. The values (kinds, scopes, entries,
a page of them) are the cards' views, in cards/views/directory.py. The service is
forum_ops/directory/service.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlsplit

from cards.views.directory import EntryDraft, Kind, Scope
from forum_ops.errors import ForumError, Problem

PAGE = 8  # entries on one card
STALE_AFTER_MONTHS = 12
LIMITS = {"name": 200, "offers": 1500, "how_to_join": 800, "link": 500, "contact": 320,
          "owner": 200, "topics": 300}  # fmt: skip
CSV_COLUMNS = ("name", "kind", "scope", "topics", "offers", "how_to_join", "link", "contact",
               "owner", "last_checked")  # fmt: skip
MAX_IMPORT_LINES = 2000


def _kind(text: str) -> Kind | None:
    folded = text.strip().casefold().replace("_", " ").replace("best practice", "best-practice")
    folded = {"best-practice": "best-practice example", "formal": "formal network",
              "informal": "informal network"}.get(folded, folded)  # fmt: skip
    return next((k for k in Kind if k.value.casefold() == folded), None)


def _scope(text: str) -> Scope | None:
    folded = text.strip().casefold().replace("_", "-").replace(" ", "-")
    folded = {"london": "pan-london", "subregion": "sub-region", "sub-regional": "sub-region"}.get(
        folded, folded
    )
    return next((s for s in Scope if s.value.casefold() == folded), None)


def is_web_link(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in link


def check_draft(values: Mapping[str, object]) -> tuple[EntryDraft | None, list[Problem]]:
    """Check what a form or a CSV line gives; every problem is reported (column, reason)."""
    problems: list[Problem] = []

    def text(field: str) -> str:
        value = values.get(field, "")
        if not isinstance(value, str):
            problems.append(Problem(0, field, "must be text"))
            return ""
        value = value.strip()
        limit = LIMITS.get(field)
        if limit and len(value) > limit:
            problems.append(Problem(0, field, f"is longer than {limit} characters"))
        return value

    name, link = text("name"), text("link")
    kind, scope = _kind(text("kind")), _scope(text("scope"))
    if not name:
        problems.append(Problem(0, "name", "is empty"))
    if kind is None:
        problems.append(Problem(0, "kind", "must be one of: " + ", ".join(Kind)))
    if scope is None:
        problems.append(Problem(0, "scope", "must be one of: " + ", ".join(Scope)))
    if link and not is_web_link(link):
        problems.append(Problem(0, "link", "must be a web address starting http:// or https://"))
    checked: date | None = None
    if raw := text("last_checked"):
        try:
            checked = date.fromisoformat(raw)
        except ValueError:
            problems.append(Problem(0, "last_checked", "must be a date such as 2026-01-22"))
    topics = tuple(dict.fromkeys(t.strip() for t in text("topics").split(";") if t.strip()))
    if problems or kind is None or scope is None:
        return None, problems
    return (
        EntryDraft(
            name,
            kind,
            scope,
            topics,
            text("offers"),
            text("how_to_join"),
            link,
            text("contact"),
            text("owner"),
            checked,
        ),
        [],
    )


def draft_or_error(values: Mapping[str, object]) -> EntryDraft:
    draft, problems = check_draft(values)
    if draft is None:
        raise ForumError(
            "The entry was not saved: " + "; ".join(f"{p.column} {p.reason}" for p in problems)
        )
    return draft


def stale_before(today: date, months: int = STALE_AFTER_MONTHS) -> date:
    """The day `months` months before `today` (29 February falls back to the 28th)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28) if month + 1 == 2 else today.day
    try:
        return date(year, month + 1, day)
    except ValueError:
        return date(year, month + 1, 30 if month + 1 != 2 else 28)
