"""Every card, rendered with hostile text, parses, validates, fits Teams and shows the text literally."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cards import CardTooLarge, plain_text, render_card
from cards.markdown import escape_markdown, unescape_markdown
from cards.views.common import (
    Answer,
    ErrorView,
    Fact,
    HelpView,
    JoinView,
    NotUnderstoodView,
    QuestionView,
    QuickAction,
    ReportTable,
    ReportView,
    WelcomeView,
    WhoamiView,
)
from tests.support.cardcheck import HOSTILE, assert_valid_card
from tests.support.examples import examples


def views(text: str) -> dict[str, object]:
    return {
        "welcome": WelcomeView(text, text),
        "help": HelpView(
            text, (Fact(text, text),), (QuickAction(text, text),), text, text, (Fact(text, text),)
        ),
        "whoami": WhoamiView(text, text, text, text, text, text),
        "not_understood": NotUnderstoodView(text, text, (QuickAction(text, text),)),
        "error": ErrorView(text, text, text),
        "join": JoinView(text),
    }


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("template", list(views("")))
def test_hostile_text_cannot_break_or_inject_into_a_card(template: str, text: str) -> None:
    card = render_card(template, views(text)[template])

    assert_valid_card(card.content)
    actions = card.content.get("actions", [])
    if template == "help":  # its one form, as written: "Ask the forum"
        form = actions.pop(0)
        assert (form["type"], form["title"]) == ("Action.ShowCard", "Ask the forum")
        assert form["card"]["actions"][0]["data"] == {"verb": "ask.submit"}
    assert all(a["type"] == "Action.Submit" for a in actions)  # nothing injected
    assert all(set(a["data"]) == {"verb", "command"} for a in actions)
    shown = plain_text(card.content)
    if len(text) < 100 and template != "join":  # long text is clipped by design; join shows a GUID
        assert text.strip() in shown or text.splitlines()[0] in shown


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_markdown_escaping_round_trips(text: str) -> None:
    escaped = escape_markdown(text)
    assert unescape_markdown(escaped) == text
    assert "{{" not in escaped  # Adaptive Card text functions cannot fire
    assert "<" not in escaped  # no tags, so no <at> mentions or HTML


COMMONMARK = MarkdownIt("commonmark").enable("strikethrough")


def shown_by_markdown(escaped: str) -> str:
    """The words a markdown reader (CommonMark with strikethrough, as Teams desktop) shows."""
    rendered = re.sub(r"<[^>]+>", " ", COMMONMARK.render(escaped))
    return " ".join(html.unescape(rendered).replace("\u200b", "").split())


@settings(max_examples=examples(500), deadline=None)
@given(st.text(alphabet="ab 1.-+*_`~[]()#=\\\n<>&!:/{}", max_size=30))
def test_escaped_text_reads_as_typed_in_markdown(text: str) -> None:
    assert shown_by_markdown(escape_markdown(text)) == " ".join(text.split())


@pytest.mark.parametrize(
    "value",
    [
        "+4.9 %",
        "4.5 %",
        "-2.0 %",
        "£49,150 – £82,109",
        "1.5× across 12 boroughs",
        "Ages 5-16 (mixed)",
        "x_y",
        "2 * 3",
        "see [note",
        "C:\\folder",
    ],
)
def test_no_backslash_where_markdown_would_not_change_the_text(value: str) -> None:
    """Teams mobile shows escaping backslashes, so ordinary values carry none."""
    assert escape_markdown(value) == value
    assert shown_by_markdown(value) == value


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("- a list", "\\- a list"),
        ("1. numbered", "1\\. numbered"),
        ("*bold*", "\\*bold\\*"),
        ("[click](x)", "\\[click\\](x)"),
        ("---", "\\---"),
    ],
)
def test_markdown_that_would_change_the_text_is_escaped(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_a_card_over_the_teams_limit_is_refused() -> None:
    sections = tuple(Fact(f"s{i}" * 30, "y" * 900) for i in range(60))
    with pytest.raises(CardTooLarge):
        render_card("help", HelpView("me", sections, (), "", secretariat=sections))


def test_fallback_text_reads_as_plain_text() -> None:
    card = render_card("error", ErrorView("Oops *here*", "Try [again](x)"))
    assert card.fallback == "Oops *here*\nTry [again](x)"
    assert card.content["fallbackText"] == card.fallback


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_a_report_card_stays_text(text: str) -> None:
    """Report cards carry what boroughs typed: provider names, cell values in problems, file names."""
    table = ReportTable(text, (text, text), ((text, text), (text, text)), text)
    card = render_card(
        "report",
        ReportView(
            text,
            text,
            (table,),
            (text,),
            "https://bot.example/c.png",
            text,
            text,
            text,
            "https://bot.example/t.xlsx",
        ),
    )

    assert_valid_card(card.content)
    assert card.content["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": card.content["actions"][0]["title"],
            "url": "https://bot.example/t.xlsx",
        }
    ]
    cells = [
        c
        for e in card.content["body"]
        if e["type"] == "Table"
        for r in e["rows"]
        for c in r["cells"]
    ]
    assert len(cells) == 6
    assert all(list(cell) == ["type", "items"] and len(cell["items"]) == 1 for cell in cells)
    if len(text) < 100:
        assert text.strip() in plain_text(card.content) or text.splitlines()[0] in plain_text(
            card.content
        )


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_a_question_stays_text_and_answers_stay_data(text: str) -> None:
    card = render_card("question", QuestionView(text, text, (Answer(text, text),)))

    assert_valid_card(card.content)
    [action] = card.content["actions"]
    assert action["type"] == "Action.Submit"
    assert action["data"] == {"verb": "dialog.answer", "answer": text[:100]} or (
        len(text) > 100 and action["data"]["verb"] == "dialog.answer"
    )
    if len(text) < 100:
        assert text.strip() in plain_text(card.content) or text.splitlines()[0] in plain_text(
            card.content
        )
