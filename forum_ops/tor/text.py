"""The text of a ToR version: read from .docx, .md or .txt, cut into sections, compared.

Every format becomes the same plain text with markdown-style headings ("# Purpose"), so the
content hash is of what the forum reads, not of a file's bytes: the same words saved as .docx
and as .md are one version. Sections are compared by heading, so the diff says what a
commissioner would ("Membership changed: 14 words added, 3 removed"), not a raw unified diff.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from cards.views.tor import DiffPart, NumberedSection, SectionChange
from forum_ops.errors import LimitExceeded, UnreadableToR
from forum_ops.readable import readable
from forum_ops.sandbox import Limits, run_limited

FORMATS = (".docx", ".md", ".txt")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
# A .docx is a zip: what it would unpack to is checked before parsing, as a return's is
# (analytics/returns_read.py), so 110 KB that unpack to 50 MB of empty paragraphs are refused in
# milliseconds. A long ToR's document.xml is well under 2 MB (python-docx reads about 30,000
# paragraphs a second); a logo or two add a few MB that are not parsed.
MAX_UNPACKED_BYTES = 16 * 2**20
MAX_XML_PART_BYTES = 4 * 2**20
MAX_ZIP_MEMBERS = 200
# and the reading itself runs in a child process with these limits (forum_ops/sandbox.py)
READ_LIMITS = Limits(memory_bytes=2**30, seconds=20.0)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.)\s+(?P<title>[A-Z][^.:;!?]{1,70})$")


@dataclass(frozen=True)
class Section:
    heading: str  # "" for any text before the first heading
    body: str


def is_tor_file(filename: str) -> bool:
    return PurePath(filename).suffix.lower() in FORMATS


def read_tor_isolated(filename: str, raw: bytes, limits: Limits = READ_LIMITS) -> str:
    """read_tor_file in a child process with memory and time limits: a file that gets past the
    size checks still cannot stall or swell the bot."""
    try:
        return run_limited(read_tor_file, filename, raw, limits=limits)
    except LimitExceeded as exceeded:
        raise UnreadableToR(f"That file cannot be read safely: {exceeded}.") from None


def read_tor_file(filename: str, raw: bytes) -> str:
    """The normalised text of a .docx, .md or .txt file, or UnreadableToR. Untrusted files are
    read with read_tor_isolated."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise UnreadableToR("Send the Terms of Reference as a .docx, .md or .txt file.")
    if len(raw) > MAX_FILE_BYTES:
        raise UnreadableToR(f"That file is over {MAX_FILE_BYTES // 2**20} MB: is it the ToR?")
    text = _docx_text(raw) if suffix == ".docx" else _plain_text(raw)
    text = normalise(text)
    if not text:
        raise UnreadableToR("That file has no text in it.")
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableToR(f"A ToR can be at most {MAX_TEXT_CHARS:,} characters.")
    return text


def _plain_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def check_unpacked_size(raw: bytes) -> None:
    """Refuse, before parsing, a .docx that would unpack to more than MAX_UNPACKED_BYTES, or with
    an XML part over MAX_XML_PART_BYTES. Python's zipfile never unpacks a member beyond its
    declared size, so the declared sizes are a true bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as error:
        raise UnreadableToR("That .docx file could not be read: is it a Word document?") from error
    unpacked = sum(m.file_size for m in members)
    xml = max((m.file_size for m in members if m.filename.endswith(".xml")), default=0)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES or xml > MAX_XML_PART_BYTES:
        raise UnreadableToR(
            f"That .docx unpacks to {unpacked / 2**20:,.0f} MB in {len(members):,} parts, more "
            "than any ToR needs: is it the right file?"
        )


def _docx_text(raw: bytes) -> str:
    import docx  # python-docx (lxml): only when a .docx arrives
    from docx.opc.exceptions import PackageNotFoundError

    check_unpacked_size(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as error:
        raise UnreadableToR("That .docx file could not be read: is it a Word document?") from error
    except Exception as error:  # a zip or XML that python-docx chokes on: still bad input
        raise UnreadableToR("That .docx file could not be read: is it a Word document?") from error
    # style names by id, once: `paragraph.style` scans every style of the document for the
    # default on each paragraph without one (milliseconds each: minutes for a swollen file)
    names = {style.style_id: style.name or "" for style in document.styles}
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            lines.append("")
        elif names.get(paragraph._p.style or "", "").lower().startswith(("heading", "title")):
            lines.append(f"# {text}")
        else:
            lines.append(text)
    return "\n".join(lines)


def normalise(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces, at most one blank line between paragraphs, no bidi
    controls or invisible characters (forum_ops/readable.py)."""
    text = readable(unicodedata.normalize("NFC", text))
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


