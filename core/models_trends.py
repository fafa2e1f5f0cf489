"""Tables of trends and alerts (migration 0005): alerts and their deliveries, the feedback
that tunes each key's threshold, and the topics that group mentions by meaning.

Datetimes are naive UTC like everywhere else (core.clock).
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class Alert(SQLModel, table=True):
    """A burst, climb or drop of one count key that became significant in one hour.

    One row per key, sensitivity level and hour (the unique constraint backs the claim that
    makes one replica fire it). `title` is the key's display name; the standup reads it.
    """

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("key", "level", "bucket", name="uq_alert_key_level_bucket"),
        Index("ix_alert_key_fired", "key", "fired_at"),
        Index("ix_alert_fired", "fired_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=16)  # burst | climb | drop
    level: str = Field(default="normal", max_length=8)  # the sensitivity it fired for
    bucket: NaiveDatetime
    fired_at: NaiveDatetime = Field(default_factory=utcnow)
    observed: float = 0.0
    expected: float = 0.0
    z: float = 0.0
    growth: float = 0.0
    score: float = 0.0
    span_hours: int = 1
    mention_id: int | None = None  # the mention whose arrival made it significant
    # {"mention_ids": [...]} — the example mentions shown with it
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class AlertDelivery(SQLModel, table=True):
    """One alert to one channel: pending until the notifier took it, then posted or failed."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "platform", "channel_id", name="uq_alert_delivery"),
        Index("ix_alert_delivery_state", "state", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=512)
    state: str = Field(default="pending", max_length=16)  # pending | sending | posted | failed
    attempts: int = 0
    message_ref: str | None = Field(default=None, max_length=255)
    error: str | None = Field(default=None, max_length=512)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class AlertThreshold(SQLModel, table=True):
    """What feedback taught about one key: its threshold factor, votes, and a mute."""

    __tablename__ = "alert_threshold"

    key: str = Field(primary_key=True, max_length=300)
    factor: float = 1.0
    useful: int = 0
    noise: int = 0
    muted_until: NaiveDatetime | None = None
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class AlertFeedback(SQLModel, table=True):
    """One person's verdict on one alert; a second click by the same person changes nothing."""

    __tablename__ = "alert_feedback"
    __table_args__ = (
        UniqueConstraint("alert_id", "actor_platform", "actor_id", name="uq_alert_feedback"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int
    actor_id: str = Field(max_length=255)
    actor_platform: str = Field(max_length=16)
    verdict: str = Field(max_length=8)  # useful | noise
    at: NaiveDatetime = Field(default_factory=utcnow)


class Topic(SQLModel, table=True):
    """A group of mentions with one meaning, in any language (migrations 0005, 0010_stories).

    Topics that tell one story point to the story's first topic (`story_id`; None on that
    first topic, the story's root). The root carries the story's labels: `label` in the
    language most of its mentions use, `label_de` and `label_en` for a channel's language,
    and in `terms` the story's key stems (JSON list) that pick its representative mention.
    """

    __tablename__ = "topic"
    __table_args__ = (
        Index("ix_topic_last_seen", "last_seen_at"),
        Index("ix_topic_story", "story_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int | None = None
    label: str = Field(max_length=255)
    label_de: str | None = Field(default=None, max_length=255)
    label_en: str | None = Field(default=None, max_length=255)
    labelled_size: int = 0  # the story's size when it was last labelled
    terms: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    # The mean embedding (float32, L2-normalised) that new mentions are compared with.
    centroid: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    last_seen_at: NaiveDatetime = Field(default_factory=utcnow)


class MentionTopic(SQLModel, table=True):
    """A mention's topic (None: not grouped yet), and its embedding while it may still seed one.

    A row per mention that the topic job has seen, so the job resumes after the highest
    mention id and counts each mention into its topic once.
    """

    __tablename__ = "mention_topic"
    __table_args__ = (
        Index("ix_mention_topic_topic", "topic_id", "published_at"),
        Index("ix_mention_topic_published", "published_at"),
    )

    mention_id: int = Field(primary_key=True)
    topic_id: int | None = None
    published_at: NaiveDatetime
    # float16 embedding, kept only while the mention is ungrouped and recent
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    assigned_at: NaiveDatetime = Field(default_factory=utcnow)
