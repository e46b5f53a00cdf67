"""A return sent without a period: ask for the period, then import the file.

```mermaid
stateDiagram-v2
    [*] --> period: a return file in 1:1, no period in the message or the file name
    period --> period: the answer is not a period (asked again)
    period --> [*]: a period: the file is fetched, checked and imported (or its problems listed)
    period --> [*]: cancel, or an hour passes (Teams' download link expires)
```
"""

from __future__ import annotations

from datetime import datetime

from analytics.returns_format import period_in, period_of
from bot.command_table import split_command
from bot.dialogs import DialogTurn, finish
from bot.services import Services
from bot.teams import FileUpload
from cards import Card, render_card
from cards.views import Answer, NoticeView, QuestionView
from forum_ops.dialogs import DialogKey, begin_dialog
from forum_ops.members.model import Member

NAME = "returns.period"


def ask_for_period(
    services: Services, member: Member, conversation_id: str, upload: FileUpload, now: datetime
) -> Card:
    """Remember the file and ask which academic year it is for."""
    file = {"name": upload.name, "download_url": upload.download_url, "type": upload.file_type}
    with services.db.transaction() as session:
        begin_dialog(
            session,
            DialogKey(conversation_id, member.aad_object_id),
            NAME,
            "period",
            {"file": file},
            now,
        )
    return _question(upload.name, now, "")


def _question(file_name: str, now: datetime, problem: str) -> Card:
    this_year = period_of(now.year, now.month)
    last_year = period_of(now.year - 1, now.month)
    message = (f"{problem} " if problem else "") + (
        f"Which academic year is {file_name} for? Choose one, or type it (for example "
        f"{last_year}). Type cancel to stop: nothing is imported until you answer."
    )
    return render_card(
        "question",
        QuestionView(
            "Which period is this return for?",
            message,
            (Answer(this_year, this_year), Answer(last_year, last_year)),
        ),
    )


class ReturnPeriod:
    name = NAME

    async def resume(self, turn: DialogTurn) -> Card | None:
        services = turn.services
        period = period_in(turn.answer)
        file = dict(turn.state.data.get("file") or {})
        if period is None:
            if not turn.data and services.commands.get(split_command(turn.text)[0]):
                return None  # a command: run it, and keep the question open
            return _question(
                str(file.get("name", "your return")),
                services.clock.now(),
                "I need an academic year such as 2025-26.",
            )
        if not await services.run(finish, services, turn.state):
            return render_card(
                "notice",
                NoticeView("Already done", "That return was dealt with in another message."),
            )
        from bot.commands.returns import import_return  # bot.commands.returns starts this dialog

        name, url = str(file.get("name", "return")), str(file.get("download_url", ""))
        upload = FileUpload(name, url, str(file.get("type", "")))
        return await import_return(services, turn.member, upload, period)
