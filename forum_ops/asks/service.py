"""The peer-support round robin (SPEC section 5): a member asks, colleagues in other
organisations are asked in turn, replies are kept with the ask, and nothing is left unanswered.

    open ──first reply──> answered ──author picks the most useful reply──> resolved
      │                      └──author or secretariat closes──────────────> resolved
      └──author or secretariat closes, no reply─────────────────────────> closed-unanswered

Each person asked is a route: waiting ──Reply──> replied; waiting ──Pass──> passed;
waiting ──2 working days──> expired (the sweep job). A Pass or an expiry re-routes an ask that has
no reply yet to the next in the rotation (forum_ops/asks/routing.py), up to the ask's `max_asked`;
then, with nobody left waiting, the secretariat is told once.

Authority comes from the registry: a reply or a Pass is accepted only from someone this ask was
routed to, whatever the card's data says; only the author or the secretariat resolves or closes.
Every card goes through the Messenger (the outbox) in the change's own transaction, under keys
made from the ask's id and the route's number, so a job run twice sends nothing twice. Cards are
the presentation's (`AskCards`, cards/asks.py): this module hands them plain views.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from analytics.spreadsheet_safety import csv_bytes
from cards.views.asks import (
    AskFigures,
    AskStatus,
    AskView,
    Availability,
    Digest,
    Load,
    ReplyView,
    TopicFigures,
    topic_label,
)
from cards.views.common import LONDON
from forum_ops.asks.routing import Candidate, RoutingRequest, choose_responders
from forum_ops.asks.topics import ask_tags, member_tags
from forum_ops.asks.views import AskCards, AskConfig, FiguresReport, Opened, Passed, RouteState
from forum_ops.db import Database, fulltext
from forum_ops.db.schema import (
    AskReplyRow,
    AskRouteRow,
    AskRow,
    MemberRow,
    OrganisationRow,
    OutboxRow,
    may_be_an_id,
)
from forum_ops.errors import ForumError, NotAllowed, NotReachable
from forum_ops.members.model import Member, Role
from forum_ops.members.registry import to_member
from forum_ops.outbox.conversations import find_conversation
from forum_ops.outbox.messaging import MessengerFactory
from forum_ops.outbox.queue import Status
from forum_ops.ports import Clock, Delivery, Messenger, RenderedCard
from forum_ops.report_files import offer_file_in
from forum_ops.working_days import after_working_days

MAX_TEXT_CHARS = 4000
MAX_LINK_CHARS = 2000
WORKING_DAYS_TO_ANSWER = 2

__all__ = [
    "AskCards",
    "AskConfig",
    "AskFigures",
    "AskStatus",
    "AskView",
    "Asks",
    "Availability",
    "Digest",
    "FiguresReport",
    "Load",
    "Opened",
    "Passed",
    "ReplyView",
    "RouteState",
    "TopicFigures",
    "ask_figures",
    "search_asks",
    "sweep",
    "weekly_digest",
]


# -- the service ----------------------------------------------------------------------------------


class Asks:
    """The round robin's unit of work: each method is one transaction, its cards queued in it."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        messengers: MessengerFactory,
        cards: AskCards,
        config: AskConfig | None = None,
    ) -> None:
        self._db, self._clock, self._messengers, self._cards = db, clock, messengers, cards
        self._config = config or AskConfig()

    def open(self, author: Member, text: str) -> Opened:
        tags, question = ask_tags(text)
        question = _checked_text(
            question,
            "Say what you'd like to ask, for example: ask Has anyone a draft S75 agreement for therapies?",
        )
        now = self._clock.now()
        config = self._config
        with self._db.transaction() as session:
            row = AskRow(
                author_aad=author.aad_object_id,
                organisation_code=author.organisation.code,
                text=question,
                details="",
                topics=";".join(tags),
                status=AskStatus.OPEN.value,
                max_asked=config.responders + config.reroutes,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            messenger = self._messengers(session, now)
            asked = _route(session, messenger, self._cards, row, now, config.responders)
            escalated = (
                _escalate_if_stuck(session, messenger, self._cards, row, now) if not asked else None
            )
            view = escalated or ask_view(session, row)
            posted = _post(session, messenger, self._cards, row, view, config.channel_id)
            fulltext.index_ask(session, row.id)  # last: the index's totals row is locked to commit
            return Opened(view, asked, posted)

    def reply(self, member: Member, ask_id: object, text: str, link: str = "") -> AskView:
        """A reply from someone the ask was sent to. One sent after the author resolved or closed
        the ask is kept too (a late reply: shown so, and the author told), not refused and lost."""
        text = _checked_text(text, "Write your reply in the box, then press Reply.")
        link = _checked_link(link)
        now = self._clock.now()
        with self._db.transaction() as session:
            row = _ask_row(session, ask_id)
            routes = _routes_of(session, row.id, member.aad_object_id)
            if not routes:
                raise NotAllowed("Only colleagues this ask was sent to can reply to it.")
            same = select(AskReplyRow.id).where(
                AskReplyRow.ask_id == row.id,
                AskReplyRow.author_aad == member.aad_object_id,
                AskReplyRow.text == text,
                AskReplyRow.link == link,
            )
            if session.scalars(same).first() is not None:  # pressed twice, or replayed
                raise ForumError(f"You sent this reply to ask {row.id} already: it is kept.")
            for route in routes:
                if route.state in (RouteState.WAITING.value, RouteState.WITHDRAWN.value):
                    route.state, route.done_at = RouteState.REPLIED.value, now
            reply = AskReplyRow(
                ask_id=row.id,
                author_aad=member.aad_object_id,
                organisation_code=member.organisation.code,
                text=text,
                link=link,
                created_at=now,
            )
            session.add(reply)
            session.flush()
            if row.status == AskStatus.OPEN.value:
                row.status, row.first_reply_at = AskStatus.ANSWERED.value, now
            row.updated_at = now
            messenger = self._messengers(session, now)
            view = ask_view(session, row)
            shown = next(r for r in view.replies if r.id == reply.id)
            if row.card_key:
                messenger.reply_to(
                    row.card_key,
                    self._cards.reply(view, shown, for_author=False),
                    Delivery(f"ask:{row.id}:reply:{reply.id}:thread", "ask-reply"),
                )
            _tell(
                messenger,
                row.author_aad,
                self._cards.reply(view, shown, for_author=True),
                Delivery(f"ask:{row.id}:reply:{reply.id}:author", "ask-reply"),
            )
            _changed(session, messenger, self._cards, row, f"reply:{reply.id}")
            fulltext.index_ask(session, row.id)
            return view

    def pass_on(self, member: Member, ask_id: object, reason: str = "") -> Passed:
        """A Pass; the ask moves on to the next colleague only while it has no reply. A Pass on a
        resolved or closed ask changes nothing (nobody needs asking)."""
        reason = reason.strip()[:MAX_TEXT_CHARS]
        now = self._clock.now()
        with self._db.transaction() as session:
            row = _ask_row(session, ask_id)
            routes = _routes_of(session, row.id, member.aad_object_id)
            if not routes:
                raise NotAllowed("Only colleagues this ask was sent to can pass it on.")
            if AskStatus(row.status).finished:
                return Passed(ask_view(session, row), 0, changed=False)
            waiting = [r for r in routes if r.state == RouteState.WAITING.value]
            if not waiting:
                raise ForumError("You have already answered or passed on this ask: thank you.")
            for route in waiting:
                route.state, route.reason, route.done_at = RouteState.PASSED.value, reason, now
            messenger = self._messengers(session, now)
            asked = _reroute(session, messenger, self._cards, row, now, len(waiting))
            _changed(session, messenger, self._cards, row, f"pass:{waiting[0].seq}")
            return Passed(ask_view(session, row), asked)

    def resolve(self, member: Member, ask_id: object, reply_id: object = None) -> AskView:
        now = self._clock.now()
        with self._db.transaction() as session:
            row = _live_ask(session, ask_id)
            _check_owner(member, row)
            best = None
            if reply_id not in (None, ""):
                best = session.get(AskReplyRow, _as_id(reply_id))
                if best is None or best.ask_id != row.id:
                    raise ForumError("That reply is not one of this ask's replies.")
            row.best_reply_id = best.id if best else None
            row.status = AskStatus.RESOLVED.value
            return self._finish(session, row, now, "resolved")

    def close(self, member: Member, ask_id: object) -> AskView:
        now = self._clock.now()
        with self._db.transaction() as session:
            row = _live_ask(session, ask_id)
            _check_owner(member, row)
            answered = row.first_reply_at is not None
            row.status = (AskStatus.RESOLVED if answered else AskStatus.CLOSED).value
            return self._finish(session, row, now, "closed")

    def add_detail(self, member: Member, ask_id: object, text: str) -> AskView:
        text = _checked_text(text, "Write the detail to add in the box, then press Add detail.")
        now = self._clock.now()
        with self._db.transaction() as session:
            row = _live_ask(session, ask_id)
            _check_owner(member, row)
            details = f"{row.details}\n{text}".strip()
            if len(details) > MAX_TEXT_CHARS:
                raise ForumError(f"An ask's details can be at most {MAX_TEXT_CHARS} characters.")
            row.details, row.updated_at = details, now
            count = details.count("\n") + 1
            _changed(session, self._messengers(session, now), self._cards, row, f"detail:{count}")
            fulltext.index_ask(session, row.id)
            return ask_view(session, row)

    def _finish(self, session: Session, row: AskRow, now: datetime, event: str) -> AskView:
        row.finished_at = row.updated_at = now
        for route in session.scalars(
            select(AskRouteRow).where(
                AskRouteRow.ask_id == row.id, AskRouteRow.state == RouteState.WAITING.value
            )
        ):
            route.state, route.done_at = RouteState.WITHDRAWN.value, now
        _changed(session, self._messengers(session, now), self._cards, row, event)
        return ask_view(session, row)

    # -- reading ----------------------------------------------------------------------------------

    def view(self, ask_id: object) -> AskView:
        with self._db.transaction() as session:
            row = session.get(AskRow, _as_id(ask_id))
            if row is None:
                raise ForumError("There is no such ask.")
            return ask_view(session, row)

    def listed(self, member: Member, which: str, most: int = 15) -> list[AskView]:
        with self._db.transaction() as session:
            query = select(_ASKS).order_by(_ASKS.c.created_at.desc(), _ASKS.c.id.desc())
            if which == "open":
                query = query.where(_ASKS.c.status.in_([AskStatus.OPEN, AskStatus.ANSWERED]))
            elif which == "mine":
                query = query.where(_ASKS.c.author_aad == member.aad_object_id)
            return ask_views(session, session.connection().execute(query.limit(most)).all())

    def search(self, words: str, most: int = 10) -> list[AskView]:
        with self._db.transaction() as session:
            found = search_asks(session, words, most)
            rows = {
                row.id: row for row in session.scalars(select(AskRow).where(AskRow.id.in_(found)))
            }
            return ask_views(session, [rows[i] for i in found if i in rows])

    def figures(self, start: datetime, end: datetime) -> AskFigures:
        with self._db.transaction() as session:
            return ask_figures(session, start, end)

    def report(self, actor: Member, start: datetime) -> FiguresReport:
        """`asks report` (secretariat): the figures from `start` to now, with every row of
        their tables kept for a week as a CSV offered to them alone, in the same transaction."""
        if not actor.is_secretariat:
            raise NotAllowed("Only the forum's secretariat can see the round robin's figures.")
        now = self._clock.now()
        name = f"round-robin-figures-{now.astimezone(LONDON):%Y-%m-%d}.csv"
        with self._db.transaction() as session:
            figures = ask_figures(session, start, now)
            offer = offer_file_in(
                session,
                actor.aad_object_id,
                name,
                figures_csv(figures),
                now,
                description="Every row of the round robin's figures (CSV)",
                again="asks report",
            )
            return FiguresReport(figures, offer)

    # -- members' availability and topics ---------------------------------------------------------

    def set_away(self, actor: Member, whom: str, until: date | None) -> Availability:
        now = self._clock.now()
        if until is not None and until < now.astimezone(LONDON).date():
            raise ForumError(
                f"{until.day} {until:%B %Y} has passed: say the last day you'll be away, with its "
                "year if it is next year (for example: away until 12 June 2027)."
            )
        with self._db.transaction() as session:
            row = _member_row(session, actor, whom)
            row.away_since, row.away_until = now, until
            return Availability(to_member(row), True, until)

    def set_back(self, actor: Member, whom: str) -> Availability:
        with self._db.transaction() as session:
            row = _member_row(session, actor, whom)
            row.away_since = row.away_until = None
            return Availability(to_member(row), False, None)

    def change_topics(
        self, actor: Member, whom: str, add: Iterable[str], remove: Iterable[str]
    ) -> Member:
        now = self._clock.now()
        with self._db.transaction() as session:
            row = _member_row(session, actor, whom)
            topics = [t for t in row.topics.split(";") if t]
            dropping = member_tags(tuple(remove))
            topics = [t for t in topics if member_tags((t,)).isdisjoint(dropping)]
            for topic in add:
                clean = " ".join(topic.replace(";", " ").split())[:60]
                if clean and member_tags((clean,)).isdisjoint(member_tags(tuple(topics))):
                    topics.append(clean)
            if len(topics) > 30:
                raise ForumError("Thirty topics is the most one member can hold.")
            if ";".join(topics) != row.topics:  # `topics` alone only shows them: no write
                row.topics, row.updated_at = ";".join(topics), now
            return to_member(row)

    def availability(self, member: Member) -> Availability:
        today = self._clock.now().astimezone(LONDON).date()
        with self._db.transaction() as session:
            row = _member_row(session, member, "")
            return Availability(to_member(row), is_away(row, today), row.away_until)


# -- the scheduled jobs (wired with the cards in bot/commands/asks/commands.py) ------------------------------


def sweep(session: Session, run_now: datetime, messenger: Messenger, cards: AskCards) -> int:
    """Expire every route unanswered for 2 working days and re-route its ask; tell the
    secretariat about asks nobody is left to answer. Returns the routes expired. Idempotent:
    what it sends is keyed by ask and route number, and it runs in the job's transaction."""
    due = session.scalars(
        select(AskRouteRow)
        .where(AskRouteRow.state == RouteState.WAITING.value, AskRouteRow.due_at <= run_now)
        .order_by(AskRouteRow.ask_id, AskRouteRow.seq)
    ).all()
    expired = Counter[int]()
    for route in due:
        route.state, route.done_at = RouteState.EXPIRED.value, run_now
        expired[route.ask_id] += 1
    for route in _undelivered(session):  # their chat could not be opened: asked in nobody's eyes
        route.state, route.done_at = RouteState.UNREACHABLE.value, run_now
        expired[route.ask_id] += 1
        due = [*due, route]
    for ask_id, count in expired.items():
        row = session.get(AskRow, ask_id)
        if row is None or AskStatus(row.status).finished:
            continue
        _reroute(session, messenger, cards, row, run_now, count)
        first = min(r.seq for r in due if r.ask_id == ask_id)
        _changed(session, messenger, cards, row, f"expired:{first}")
    return sum(expired.values())


def _undelivered(session: Session) -> list[AskRouteRow]:
    """Routes still waiting whose request card the outbox gave up on (a chat that could not be
    opened: the member is not in the forum's team, or has left the tenant)."""
    waiting = session.scalars(
        select(AskRouteRow).where(AskRouteRow.state == RouteState.WAITING.value)
    ).all()
    keys = {f"ask:{r.ask_id}:route:{r.seq}": r for r in waiting}
    if not keys:
        return []
    failed = session.scalars(
        select(OutboxRow.key).where(
            OutboxRow.key.in_(list(keys)),
            OutboxRow.status.in_([Status.FAILED.value, Status.DEAD.value]),
        )
    ).all()
    return [keys[k] for k in sorted(failed)]


def weekly_digest(
    session: Session,
    run_key: str,
    run_now: datetime,
    messenger: Messenger,
    cards: AskCards,
    channel_id: str = "",
) -> bool:
    """Open asks and asks answered in the past week, to where asks are posted (`channel_id`, the
    peer-support channel, as AskConfig's; empty or unknown: the forum's channel); nothing when
    there is nothing to say. True if a digest was queued."""
    since = run_now - timedelta(days=7)
    waiting = session.scalars(
        select(AskRow).where(AskRow.status == AskStatus.OPEN.value).order_by(AskRow.created_at)
    ).all()
    answered = session.scalars(
        select(AskRow).where(AskRow.first_reply_at >= since).order_by(AskRow.first_reply_at)
    ).all()
    if not waiting and not answered:
        return False
    digest = Digest(
        tuple(ask_views(session, waiting[:20])),
        tuple(ask_views(session, answered[:20])),
        since,
    )
    delivery = Delivery(f"asks-digest:{run_key}", "ask-digest")
    _to_asks_channel(session, messenger, channel_id, cards.digest(digest), delivery)
    return True


# -- the round robin's figures (the secretariat's `asks report`, the quarterly report) -----------


FIGURES_COLUMNS = (
    "table", "name", "asks or times asked", "answered or replied", "passed", "no answer",
    "median hours to first reply",
)  # fmt: skip


def figures_csv(figures: AskFigures) -> bytes:
    """Every row of `asks report`'s tables (by topic, member, organisation), injection-safe."""

    def hours(wait: timedelta | None) -> object:
        return "" if wait is None else round(wait.total_seconds() / 3600, 1)

    rows: list[tuple[object, ...]] = [
        ("topic", topic_label(t.tag), t.asks, t.answered, "", "", hours(t.median_first_reply))
        for t in figures.by_topic
    ]
    for table, loads in (("member", figures.by_member), ("organisation", figures.by_organisation)):
        rows += [(table, x.name, x.asked, x.replied, x.passed, x.expired, "") for x in loads]
    return csv_bytes(FIGURES_COLUMNS, rows)


def ask_figures(session: Session, start: datetime, end: datetime) -> AskFigures:
    """The round robin's figures for asks made in [start, end): a pure read, for `asks report`
    and the quarterly report."""
    made = (AskRow.created_at >= start, AskRow.created_at < end)
    rows = session.scalars(select(AskRow).where(*made)).all()
    # Their routes by a join, not `IN (<every ask's id>)`: that was a new SQL text each time the
    # asks grew by one, and each text was prepared and kept in the SQLite connections' statement
    # caches (128 each, one a pooled connection): the served process grew 241 -> 381 MiB over
    # 10,000 mixed requests of bench/turns.py made after 3,000 asks; now flat (issue 28).
    routes = session.scalars(
        select(AskRouteRow)
        .join(AskRow, AskRow.id == AskRouteRow.ask_id)
        .where(*made, AskRouteRow.state != RouteState.UNREACHABLE.value)
    ).all()
    by_ask: dict[int, list[AskRouteRow]] = {}
    for route in routes:
        by_ask.setdefault(route.ask_id, []).append(route)
    reroutes = sum(
        sum(1 for r in found if r.asked_at > min(x.asked_at for x in found))
        for found in by_ask.values()
    )
    waits = {r.id: r.first_reply_at - r.created_at for r in rows if r.first_reply_at}
    topics: dict[str, list[AskRow]] = {}
    for row in rows:
        for tag in [t for t in row.topics.split(";") if t] or ["(none)"]:
            topics.setdefault(tag, []).append(row)
    people = select(MemberRow.aad_object_id, MemberRow.name, OrganisationRow.name).join(
        OrganisationRow, MemberRow.organisation_id == OrganisationRow.id
    )  # the organisation with the name: two members can share a name
    names = {aad: f"{name} ({org})" for aad, name, org in session.execute(people).all()}
    organisations = dict(session.execute(select(OrganisationRow.code, OrganisationRow.name)).all())
    return AskFigures(
        start=start,
        end=end,
        asks=len(rows),
        answered=len(waits),
        resolved=sum(r.status == AskStatus.RESOLVED.value for r in rows),
        closed_unanswered=sum(r.status == AskStatus.CLOSED.value for r in rows),
        median_first_reply=_median(waits.values()),
        reroutes=reroutes,
        escalated=sum(r.escalated_at is not None for r in rows),
        topic_match_share=(sum(r.topic_match for r in routes) / len(routes)) if routes else None,
        by_topic=tuple(
            TopicFigures(
                tag,
                len(found),
                sum(r.id in waits for r in found),
                _median(waits[r.id] for r in found if r.id in waits),
            )
            for tag, found in sorted(topics.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ),
        by_member=_loads(routes, lambda r: r.responder_aad, names),
        by_organisation=_loads(routes, lambda r: r.organisation_code, organisations),
    )


def _median(values: Iterable[timedelta]) -> timedelta | None:
    seconds = [v.total_seconds() for v in values]
    return timedelta(seconds=statistics.median(seconds)) if seconds else None


def _loads(
    routes: Iterable[AskRouteRow], key: Callable[[AskRouteRow], str], names: dict[str, str]
) -> tuple[Load, ...]:
    counts: dict[str, Counter[str]] = {}
    for route in routes:
        counts.setdefault(key(route), Counter())[route.state] += 1
    loads = [
        Load(
            k,
            names.get(k, k),
            sum(c.values()),
            c[RouteState.REPLIED.value],
            c[RouteState.PASSED.value],
            c[RouteState.EXPIRED.value],
        )
        for k, c in counts.items()
    ]
    return tuple(sorted(loads, key=lambda x: (-x.asked, x.name)))


# -- search (the directory's too: the database's full-text index, forum_ops/db/fulltext.py) ----


def search_asks(session: Session, words: str, most: int = 10) -> list[int]:
    """The ids of the asks best matching `words`, across their text, details, tags and replies
    (each ask is re-indexed whenever it, or a reply to it, is written)."""
    return list(fulltext.search(session, fulltext.ASKS, words, most).ids)


# -- inside the unit of work ----------------------------------------------------------------------


def ask_view(session: Session, row: AskRow) -> AskView:
    return ask_views(session, [row])[0]


# what an ask's card is made of, read with Core: the ORM's loading of a list's asks, routes and
# replies cost more than the queries (a row of either kind has the same attributes)
_ASKS, _ROUTES, _REPLIES = AskRow.__table__, AskRouteRow.__table__, AskReplyRow.__table__
AskRecord = AskRow | Row[*tuple[Any, ...]]


def ask_views(session: Session, rows: Sequence[AskRecord]) -> list[AskView]:
    """The asks `rows` as cards show them, in four queries whatever their number."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    session.flush()  # the unit of work's own changes, for the Core queries below
    routes: dict[int, list[Row[*tuple[Any, ...]]]] = {i: [] for i in ids}
    for route in session.connection().execute(
        select(_ROUTES.c.ask_id, _ROUTES.c.organisation_code, _ROUTES.c.state)
        .where(_ROUTES.c.ask_id.in_(ids))
        .order_by(_ROUTES.c.ask_id, _ROUTES.c.seq)
    ):
        routes[route.ask_id].append(route)
    replies: dict[int, list[Row[*tuple[Any, ...]]]] = {i: [] for i in ids}
    for reply in session.connection().execute(
        select(_REPLIES).where(_REPLIES.c.ask_id.in_(ids)).order_by(_REPLIES.c.id)
    ):
        replies[reply.ask_id].append(reply)
    codes = {row.organisation_code for row in rows}
    codes |= {r.organisation_code for found in routes.values() for r in found}
    codes |= {r.organisation_code for found in replies.values() for r in found}
    organisations = dict(
        session.execute(
            select(OrganisationRow.code, OrganisationRow.name).where(
                OrganisationRow.code.in_(codes)
            )
        ).all()
    )
    people = {row.author_aad for row in rows}
    people |= {r.author_aad for found in replies.values() for r in found}
    names = dict(
        session.execute(
            select(MemberRow.aad_object_id, MemberRow.name).where(
                MemberRow.aad_object_id.in_(people)
            )
        ).all()
    )
    return [_ask_view(row, routes[row.id], replies[row.id], organisations, names) for row in rows]


def _ask_view(
    row: AskRecord,
    routes: Sequence[Row[*tuple[Any, ...]]],
    replies: Sequence[Row[*tuple[Any, ...]]],
    organisations: Mapping[str, str],
    names: Mapping[str, str],
) -> AskView:
    shown = tuple(
        ReplyView(
            r.id,
            organisations.get(r.organisation_code, r.organisation_code),
            names.get(r.author_aad, "a former member"),
            r.text,
            r.link,
            r.created_at,
            row.finished_at is not None and r.created_at > row.finished_at,
        )
        for r in replies
    )
    return AskView(
        id=row.id,
        text=row.text,
        details=row.details,
        tags=tuple(t for t in row.topics.split(";") if t),
        status=AskStatus(row.status),
        organisation=organisations.get(row.organisation_code, row.organisation_code),
        author_name=names.get(row.author_aad, "a former member"),
        author_aad=row.author_aad,
        created_at=row.created_at,
        asked=tuple(
            dict.fromkeys(
                organisations.get(r.organisation_code, r.organisation_code)
                for r in routes
                if r.state != RouteState.UNREACHABLE.value
            )
        ),
        waiting=sum(r.state == RouteState.WAITING.value for r in routes),
        replies=shown,
        best=next((r for r in shown if r.id == row.best_reply_id), None),
        escalated=row.escalated_at is not None,
    )


def is_away(row: MemberRow, today: date) -> bool:
    return row.away_since is not None and (row.away_until is None or today <= row.away_until)


def candidates(session: Session, today: date) -> list[Candidate]:
    """Everyone in the registry as the router sees them: organisation, topics, when last asked."""
    last = dict(
        session.execute(
            select(AskRouteRow.responder_aad, func.max(AskRouteRow.asked_at)).group_by(
                AskRouteRow.responder_aad
            )
        ).all()
    )
    rows = session.execute(
        select(
            MemberRow.aad_object_id,
            OrganisationRow.code,
            MemberRow.topics,
            MemberRow.away_since,
            MemberRow.away_until,
        ).join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
    )
    return [
        Candidate(
            aad,
            code,
            _topic_tags(topics),
            last.get(aad),
            since is not None and (until is None or today <= until),
        )
        for aad, code, topics, since, until in rows
    ]


@functools.lru_cache(maxsize=4096)
def _topic_tags(topics: str) -> frozenset[str]:
    return member_tags(tuple(t for t in topics.split(";") if t))


def recently_asked(session: Session, ask_id: int) -> frozenset[str]:
    """Who must not be asked now, having just been asked: everyone asked for the ask before this
    one, and everyone in the latest round of routing of another ask (a re-route meanwhile)."""
    previous = session.scalar(
        select(func.max(AskRouteRow.ask_id)).where(AskRouteRow.ask_id < ask_id)
    )
    latest = session.execute(
        select(AskRouteRow.ask_id, AskRouteRow.asked_at)
        .where(AskRouteRow.ask_id != ask_id)
        .order_by(AskRouteRow.id.desc())
        .limit(1)
    ).first()
    found = select(AskRouteRow.responder_aad).where(AskRouteRow.ask_id == previous)
    if latest is not None:
        batch = (AskRouteRow.ask_id == latest[0]) & (AskRouteRow.asked_at == latest[1])
        found = select(AskRouteRow.responder_aad).where((AskRouteRow.ask_id == previous) | batch)
    return frozenset(session.scalars(found))


def _route(
    session: Session, messenger: Messenger, cards: AskCards, row: AskRow, now: datetime, wanted: int
) -> int:
    """Ask up to `wanted` more people (never beyond the ask's `max_asked`); returns how many.

    Only people the bot can reach are asked: someone with no 1:1 chat and no team to open one
    from is passed over for the next in the rotation (another colleague of the same organisation
    included), is not a route (so not counted in `max_asked`, in "Asked" or as "no answer" in
    `asks report`), and is tried again for the next ask."""
    routes = session.scalars(select(AskRouteRow).where(AskRouteRow.ask_id == row.id)).all()
    counted = [r for r in routes if r.state != RouteState.UNREACHABLE.value]
    wanted = min(wanted, row.max_asked - len(counted))
    if wanted <= 0:
        return 0
    everyone = candidates(session, now.astimezone(LONDON).date())
    everyone_aad = {c.aad_object_id for c in everyone}
    unreachable = everyone_aad - messenger.reachable(everyone_aad)  # asked once for everyone
    last_time = recently_asked(session, row.id)
    due = after_working_days(now.astimezone(LONDON), WORKING_DAYS_TO_ANSWER)
    seq = max((r.seq for r in routes), default=0)
    card = cards.request(ask_view(session, row))  # the question, not who else was asked
    new: list[AskRouteRow] = []
    while len(new) < wanted:
        request = RoutingRequest(
            tags=frozenset(t for t in row.topics.split(";") if t),
            author_organisation=row.organisation_code,
            wanted=wanted - len(new),
            already_asked=frozenset(r.responder_aad for r in [*routes, *new])
            | unreachable
            | {row.author_aad},
            asked_last_time=last_time,
            busy_organisations=frozenset(
                r.organisation_code for r in [*routes, *new] if r.state == RouteState.WAITING.value
            ),
        )
        chosen = choose_responders(everyone, request)
        if not chosen:
            break
        for choice in chosen:
            aad = choice.candidate.aad_object_id
            try:
                messenger.to_member(
                    aad, card, Delivery(f"ask:{row.id}:route:{seq + 1}", "ask-route")
                )
            except NotReachable:  # no chat and no team to open one from: the next one instead
                unreachable.add(aad)
                continue
            seq += 1
            route = AskRouteRow(
                ask_id=row.id,
                seq=seq,
                responder_aad=aad,
                organisation_code=choice.candidate.organisation,
                topic_match=choice.topic_match,
                state=RouteState.WAITING.value,
                reason="",
                asked_at=now,
                due_at=due,
            )
            session.add(route)
            new.append(route)
    session.flush()
    return len(new)


def _reroute(
    session: Session, messenger: Messenger, cards: AskCards, row: AskRow, now: datetime, count: int
) -> int:
    """After Passes or silences: the next in the rotation, while the ask has no reply. Returns
    how many were newly asked."""
    if row.status != AskStatus.OPEN.value:
        return 0
    asked = _route(session, messenger, cards, row, now, count)
    _escalate_if_stuck(session, messenger, cards, row, now)
    return asked


def _escalate_if_stuck(
    session: Session, messenger: Messenger, cards: AskCards, row: AskRow, now: datetime
) -> AskView | None:
    """Nobody is left waiting and nobody replied: tell the secretariat, once; the ask as told."""
    if row.escalated_at is not None or row.status != AskStatus.OPEN.value:
        return None
    waiting = session.scalar(
        select(func.count())
        .select_from(AskRouteRow)
        .where(AskRouteRow.ask_id == row.id, AskRouteRow.state == RouteState.WAITING.value)
    )
    if waiting:
        return None
    row.escalated_at = now
    view = ask_view(session, row)
    secretariat = session.scalars(
        select(MemberRow.aad_object_id).where(MemberRow.roles.contains(Role.SECRETARIAT.value))
    ).all()
    for aad in secretariat:
        _tell(
            messenger,
            aad,
            cards.escalated(view),
            Delivery(f"ask:{row.id}:escalated:{aad}", "ask-escalated"),
        )
    return view


def _post(
    session: Session,
    messenger: Messenger,
    cards: AskCards,
    row: AskRow,
    view: AskView,
    channel_id: str,
) -> bool:
    key = f"ask:{row.id}:card"
    try:
        _to_asks_channel(session, messenger, channel_id, cards.posted(view), Delivery(key, "ask"))
    except NotReachable:  # the bot is in no team yet: the ask still goes to people 1:1
        return False
    row.card_key = key
    return True


def _to_asks_channel(
    session: Session, messenger: Messenger, channel_id: str, card: RenderedCard, delivery: Delivery
) -> None:
    """The peer-support channel if one is set and the bot is in it, else the forum's channel."""
    if channel_id and find_conversation(session, channel_id) is not None:
        messenger.to_conversation(channel_id, card, delivery)
    else:
        messenger.to_channel(card, delivery)


def _changed(
    session: Session, messenger: Messenger, cards: AskCards, row: AskRow, event: str
) -> None:
    """The channel card, updated in place, once per event (the event names the delivery)."""
    if row.card_key:
        messenger.update(
            row.card_key,
            cards.posted(ask_view(session, row)),
            Delivery(f"ask:{row.id}:update:{event}", "ask-update"),
        )


def _tell(messenger: Messenger, aad: str, card: RenderedCard, delivery: Delivery) -> None:
    with contextlib.suppress(NotReachable):  # nobody to tell: `asks mine` still shows it
        messenger.to_member(aad, card, delivery)


def _as_id(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise ForumError("That card is not one I recognise: there is no such ask.") from None
    if not may_be_an_id(number):
        raise ForumError("That card is not one I recognise: there is no such ask.")
    return number


def _ask_row(session: Session, ask_id: object) -> AskRow:
    row = session.get(AskRow, _as_id(ask_id), with_for_update=True)
    if row is None:
        raise ForumError("There is no such ask.")
    return row


def _live_ask(session: Session, ask_id: object) -> AskRow:
    row = _ask_row(session, ask_id)
    if AskStatus(row.status).finished:
        raise ForumError(f"Ask {row.id} is {row.status} already: nothing was changed.")
    return row


def _routes_of(session: Session, ask_id: int, aad: str) -> list[AskRouteRow]:
    return list(
        session.scalars(
            select(AskRouteRow).where(
                AskRouteRow.ask_id == ask_id, AskRouteRow.responder_aad == aad
            )
        )
    )


def _check_owner(member: Member, row: AskRow) -> None:
    if member.aad_object_id != row.author_aad and not member.is_secretariat:
        raise NotAllowed("Only the person who asked, or the forum's secretariat, can do that.")


def _member_row(session: Session, actor: Member, whom: str) -> MemberRow:
    """The actor's own row, or (for the secretariat) the member named by email."""
    if whom and whom.casefold() != actor.email.casefold():
        if not actor.is_secretariat:
            raise NotAllowed("Only the forum's secretariat can change another member's details.")
        row = session.scalars(
            select(MemberRow).where(func.lower(MemberRow.email) == whom.casefold())
        ).first()
        if row is None:
            raise ForumError("No member has that email address in the registry.")
        return row
    row = session.scalars(
        select(MemberRow).where(MemberRow.aad_object_id == actor.aad_object_id)
    ).first()
    if row is None:
        raise ForumError("You're not in the membership registry.")
    return row


def _checked_text(text: str, if_empty: str) -> str:
    text = text.strip()
    if not text:
        raise ForumError(if_empty)
    if len(text) > MAX_TEXT_CHARS:
        raise ForumError(
            f"That is {len(text):,} characters: {MAX_TEXT_CHARS:,} is the most. "
            "Shorten it, or put the rest in a document and share its link."
        )
    return text


def _checked_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    if len(link) > MAX_LINK_CHARS or not link.lower().startswith(("https://", "http://")):
        raise ForumError("A link must be a web address starting https:// (a SharePoint link).")
    if any(c.isspace() for c in link):
        raise ForumError("A link can't contain spaces.")
    return link
