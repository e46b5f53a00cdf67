"""`announce <text>` (secretariat): a card to the forum's channel and to every member 1:1."""

from __future__ import annotations

import uuid

from bot.commands.table import CommandRequest
from bot.replies import card_payload
from cards import Card, render_card
from cards.dates import british_datetime
from cards.views import AnnouncementView, Fact, NoticeView
from forum_ops.announcements import AnnouncementReport, announce, check_announcement


async def make_announcement(request: CommandRequest) -> Card:
    services, member = request.services, request.member
    text = check_announcement(member, request.args)
    card = render_card(
        "announcement",
        AnnouncementView(
            text, f"{member.name}, {member.organisation.name}", british_datetime(services.clock())
        ),
    )

    def queue() -> AnnouncementReport:
        with services.db.transaction() as session:
            return announce(
                session,
                member,
                card_payload(card),
                uuid.uuid4().hex,
                services.settings.forum_channel_id,
                services.clock(),
            )

    report = await services.run(queue)
    services.doorbell.ring()
    facts: tuple[Fact, ...] = (
        Fact(
            "Forum channel",
            "yes" if report.channel else "not known yet: add me to the forum's team",
        ),
        Fact("Members 1:1", str(report.members)),
        Fact("New 1:1 chats", f"{report.opening} (opened from the forum's team)"),
    )
    if report.unreachable:
        facts += (
            Fact(
                "Members not reachable 1:1",
                f"{report.unreachable} (no chat with me yet, and no team to open one from)",
            ),
        )
    return render_card("notice", NoticeView("Announcement queued", "It is on its way.", facts))
