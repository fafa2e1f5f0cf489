"""Database tables (SQLModel). Datetimes are naive UTC (see core.clock), hence NaiveDatetime.

Schema changes go through Alembic (migrations/); `create_all` is never used outside tests.
Mention search uses SQLite FTS5 / PostgreSQL tsvector, created by the migration, not here.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class Mention(SQLModel, table=True):
    """One post, article, comment or reply that a source delivered, stored once per source."""

    __tablename__ = "mention"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_mention_source_external"),
        Index("ix_mention_published", "published_at"),
        Index("ix_mention_source_published", "source", "published_at"),
        Index("ix_mention_hash", "content_hash"),
        # A brief reads a window of mentions from this index alone (migration 0005).
        Index("ix_mention_window", "published_at", "reach", "intent", "dup_of"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    source_type: str = Field(default="files", max_length=16)
    external_id: str = Field(max_length=255)
    url: str | None = Field(default=None, max_length=2048)
    author: str | None = Field(default=None, max_length=255)
    author_handle: str | None = Field(default=None, max_length=255)
    title: str | None = Field(default=None, max_length=1024)
    text: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=8)
    sentiment: str | None = Field(default=None, max_length=8)
    sentiment_score: float | None = None
    intent: str | None = Field(default=None, max_length=16)
    published_at: NaiveDatetime
    fetched_at: NaiveDatetime = Field(default_factory=utcnow)
    # The entities the mention matched, "|"-separated (terms may hold spaces); hashtags
    # of the text, space-separated.
    matched_terms: str = Field(default="", max_length=2048)
    hashtags: str = Field(default="", max_length=2048)
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    reach: int = 0
    reply_to: str | None = Field(default=None, max_length=255)
    thread_id: str | None = Field(default=None, max_length=255)
    dup_of: int | None = None
    content_hash: str = Field(default="", max_length=16)
    synthetic: bool = False


class WatchTerm(SQLModel, table=True):
    """A term on the watchlist; seeded from the workspace file, editable from chat."""

    __tablename__ = "watch_term"
    __table_args__ = (UniqueConstraint("normalized", name="uq_watch_term_normalized"),)

    id: int | None = Field(default=None, primary_key=True)
    term: str = Field(max_length=255)
    normalized: str = Field(max_length=255)
    # The entity an alias stands for ("kaffeeko ag" → "kaffeeko"); counts use this.
    canonical: str = Field(default="", max_length=255)
    kind: str = Field(max_length=16)
    active: bool = True
    origin: str = Field(default="workspace", max_length=16)
    created_by: str | None = Field(default=None, max_length=255)
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class HourlyCount(SQLModel, table=True):
    """Mentions per hour and key (`all`, `term:…`, `tag:…`, `source:…`), kept at ingest.

    Briefs and trend detection read these instead of scanning mentions, so their cost follows
    the window asked for, not the size of the history.
    """

    __tablename__ = "hourly_count"
    # One key over a range of hours (a trend's history); the primary key leads with the hour.
    __table_args__ = (Index("ix_hourly_count_key_bucket", "key", "bucket"),)

    bucket: NaiveDatetime = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=300)
    n: int = 0
    neg: int = 0
    neu: int = 0
    pos: int = 0
    reach: int = 0


class ChatConversation(SQLModel, table=True):
    """A chat channel or conversation the bot knows, with what a proactive post needs."""

    __tablename__ = "chat_conversation"
    __table_args__ = (UniqueConstraint("platform", "conversation_id", name="uq_chat_conversation"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    conversation_id: str = Field(max_length=512)
    name: str | None = Field(default=None, max_length=255)
    tenant_id: str | None = Field(default=None, max_length=64)
    # The platform's own reference (Teams ConversationReference JSON), for proactive posts.
    reference: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class Preference(SQLModel, table=True):
    """A user's or channel's choice, such as the locale."""

    __tablename__ = "preference"
    __table_args__ = (
        UniqueConstraint("platform", "scope", "subject_id", "key", name="uq_preference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    scope: str = Field(max_length=16)  # user | channel
    subject_id: str = Field(max_length=512)
    key: str = Field(max_length=64)
    value: str = Field(max_length=1024)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    """A channel's subscription to a kind of post (alerts, standup, briefs)."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("platform", "channel_id", "kind", name="uq_subscription"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=512)
    kind: str = Field(max_length=32)
    enabled: bool = True
    # JSON settings of the subscription: time and zone of a standup, sensitivity of alerts…
    settings: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what, when: every change a person or the bot makes to shared state."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_subject", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(default_factory=utcnow)
    actor_id: str = Field(max_length=255)
    actor_platform: str = Field(max_length=16)
    kind: str = Field(max_length=64)
    subject: str = Field(max_length=255)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class JobClaim(SQLModel, table=True):
    """One run of a scheduled job (job + slot), claimed by one replica so it happens once."""

    __tablename__ = "job_claim"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_claim"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=128)
    slot: str = Field(max_length=64)
    owner: str = Field(max_length=128)
    claimed_at: NaiveDatetime = Field(default_factory=utcnow)
    expires_at: NaiveDatetime
    done_at: NaiveDatetime | None = None
    status: str = Field(default="running", max_length=16)


class SourceState(SQLModel, table=True):
    """Per-source polling state: the cursor that lets a restart resume, and its health."""

    __tablename__ = "source_state"

    name: str = Field(primary_key=True, max_length=64)
    cursor: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    last_success: NaiveDatetime | None = None
    last_error: str | None = Field(default=None, max_length=1024)
    last_error_at: NaiveDatetime | None = None
    error_count: int = 0
    next_poll_at: NaiveDatetime | None = None
    quota_remaining: int | None = None
    fetched_total: int = 0
    stored_total: int = 0
    # Since when this source's record is complete: its first poll, or how far a backfill
    # reached. None for sources polled before this was recorded (nothing is claimed then).
    covered_from: NaiveDatetime | None = None
