"""The database tables. Every change here needs an Alembic revision in migrations/versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeGuard

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def may_be_an_id(value: object) -> TypeGuard[int]:
    """Whether a card's value could be a row's id: a whole number (not True or False) in the
    range of an INTEGER key (32 bits on PostgreSQL; SQLite cannot even compare one beyond 64)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    inner_outer: Mapped[str | None] = mapped_column(String(8))
    subregion: Mapped[str | None] = mapped_column(String(32))


class MemberRow(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    roles: Mapped[str] = mapped_column(String(200))  # ";"-separated Role values, sorted
    topics: Mapped[str] = mapped_column(Text, default="")  # ";"-separated, as imported
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # the round robin (forum_ops/asks/service.py): away since when, and until which day (None: until back)
    away_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    away_until: Mapped[date | None] = mapped_column(Date, nullable=True)

    organisation: Mapped[OrganisationRow] = relationship(lazy="joined")


class ConversationRow(Base):
    """Where the bot can post proactively: a team channel, a group chat or a member's 1:1 chat."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # personal, channel, groupChat
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)  # personal chats
    team_id: Mapped[str | None] = mapped_column(String(400))
    reference: Mapped[str] = mapped_column(Text)  # Bot Framework ConversationReference as JSON
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessedActivityRow(Base):
    """Inbound activities already handled, so a redelivery is processed once.

    The key is a hash of channel, conversation and activity id: nothing about the sender is kept.
    It is written in the same transaction as the turn's first change (forum_ops/turns.py), or
    when a turn that changed nothing answers; `replied_at` once the turn has answered, with a
    card action's answer in `response` so a redelivery gets the same card.
    """

    __tablename__ = "processed_activities"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: status and body


class OutboxRow(Base):
    """A proactive message and its delivery record (see forum_ops/outbox/queue.py)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_conversation_status", "conversation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(10))
    target_key: Mapped[str | None] = mapped_column(String(300))
    conversation_id: Mapped[str] = mapped_column(String(400))
    conversation_kind: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(Text)
    activity: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text)
    sent_activity_id: Mapped[str | None] = mapped_column(String(200))
    sent_by: Mapped[str | None] = mapped_column(String(64))  # the worker that delivered it
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Sen2FileRow(Base):
    """The latest DfE SEN2 release: each file kept as published, replaced whole on re-import."""

    __tablename__ = "sen2_files"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # caseload, needs
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChartRow(Base):
    """A chart image served at an unguessable, expiring URL (any replica can serve it), kept
    once: `content_key` (the picture's SHA-256) finds it again when the same chart is drawn."""

    __tablename__ = "charts"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    content_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)


