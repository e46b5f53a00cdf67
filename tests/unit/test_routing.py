"""The round robin's choice of responders (forum_ops/asks/routing.py) and its topic tags: tables
for the rules, hypothesis for the properties that must hold whoever is in the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from forum_ops.asks.routing import Candidate, RoutingRequest, choose_responders
from forum_ops.asks.topics import ask_tags, canonical, member_tags
from tests.support.examples import examples

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)


def person(
    aad: str, org: str, topics: str = "", last: int | None = None, away: bool = False
) -> Candidate:
    return Candidate(
        aad,
        org,
        frozenset(t for t in topics.split(",") if t),
        None if last is None else T0 + timedelta(days=last),
        away,
    )


def chosen(people: list[Candidate], **request: object) -> list[str]:
    values: dict[str, object] = {"tags": frozenset({"s75"}), "author_organisation": "202"}
    values["wanted"] = 3
    values.update(request)
    return [c.candidate.aad_object_id for c in choose_responders(people, RoutingRequest(**values))]  # type: ignore[arg-type]


def test_topic_matches_come_first_then_whoever_was_asked_least_recently() -> None:
    people = [
        person("a", "203", "transport", last=None),  # never asked, but no matching topic
        person("b", "204", "s75", last=5),
        person("c", "205", "s75", last=1),  # matched, asked longest ago of the matches
        person("d", "206", "s75,therapies", last=9),
    ]
    assert chosen(people) == ["c", "b", "d"]
    assert chosen(people, tags=frozenset({"s75", "therapies"})) == ["d", "c", "b"]  # more tags
    assert chosen(people, wanted=4) == ["c", "b", "d", "a"]


def test_never_the_authors_organisation_the_away_or_the_people_asked_last_time() -> None:
    people = [
        person("own", "202", "s75"),
        person("away", "203", "s75", away=True),
        person("last", "204", "s75"),
        person("again", "205", "s75"),
        person("ok", "206", "s75", last=3),
        person("other", "207", "", last=1),
    ]
    got = chosen(people, asked_last_time=frozenset({"last"}), already_asked=frozenset({"again"}))
    assert got == ["ok", "other"]  # fewer than wanted rather than break a rule


def test_one_person_per_organisation_and_none_from_an_organisation_still_waiting() -> None:
    people = [
        person("a1", "203", "s75", last=1),
        person("a2", "203", "s75", last=2),
        person("b1", "204", "s75", last=3),
        person("c1", "205", "s75", last=4),
    ]
    assert chosen(people) == ["a1", "b1", "c1"]
    assert chosen(people, busy_organisations=frozenset({"203"})) == ["b1", "c1"]


def test_topics_are_read_as_people_write_them() -> None:
    assert ask_tags("Has anyone a draft Section 75 agreement for therapies?")[0] == (
        "s75",
        "therapies",
    )
    assert ask_tags("#transport #nonsense who runs the routes?") == (
        ("transport",),
        "#nonsense who runs the routes?",
    )
    assert ask_tags("Short-break respite on a DPS, post 16")[0] == (
        "short-breaks",
        "post-16",
        "dps",
    )
    assert canonical("S75") == canonical("section 75") == canonical("#s75") == "s75"
    assert member_tags(("short breaks", "INMSS", "Autism outreach")) == {
        "short-breaks",
        "inmss",
        "autism outreach",
    }


candidates = st.lists(
    st.builds(
        Candidate,
        aad_object_id=st.text("abcdefgh", min_size=1, max_size=3),
        organisation=st.sampled_from(["202", "203", "204", "205", "QMJ", "LIIA"]),
        topics=st.frozensets(st.sampled_from(["s75", "transport", "therapies"]), max_size=2),
        last_asked=st.none() | st.integers(0, 50).map(lambda d: T0 + timedelta(days=d)),
        away=st.booleans(),
    ),
    max_size=30,
    unique_by=lambda c: c.aad_object_id,
)


@settings(max_examples=examples(300), deadline=None)
@given(
    people=candidates,
    wanted=st.integers(1, 5),
    last=st.frozensets(st.text("abcdefgh", min_size=1, max_size=3), max_size=5),
    busy=st.frozensets(st.sampled_from(["203", "204"]), max_size=2),
)
def test_every_rule_holds_for_any_registry(
    people: list[Candidate], wanted: int, last: frozenset[str], busy: frozenset[str]
) -> None:
    request = RoutingRequest(frozenset({"s75"}), "202", wanted, frozenset(), last, busy)
    picks = choose_responders(people, request)
    orgs = [c.candidate.organisation for c in picks]
    assert len(picks) <= wanted
    assert len(set(orgs)) == len(orgs)  # one per organisation
    for choice in picks:
        c = choice.candidate
        assert not c.away
        assert c.organisation != "202"
        assert c.organisation not in busy
        assert c.aad_object_id not in last  # never twice running
        assert choice.topic_match == ("s75" in c.topics)
    # a matching person left out can only be for an organisation already taken
    taken = set(orgs)
    if any(not p.topic_match for p in picks):
        for c in people:
            eligible = (
                not c.away and c.organisation not in {"202", *busy} and c.aad_object_id not in last
            )
            if eligible and "s75" in c.topics:
                assert c.organisation in taken
    # as many as could be had: one per eligible organisation, up to `wanted`
    eligible_orgs = {
        c.organisation
        for c in people
        if not c.away and c.organisation not in {"202", *busy} and c.aad_object_id not in last
    }
    assert len(picks) == min(wanted, len(eligible_orgs))
