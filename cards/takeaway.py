"""Takeaway cards' view models: the chair's form, the published takeaway, and the cycle's
notices (chair wanted, takeaway reminder, nothing to post)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cards.format import british_date, british_datetime
from cards.views.common import Fact, NoticeView
from cards.views.meetings import ChairSuggestion, MeetingInfo, Takeaway, TakeawayAction

MOST_ACTIONS = 3


@dataclass(frozen=True)
class TakeawayFormView:
    title: str
    message: str
    meeting_id: int
    draft_title: str
    insight: str
    tool: str
    actions: tuple[TakeawayAction, ...]  # always 3 rows, blank where none


@dataclass(frozen=True)
class TakeawayView:
    title: str
    meeting: str
    facts: tuple[Fact, ...]
    pdf_url: str  # the printable one-page PDF, "" when its link has expired


def takeaway_form_view(
    meeting: MeetingInfo, draft: Takeaway | None, saved: datetime | None = None
) -> TakeawayFormView:
    """The chair's form; `saved`: the moment Save kept the draft, said at the top."""
    actions = draft.actions if draft else ()
    blank = TakeawayAction("", "")
    message = (
        f"Saved as a draft on {british_datetime(saved)}. "
        "Publish posts it to the forum's channel and every member; unpublished, the draft goes "
        "out 2 working days after the meeting."
        if saved
        else "Thank you for chairing. Write the one-page Useful Commissioning Takeaway: a title, "
        "the key insight, a practical tool or link and up to 3 actions. Publish posts it to the "
        "forum's channel and every member; unpublished, the draft goes out 2 working days "
        "after the meeting."
    )
    return TakeawayFormView(
        f"Your takeaway from {british_date(meeting.day)}",
        message,
        meeting.id,
        draft.title if draft else "",
        draft.insight if draft else "",
        draft.tool if draft else "",
        (*actions, *([blank] * (MOST_ACTIONS - len(actions)))),
    )


def takeaway_view(takeaway: Takeaway, public_url: str = "") -> TakeawayView:
    meeting = takeaway.meeting
    chair = (
        f", chaired by {meeting.chair.name} ({meeting.chair.organisation})" if meeting.chair else ""
    )
    facts = [
        Fact("Key insight", takeaway.insight or "(none written)"),
        Fact("Practical tool or link", takeaway.tool or "(none)"),
    ]
    facts += [
        Fact(f"Action {n}", f"{a.what}" + (f" (who: {a.who})" if a.who else ""))
        for n, a in enumerate(takeaway.actions, start=1)
    ]
    if takeaway.status == "published" and takeaway.published_at is not None:
        facts.append(Fact("Status", f"published {british_datetime(takeaway.published_at)}"))
    elif takeaway.status != "published":
        facts.append(Fact("Status", "draft: not published yet"))
    return TakeawayView(
        takeaway.title or f"From the meeting of {british_date(meeting.day)}",
        f"The meeting of {british_datetime(meeting.starts_at)}"
        + (f" on {meeting.theme}" if meeting.theme else "")
        + chair,
        tuple(facts),
        f"{public_url.rstrip('/')}/takeaways/{takeaway.link}.pdf"
        if takeaway.link and public_url
        else "",
    )


def chair_wanted_view(meeting: MeetingInfo, suggestions: tuple[ChairSuggestion, ...]) -> NoticeView:
    return NoticeView(
        f"No chair yet for {british_date(meeting.day)}",
        f"The meeting on {british_datetime(meeting.starts_at)}"
        + (f" ({meeting.theme})" if meeting.theme else "")
        + " has no chair 3 "
        "weeks before. These members have chaired least, from organisations that have not "
        "chaired recently; assign one with chair <date> assign <name or email>.",
        tuple(Fact(s.name, f"{s.organisation}, {_chaired(s.chaired)}") for s in suggestions)
        or (Fact("Suggestions", "none: every organisation chaired recently"),),
    )


def takeaway_nudge_view(meeting: MeetingInfo) -> NoticeView:
    return NoticeView(
        "The takeaway is not published yet",
        f"The takeaway of the meeting on {british_date(meeting.day)} is not published. Whatever "
        "is drafted goes out tomorrow at this time; publish it from the form before then.",
    )


def nothing_to_post_view(meeting: MeetingInfo) -> NoticeView:
    return NoticeView(
        "No takeaway to post",
        f"2 working days after the meeting on {british_date(meeting.day)}, nothing has been "
        "drafted for its takeaway, so nothing was posted.",
    )


def no_takeaway_view(title: str, next_meeting: MeetingInfo | None) -> NoticeView:
    """`takeaway latest` before any is published: what happens, and what to do meanwhile."""
    comes = (
        "After each forum meeting its chair publishes a one-page Useful Commissioning Takeaway: "
        "it comes to the forum's channel and to you 1:1."
    )
    if next_meeting is None:
        return NoticeView(
            title, f"{comes} No meeting is planned yet: say meetings to see the plan."
        )
    theme = f" ({next_meeting.theme})" if next_meeting.theme else ""
    when = british_datetime(next_meeting.starts_at)
    return NoticeView(
        title,
        f"{comes} The next meeting is on {when}{theme}; its takeaway follows within 2 working "
        "days. Say meetings for the forward plan.",
    )


def _chaired(times: int) -> str:
    """How often a suggested chair has chaired, in words (it was "chaired 0 time(s)")."""
    if times == 0:
        return "never chaired"
    return "chaired once" if times == 1 else f"chaired {times} times"