class SupplierRow(Base):
    """One school of the specialist supplier directory (the latest GIAS snapshot)."""

    __tablename__ = "suppliers"

    urn: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(60))
    la_code: Mapped[str] = mapped_column(String(8), index=True)
    la_name: Mapped[str] = mapped_column(String(120))
    low_age: Mapped[float | None] = mapped_column(Float)
    high_age: Mapped[float | None] = mapped_column(Float)
    phases: Mapped[str] = mapped_column(String(80))  # ";"-separated
    needs: Mapped[str] = mapped_column(String(80))  # ";"-separated need codes, GIAS order
    capacity: Mapped[float | None] = mapped_column(Float)
    pupils: Mapped[float | None] = mapped_column(Float)
    ofsted: Mapped[str] = mapped_column(String(60))
    postcode: Mapped[str] = mapped_column(String(12))
    website: Mapped[str] = mapped_column(String(300))
    easting: Mapped[float | None] = mapped_column(Float)
    northing: Mapped[float | None] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlacementRow(Base):
    """One pseudonymised INMSS placement from a borough's return (SPEC 6.2)."""

    __tablename__ = "placements"
    __table_args__ = (Index("ix_placements_period_borough", "period", "borough"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    borough: Mapped[str] = mapped_column(String(8))  # DfE LA code
    period: Mapped[str] = mapped_column(String(8))  # 2025-26
    placement_id: Mapped[str] = mapped_column(String(200))
    provider_urn: Mapped[str] = mapped_column(String(8), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    establishment_type: Mapped[str] = mapped_column(String(40))
    s41_approved: Mapped[str | None] = mapped_column(String(4))
    primary_need: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(16))
    placement_type: Mapped[str] = mapped_column(String(32))
    route: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[str] = mapped_column(String(10))  # ISO date
    end_date: Mapped[str | None] = mapped_column(String(10))
    core_fee: Mapped[float] = mapped_column(Float)
    residential_care: Mapped[float] = mapped_column(Float)
    health: Mapped[float] = mapped_column(Float)
    therapies: Mapped[float] = mapped_column(Float)
    additional_staffing: Mapped[float] = mapped_column(Float)
    total_cost: Mapped[float] = mapped_column(Float)
    attendance_pct: Mapped[float | None] = mapped_column(Float)
    suspensions: Mapped[int | None] = mapped_column(Integer)
    outcomes_met: Mapped[str | None] = mapped_column(String(8))
    open_to_negotiation: Mapped[str | None] = mapped_column(String(8))
    requested_uplift_pct: Mapped[float | None] = mapped_column(Float)
    agreed_uplift_pct: Mapped[float | None] = mapped_column(Float)
    # rule 8: the placement id's key in placement_keys (PlacementKeyRow), copied here
    record_key: Mapped[int] = mapped_column(Integer)


class PlacementKeyRow(Base):
    """Rule 8: a placement's record key, drawn at random by the server the first time one of
    the borough's returns for the period names the placement id, and kept for good: every later
    return of that borough and period naming the id gets it again, whatever returns came
    between, so re-submitting the same rows never draws fresh noise. Never deleted."""

    __tablename__ = "placement_keys"

    borough: Mapped[str] = mapped_column(String(8), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    # as the return's check compares ids (casefolded): "CAM-1" and "cam-1" are one placement
    placement_id: Mapped[str] = mapped_column(String(600), primary_key=True)
    record_key: Mapped[int] = mapped_column(Integer)


class ReturnSubmissionRow(Base):
    """The audit trail: who sent which return for which borough and period, and what came of it."""

    __tablename__ = "return_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    borough: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(8))
    submitted_by: Mapped[str] = mapped_column(String(64))  # Entra object id, or "cli:<user>"
    filename: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(10))  # imported, rejected
    placements: Mapped[int] = mapped_column(Integer)
    problems: Mapped[int] = mapped_column(Integer)
    replaced: Mapped[int] = mapped_column(Integer)  # placements of the earlier return removed
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # plausibility (DOMAIN rule 11): why an imported return is held out of releases, until the
    # secretariat accepts or refuses it (decision: held, accepted, refused; None: nothing to check)
    hold_reason: Mapped[str | None] = mapped_column(String(600))
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReleaseRow(Base):
    """A release (DOMAIN rule 10): every borough's return for a period, frozen as published."""

    __tablename__ = "releases"
    __table_args__ = (Index("ix_releases_period_released_at", "period", "released_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8))
    released_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_by: Mapped[str] = mapped_column(String(64))  # an Entra object id, or "schedule"
    boroughs: Mapped[int] = mapped_column(Integer)
    placements: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(
        String(64)
    )  # of the rows: an unchanged period is not re-released


class ReleasePlacementRow(Base):
    """One placement as a release holds it: only what the benchmarks read."""

    __tablename__ = "release_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), index=True)
    borough: Mapped[str] = mapped_column(String(8))
    provider_urn: Mapped[str] = mapped_column(String(8))
    primary_need: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(16))
    placement_type: Mapped[str] = mapped_column(String(32))
    core_fee: Mapped[float] = mapped_column(Float)
    residential_care: Mapped[float] = mapped_column(Float)
    total_cost: Mapped[float] = mapped_column(Float)
    record_key: Mapped[int] = mapped_column(Integer)


class ReleaseProviderRow(Base):
    """The provider names a release shows: GIAS's, else the first name a return gave the URN."""

    __tablename__ = "release_providers"

    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), primary_key=True)
    provider_urn: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class JobOccurrenceRow(Base):
    """One time a scheduled job fell due, and what came of it (see forum_ops/scheduler/)."""

    __tablename__ = "job_occurrences"
    __table_args__ = (
        Index("ix_job_occurrences_due", "status", "not_before"),
        Index("ix_job_occurrences_job_due_at", "job", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200), unique=True)  # job name and due instant
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)  # due_at, later for a retry
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DialogRow(Base):
    """A person's unfinished multi-turn conversation with the bot (see forum_ops/dialogs.py)."""

    __tablename__ = "dialogs"

    conversation_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # JSON: what the dialog has gathered so far
    version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AskRow(Base):
    """A peer-support question and its state (forum_ops/asks/service.py)."""

    __tablename__ = "asks"
    __table_args__ = (Index("ix_asks_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_aad: Mapped[str] = mapped_column(String(64), index=True)
    organisation_code: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")  # what the author added later
    topics: Mapped[str] = mapped_column(String(400))  # ";"-separated topic tags
    status: Mapped[str] = mapped_column(String(20))  # open, answered, resolved, closed-unanswered
    card_key: Mapped[str | None] = mapped_column(String(200))  # the channel card's delivery key
    max_asked: Mapped[int] = mapped_column(Integer)  # responders + re-routes, fixed when asked
    best_reply_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # resolved or closed
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # secretariat told


class AskRouteRow(Base):
    """One person asked to answer an ask: the round robin's memory (who, when, what came of it)."""

    __tablename__ = "ask_routes"
    __table_args__ = (
        Index("ix_ask_routes_state_due_at", "state", "due_at"),
        Index("ix_ask_routes_responder_asked_at", "responder_aad", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ask_id: Mapped[int] = mapped_column(ForeignKey("asks.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within the ask: the delivery key's
    responder_aad: Mapped[str] = mapped_column(String(64))
    organisation_code: Mapped[str] = mapped_column(String(16))
    topic_match: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12))  # waiting, replied, passed, expired, withdrawn
    reason: Mapped[str] = mapped_column(Text, default="")  # a Pass's reason
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)  # 2 working days on
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AskReplyRow(Base):
    """A reply to an ask, kept with it; a link to a document rather than the document."""

    __tablename__ = "ask_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ask_id: Mapped[int] = mapped_column(ForeignKey("asks.id"), index=True)
    author_aad: Mapped[str] = mapped_column(String(64))
    organisation_code: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TorVersionRow(Base):
    """A version of the forum's Terms of Reference: its text and the hash of that text."""

    __tablename__ = "tor_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # 1, 2, ... as the forum names them
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # normalised: markdown-style "# " headings
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the text
    filename: Mapped[str] = mapped_column(String(300))
    added_by: Mapped[str] = mapped_column(String(64))  # Entra object id, or "cli:<user>", "demo"
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ratified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TorRatificationRow(Base):
    """A ratification of one ToR version (see forum_ops/tor/service.py for its states)."""

    __tablename__ = "tor_ratifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("tor_versions.id"), index=True)
    # the version's id while open, NULL once closed: a second open one for a version is refused
    open_version_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    quorum: Mapped[float] = mapped_column(Float)
    majority: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10))  # open, closed
    result: Mapped[str | None] = mapped_column(String(10))  # passed, failed
    revision: Mapped[int] = mapped_column(Integer)  # +1 a vote: names the tally's card updates
    card_key: Mapped[str | None] = mapped_column(String(300))  # outbox key of the channel card
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TorVoteRow(Base):
    """A borough's standing vote in a ratification: one row per borough, the latest cast."""

    __tablename__ = "tor_votes"

    ratification_id: Mapped[int] = mapped_column(
        ForeignKey("tor_ratifications.id"), primary_key=True
    )
    borough: Mapped[str] = mapped_column(String(8), primary_key=True)
    choice: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    cast_by: Mapped[str] = mapped_column(String(64))  # Entra object id
    cast_by_name: Mapped[str] = mapped_column(String(200))
    cast_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changes: Mapped[int] = mapped_column(Integer)  # how often the borough changed its vote


class TorVoteEventRow(Base):
    """Every vote cast and changed, for the export: nothing here is ever updated."""

    __tablename__ = "tor_vote_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ratification_id: Mapped[int] = mapped_column(ForeignKey("tor_ratifications.id"), index=True)
    borough: Mapped[str] = mapped_column(String(8))
    choice: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    cast_by: Mapped[str] = mapped_column(String(64))
    cast_by_name: Mapped[str] = mapped_column(String(200))
    cast_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DirectoryEntryRow(Base):
    """A support network, best-practice example or tool in the forum's directory (issue 17)."""

    __tablename__ = "directory_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # forum_ops.directory.service.Kind
    scope: Mapped[str] = mapped_column(String(16))  # forum_ops.directory.service.Scope
    topics: Mapped[str] = mapped_column(Text, default="")  # ";"-separated
    offers: Mapped[str] = mapped_column(Text, default="")
    how_to_join: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")  # http(s) or empty
    contact: Mapped[str] = mapped_column(String(320), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    last_checked: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)  # suggested, approved, declined
    source: Mapped[str] = mapped_column(String(16))  # demo, import, suggestion, takeaway
    suggested_by: Mapped[str | None] = mapped_column(String(64))  # Entra object id
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MeetingRow(Base):
    """A forum meeting of the forward plan (see forum_ops/meetings/service.py)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[str] = mapped_column(String(10), unique=True)  # ISO date in London: one a day
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # planned, cancelled
    origin: Mapped[str] = mapped_column(String(12))  # plan (SPEC 2), cadence, secretariat, import
    chair_aad: Mapped[str | None] = mapped_column(String(64))
    chair_org: Mapped[str | None] = mapped_column(String(16))  # organisation code when taken
    # the calendar event (Graph or .ics): `booking` is "" (none), "pending" (asked, not yet
    # answered: reconciled by the next `schedule`) or "booked"; `booking_id` is the event's
    # transactionId, so asking again after a crash finds the same event instead of a second one
    booking: Mapped[str] = mapped_column(String(10), default="")
    booking_id: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(400))
    join_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChairOfferRow(Base):
    """A member's offer to chair a meeting: they chair it when the secretariat confirms, or
    when the secretariat, told, has said nothing for the quiet period (forum_ops/meetings/service.py)."""

    __tablename__ = "chair_offers"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64))
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AgendaItemRow(Base):
    """An item a member proposed for a meeting's agenda, and the chair's decision."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    proposer_aad: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))  # proposed, accepted, declined
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RecommendationRow(Base):
    """One of the 17 recommendations of "SEND Commissioning in London" and its progress."""

    __tablename__ = "recommendations"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(100))
    lead: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16))  # not started, in progress, done
    rag: Mapped[str] = mapped_column(String(8))  # red, amber, green
    next_step: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")  # links, one a line
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UsageCountRow(Base):
    """How often a feature was used on a day, and nothing about who (the tracker's evidence)."""

    __tablename__ = "usage_counts"

    feature: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. supplier_lookup
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ReportFileRow(Base):
    """A generated file kept for a week: offered to one member in Teams (a report), or served
    at an unguessable, expiring URL when it is not private (a meeting's calendar file)."""

    __tablename__ = "report_files"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    offered_to: Mapped[str | None] = mapped_column(String(64))  # aad id; None: a public link
    again: Mapped[str] = mapped_column(String(200), default="", server_default="")  # the command
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # Allow or Decline, once


