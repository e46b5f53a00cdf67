"""A file sent in 1:1 as a reply to an ask: kept as its name and a link to the sender's OneDrive
(forum_ops/asks/files.py says which ask it answers). Nothing is downloaded: the asker opens the
file where it is, so it is shared as the sender shares it."""

from __future__ import annotations

from pathlib import PurePath

from bot.uploads import UploadRequest
from cards import Card, render_card
from cards.views.common import NoticeView
from forum_ops.asks import files as ask_files
from forum_ops.members.model import Member
from forum_ops.tor.text import is_tor_file

RETURN_SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm")  # what a return is sent as (returns_read)


def _claimed(member: Member, name: str) -> bool:
    """The file is what the member's role sends another way: a return, a ToR version."""
    suffix = PurePath(name).suffix.lower()
    return (member.is_data_submitter and suffix in RETURN_SUFFIXES) or (
        member.is_secretariat and is_tor_file(name)
    )


async def receive_ask_file(request: UploadRequest) -> Card | None:
    """The reply kept and the asker told; None if the file answers no ask (returns, ToR)."""
    services, member, upload, text = request.services, request.member, request.upload, request.text
    if request.conversation_kind != "personal":
        return None
    claimed = _claimed(member, upload.name)
    target = await services.run(ask_files.answered_ask, services.db, member, text, claimed)
    if target is None:
        return None
    said = ask_files.reply_text(target.said, upload.name)
    link = ask_files.file_link(upload.content_url)
    ask = await services.run(services.asks.reply, member, target.ask, said, link)
    services.doorbell.ring()
    message = (
        f"Thank you: your file is linked to your reply to ask {ask.id}, with {ask.organisation}. "
        "It stays in your OneDrive: if they can't open it, share it with them there."
    )
    return render_card("notice", NoticeView("Round robin", message))
