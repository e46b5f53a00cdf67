"""A member's answer to a file consent card (`fileConsent/invoke`): on Allow, the offered file
is put in their OneDrive; on Decline, nothing is sent and they are told how to ask again.

Teams sends the invoke with `value` = {"action": "accept" | "decline", "context": <the card's
acceptContext or declineContext>, "uploadInfo": {"name", "uploadUrl", "contentUrl",
"uniqueId", "fileType"}} (uploadInfo on accept only; see Microsoft's "Send and receive files
using bots"). Everything in it is the sender's to forge: the context names a kept file only by
its key, and the file goes only to the member it was offered to, found in the registry
(forum_ops/report_files.offered_file); the upload URL is checked as a download's is.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.schema import Activity

from bot.downloads import upload_file
from bot.replies import card_message, file_info_message
from bot.services import Services
from cards import render_card
from cards.views.common import NoticeView
from forum_ops.errors import ForumError
from forum_ops.members.model import Member
from forum_ops.report_files import claim_answer, offered_file, release_answer

log = logging.getLogger(__name__)
TITLE = "Your file"
NOT_YOURS = (
    "I can't send that file: it was offered to someone else, or it has expired. Ask me for "
    "the report again and I'll offer it afresh."
)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _notice(message: str) -> Activity:
    return card_message(render_card("notice", NoticeView(TITLE, message)))


async def answer_file_consent(services: Services, member: Member, value: Any) -> Activity | None:
    """What to tell the member once their answer is acted on: the file as Teams shows one (it
    is in their OneDrive now), or a notice saying why not; None when this answer was acted on
    already (a redelivery: nothing is uploaded or said twice)."""
    value = value if isinstance(value, dict) else {}
    context = value.get("context")
    token = _text(context.get("file"))[:64] if isinstance(context, dict) else ""
    action = _text(value.get("action"))
    now = services.clock.now()
    found = await services.run(offered_file, services.db, token, member, now)
    answerable = found is not None and action in ("accept", "decline")
    if answerable and not await services.run(claim_answer, services.db, token, now):
        log.info("files.answered_again", extra={"action": action})
        return None
    if action == "decline":
        log.info("files.declined", extra={"offered": found is not None})
        if found is None:
            return _notice("Nothing was sent.")
        return _notice(
            f"I haven't sent {found.filename}. To have it offered again, say: {found.again}"
        )
    if action != "accept" or found is None:
        log.info("files.refused", extra={"action": action[:20]})
        return _notice(NOT_YOURS)
    info = value.get("uploadInfo")
    info = info if isinstance(info, dict) else {}
    try:
        await upload_file(services.settings, _text(info.get("uploadUrl")), found.content)
    except ForumError as error:
        await services.run(release_answer, services.db, token)
        return _notice(str(error))
    log.info("files.uploaded", extra={"bytes": len(found.content)})
    return file_info_message(
        _text(info.get("name")) or found.filename,
        _text(info.get("contentUrl")),
        _text(info.get("uniqueId")),
        _text(info.get("fileType")) or found.filename.rpartition(".")[2],
    )