class TakeawayRow(Base):
    """A meeting's Useful Commissioning Takeaway: a draft until published."""

    __tablename__ = "takeaways"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    insight: Mapped[str] = mapped_column(Text)
    tool: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)  # JSON: [{"what": ..., "who": ...}], at most 3
    author_aad: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))  # draft, published
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the printable PDF's unguessable link (/takeaways/<token>.pdf), given when published
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MeetingStepRow(Base):
    """A step of a meeting's cycle done (agenda circulated, reminder sent...): each once."""

    __tablename__ = "meeting_steps"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    step: Mapped[str] = mapped_column(String(80), primary_key=True)  # name and meeting start
    done_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SearchDocumentRow(Base):
    """A text the forum's search finds (an ask with its replies, an approved directory entry),
    as the analyser's stems: forum_ops/db/fulltext.py keeps it, and its terms, in step."""

    __tablename__ = "search_documents"
    __table_args__ = ({"sqlite_with_rowid": False},)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "ask", "directory"
    doc_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    words: Mapped[int] = mapped_column(Integer)  # how many stems (BM25's document length)
    stems: Mapped[str] = mapped_column(Text)  # space-separated; title and tags repeated


class SearchTermRow(Base):
    """How often a stem occurs in one search document, and that document's length: the inverted
    index a search reads (only its stems' rows, in key order, nothing else)."""

    __tablename__ = "search_terms"
    __table_args__ = (  # a search reads the key alone: the rows on SQLite, INCLUDE on PostgreSQL
        PrimaryKeyConstraint("kind", "term", "doc_id", postgresql_include=["occurrences", "words"]),
        {"sqlite_with_rowid": False},
    )

    kind: Mapped[str] = mapped_column(String(16))
    term: Mapped[str] = mapped_column(String(100))
    doc_id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    occurrences: Mapped[int] = mapped_column(Integer)
    words: Mapped[int] = mapped_column(Integer)  # the document's (a copy: no join to rank)


class SearchTotalRow(Base):
    """A kind's document count and total length (BM25's N and average), kept as rows change."""

    __tablename__ = "search_totals"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)
    words: Mapped[int] = mapped_column(BigInteger)


class DataVersionRow(Base):
    """A table's version: raised in the same transaction as every change to the table, so an
    answer read from it is given again until it changes (forum_ops/db/versions.py)."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
