"""A file sent to the bot in 1:1 as a reply to an ask (SPEC section 5: "replies can carry links
to documents"). The reply keeps the file's name and a link to where Teams put it, the sender's
OneDrive (the attachment's contentUrl); the file itself is never fetched or re-hosted, and the
short-lived pre-authenticated download URL Teams also gives is neither kept nor logged.

Which ask a file answers:
    the message names it ("reply 12", "reply to ask 12", "ask #12")  -> that ask
    otherwise, unless the file is a return (a data submitter's .csv or Excel) or a ToR version
    (the secretariat's .docx, .md or .txt), which keep their own way in:
        exactly one ask waits for this member's reply             -> that ask
        several                                                    -> "which one?" (nothing kept)
        none                                                       -> not an ask reply
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select

from cards.views.asks import AskStatus
from forum_ops.asks.views import RouteState
from forum_ops.db import Database
from forum_ops.db.schema import AskRouteRow, AskRow, may_be_an_id
from forum_ops.errors import ForumError
from forum_ops.members.model import Member

# "reply 12", "reply to 12", "reply to ask 12", "reply #12" and what follows is the reply
REPLY = re.compile(r"^\s*reply\s+(?:to\s+)?(?:ask\s*)?#?(\d+)\b[\s:,.-]*", re.I)
# "ask #12 ...", "ask 12: ...", "ask 12": not "Ask 12 raised this" nor "Ask 2025-26 return"
ASK = re.compile(r"^\s*ask\s*(?:#(\d+)\b|(\d+)\s*(?::|$))[\s:,.-]*", re.I)
MAX_NAME_CHARS = 300
# characters the link's path may carry as they are; anything else (spaces in OneDrive's
# "Microsoft Teams Chat Files" folder, accents or "#" in a file name) is percent-encoded, and an
# existing %xx kept ("%" alone, as in "Uplift 10%.docx", is encoded)
PATH_SAFE = "/:?=&@!$'()*+,;~%"
LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class FileReply:
    ask: int  # the asks service checks that it names an ask sent to the member
    said: str  # the message's words, without the ask's number


def answered_ask(db: Database, member: Member, said: str, claimed: bool) -> FileReply | None:
    """The ask a file answers, or None when it is not a reply (it goes to returns or the ToR).
    `claimed`: the file is what the member's role sends another way (a return, a ToR)."""
    found = named(said, claimed)
    if found is not None:
        digits, rest = found
        number = int(digits) if len(digits) <= 10 else 0  # never a 5,000-digit int
        if not may_be_an_id(number):
            raise ForumError(
                "There is no such ask: its number is on its card. Send the file again with the "
                "number in the message, for example: reply 12"
            )
        return FileReply(number, rest)
    if claimed:
        return None
    with db.transaction() as session:
        waiting = sorted(
            set(
                session.scalars(
                    select(AskRouteRow.ask_id)
                    .join(AskRow, AskRow.id == AskRouteRow.ask_id)
                    .where(
                        AskRouteRow.responder_aad == member.aad_object_id,
                        AskRouteRow.state == RouteState.WAITING.value,
                        AskRow.status.in_([AskStatus.OPEN.value, AskStatus.ANSWERED.value]),
                    )
                )
            )
        )
    if not waiting:
        return None
    if len(waiting) > 1:
        numbers = ", ".join(map(str, waiting))
        raise ForumError(
            f"Which ask does this file answer? Asks waiting for your reply: {numbers}. Send the "
            f"file again with the ask's number in the message, for example: reply {waiting[0]}"
        )
    return FileReply(waiting[0], said.strip())


def named(said: str, claimed: bool) -> tuple[str, str] | None:
    """(the ask's number, the words after it) if the message names an ask. A file `claimed` by
    another feature answers an ask only by "reply N": the secretariat's ToR sent with "Ask 12
    raised this: clause 4 reworded" stays a ToR version."""
    found = REPLY.match(said) or (None if claimed else ASK.match(said))
    if found is None:
        return None
    digits = next(group for group in found.groups() if group)
    return digits, said[found.end() :].strip()


def reply_text(said: str, name: str) -> str:
    """What the reply says: the member's words, if any, and the file's name."""
    shown = f"File: {' '.join(name.split())[:MAX_NAME_CHARS]}"
    return f"{said}\n\n{shown}" if said else shown


def file_link(content_url: str) -> str:
    """The file's place in the sender's OneDrive, as a link a card can open; empty if Teams
    gave none (the reply is then refused: there would be nothing for the asker to open)."""
    if not content_url.strip():
        raise ForumError(
            "Teams gave me no link to that file. Paste the file's SharePoint link in the Reply "
            "box of the ask instead."
        )
    scheme, sep, rest = content_url.strip().partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}{sep}{host}{slash}{quote(LONE_PERCENT.sub('%25', path), safe=PATH_SAFE)}"
