"""Meeting cards with hostile text in every field a member or the secretariat can write (themes,
names, proposals, takeaways): they parse, validate, fit Teams and show the text literally."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cards import plain_text, render_card
from cards.agenda import agenda_view, proposal_view
from cards.meetings import meetings_view
from cards.takeaway import no_takeaway_view, takeaway_form_view, takeaway_view
from cards.views.meetings import Agenda, ChairInfo, MeetingInfo, Proposal, Takeaway, TakeawayAction
from tests.support.cardcheck import HOSTILE, assert_valid_card


def meeting(text: str) -> MeetingInfo:
    return MeetingInfo(
        id=3,
        number=2,
        day=date(2026, 3, 19),
        starts_at=datetime(2026, 3, 19, 10, 0, tzinfo=UTC),
        minutes=90,
        theme=text,
        status="planned",
        chair=ChairInfo(text, text, "aad"),
        join_url="https://teams.example/meet/1",
        booked=True,
        warnings=(text,),
    )


def cards_for(text: str) -> list[dict[str, object]]:
    m = meeting(text)
    actions = (TakeawayAction(text, text),) * 3
    takeaway = Takeaway(m, text, text, text, actions, "published", None, "t" * 32)
    return [
        render_card("meetings", meetings_view([m] * 6, text, text)).content,
        render_card("agenda", agenda_view(Agenda(m, (text,) * 8, True, 2), None, text)).content,
        render_card("proposal", proposal_view(Proposal(5, text, text, "proposed", m))).content,
        render_card("takeaway", takeaway_view(takeaway, "https://bot.example")).content,
        render_card("takeaway_form", takeaway_form_view(m, takeaway)).content,
    ]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_cannot_break_or_inject_into_a_meeting_card(text: str) -> None:
    for card in cards_for(text):
        assert_valid_card(card)  # type: ignore[arg-type]
        for action in card.get("actions", []):  # type: ignore[attr-defined]
            assert action["type"] in ("Action.Execute", "Action.OpenUrl")
            assert "evil" not in str(action)
        if len(text) >= 100:
            continue  # long text is clipped by design
        if card["body"][2]["type"] == "Input.Text":  # type: ignore[index]
            values = [i.get("value") for i in card["body"] if i["type"] == "Input.Text"]  # type: ignore[attr-defined]
            assert " ".join(text.split()) in values or text in values  # the draft, literally
        else:
            assert text.splitlines()[0].strip() in plain_text(card)  # type: ignore[arg-type]


def test_an_agenda_says_its_date_once() -> None:
    """The title repeated the line under it ("Agenda: Thursday 19 March 2026, 10:00")."""
    card = render_card(
        "agenda", agenda_view(Agenda(meeting("Transport"), ("Transport",), False, 0), None)
    )
    text = plain_text(card.content)
    assert text.startswith(
        "Agenda of the forum's meeting\nThursday 19 March 2026, 10:00 (90 minutes)"
    )
    assert text.count("19 March 2026") == 1


@pytest.mark.parametrize(
    ("theme", "line"),
    [
        ("Transport", "The meeting of Thursday 19 March 2026, 10:00 on Transport, chaired by"),
        ("", "The meeting of Thursday 19 March 2026, 10:00, chaired by"),  # no theme yet
    ],
)
def test_a_takeaway_names_its_meeting_in_a_sentence(theme: str, line: str) -> None:
    """It read "Thursday 29 October 2026, 10:00: To be decided" for a meeting without a theme."""
    shown = Takeaway(meeting(theme), "Title", "Insight", "", (), "published", None, "t" * 32)
    assert line in plain_text(render_card("takeaway", takeaway_view(shown)).content)


@pytest.mark.parametrize("text", HOSTILE)
def test_no_takeaway_yet_names_the_next_meeting_or_says_none_is_planned(text: str) -> None:
    """`takeaway latest` before any is published: a plain notice, never the error card."""
    title = "No takeaway has been published yet"
    soon = render_card("notice", no_takeaway_view(title, meeting(text))).content
    none = render_card("notice", no_takeaway_view(title, None)).content
    for card in (soon, none):
        assert_valid_card(card)
        assert plain_text(card).splitlines()[0] == title
    assert "The next meeting is on Thursday 19 March 2026, 10:00" in plain_text(soon)
    assert "No meeting is planned yet: say meetings to see the plan." in plain_text(none)
