"""`whoami`: the member's organisation and roles, as the registry has them."""

from __future__ import annotations

from bot.commands.table import CommandRequest
from cards import Card, render_card
from cards.views import WhoamiView


async def show_whoami(request: CommandRequest) -> Card:
    member = request.member
    org = member.organisation
    area = ", ".join(
        part
        for part in (
            org.subregion and f"{org.subregion} London",
            org.inner_outer and f"{org.inner_outer} London",
        )
        if part
    )
    view = WhoamiView(
        name=member.name,
        organisation=org.name if org.code == org.name else f"{org.name} ({org.code})",
        area=area,
        roles=", ".join(sorted(role.label for role in member.roles)),
        topics=", ".join(member.topics) or "none recorded",
        email=member.email,
    )
    return render_card("whoami", view)