def content_hash(text: str) -> str:
    """The hash of the words and lines, not the layout: blank lines do not count."""
    lines = (line for line in normalise(text).split("\n") if line)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _heading_of(line: str) -> str | None:
    match = _HEADING.match(line) or _NUMBERED.match(line)
    return match.group("title").strip() if match else None


def sections(text: str) -> tuple[Section, ...]:
    found: list[Section] = []
    heading: str = ""
    body: list[str] = []
    for line in normalise(text).split("\n"):
        title = _heading_of(line)
        if title is None:
            body.append(line)
            continue
        if heading or any(b.strip() for b in body):
            found.append(Section(heading, "\n".join(body).strip()))
        heading, body = title, []
    found.append(Section(heading, "\n".join(body).strip()))
    return tuple(found)


def title_of(text: str, fallback: str) -> str:
    """The first heading, else the fallback (the file's name)."""
    for section in sections(text):
        if section.heading:
            return section.heading[:200]
    return fallback[:200]


@functools.lru_cache(maxsize=8)  # a ballot is drawn on every vote: the same two texts
def compare(old: str, new: str) -> tuple[SectionChange, ...]:
    """What changed between two versions, section by section, in the new version's order
    (removed sections last)."""
    before = {_key(s.heading): s for s in sections(old)}
    after = sections(new)
    changes: list[SectionChange] = []
    for number, section in enumerate(after, start=1):
        previous = before.pop(_key(section.heading), None)
        if previous is None:
            changes.append(
                SectionChange(section.heading or "(introduction)", "added", number=number)
            )
            continue
        added, removed = _word_changes(previous.body, section.body)
        if added or removed:
            changes.append(
                SectionChange(
                    section.heading or "(introduction)", "changed", added, removed, number
                )
            )
    changes.extend(SectionChange(s.heading or "(introduction)", "removed") for s in before.values())
    return tuple(changes)


def _key(heading: str) -> str:
    return " ".join(heading.lower().split())


def _word_changes(old: str, new: str) -> tuple[int, int]:
    a, b = old.split(), new.split()
    if a == b:  # most sections: difflib over equal lists is quadratic in repeated words
        return 0, 0
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed


MAX_DIFF_PARTS = 12  # per section: more is "read the whole section"
MAX_DIFF_WORDS = 60  # per part, then "…"


def numbered_sections(text: str, previous: str | None) -> tuple[NumberedSection, ...]:
    """The version's sections, numbered from 1, each with what changed since `previous` (the
    text of the version before; None: the first version, nothing marked)."""
    before = {_key(s.heading): s for s in sections(previous)} if previous is not None else {}
    found = []
    for number, section in enumerate(sections(text), start=1):
        heading = section.heading or "(introduction)"
        if previous is None:
            found.append(NumberedSection(number, heading, section.body))
            continue
        old = before.get(_key(section.heading))
        if old is None:
            found.append(NumberedSection(number, heading, section.body, "added"))
            continue
        diff = word_diff(old.body, section.body)
        change = "changed" if diff else ""
        found.append(NumberedSection(number, heading, section.body, change, diff))
    return tuple(found)


def removed_sections(text: str, previous: str | None) -> tuple[str, ...]:
    """Headings of the version before that this version no longer has."""
    if previous is None:
        return ()
    kept = {_key(s.heading) for s in sections(text)}
    return tuple(
        s.heading or "(introduction)" for s in sections(previous) if _key(s.heading) not in kept
    )


def word_diff(old: str, new: str) -> tuple[DiffPart, ...]:
    """The words removed and added, run by run (difflib over words: layout does not count)."""
    a, b = old.split(), new.split()
    if a == b:  # as in _word_changes
        return ()
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            parts.append(DiffPart("removed", _words(a[i1:i2])))
        if tag in ("replace", "insert"):
            parts.append(DiffPart("added", _words(b[j1:j2])))
    return tuple(parts[:MAX_DIFF_PARTS])


def _words(words: list[str]) -> str:
    shown = " ".join(words[:MAX_DIFF_WORDS])
    return shown + (" …" if len(words) > MAX_DIFF_WORDS else "")
